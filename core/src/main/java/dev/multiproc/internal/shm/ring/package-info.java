/**
 * A single-producer single-consumer byte ring of length-prefixed records, with wait points for room and for records.
 *
 * <p>Internal: not API. Its types may change in any release; the module does not export it.
 */
package dev.multiproc.internal.shm.ring;
