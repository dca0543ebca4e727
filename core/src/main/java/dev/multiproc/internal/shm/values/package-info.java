/**
 * Shared long and double cells: fixed-length arrays of words in one object.
 *
 * <p>Internal: not API. Its types may change in any release; the module does not export it.
 */
package dev.multiproc.internal.shm.values;
