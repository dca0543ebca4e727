/**
 * An event's protocol: a flag set and cleared, with a wait point for those waiting for it.
 *
 * <p>Internal: not API. Its types may change in any release; the module does not export it.
 */
package dev.multiproc.internal.shm.event;
