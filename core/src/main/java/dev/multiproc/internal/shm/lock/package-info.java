/**
 * A lock word's protocol: owner, recursion and take-over of a lock whose owner died.
 *
 * <p>Internal: not API. Its types may change in any release; the module does not export it.
 */
package dev.multiproc.internal.shm.lock;
