/**
 * A pipe's layout: one or two byte rings in one object, one per direction.
 *
 * <p>Internal: not API. Its types may change in any release; the module does not export it.
 */
package dev.multiproc.internal.shm.pipe;
