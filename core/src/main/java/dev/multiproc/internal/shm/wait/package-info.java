/**
 * Waiting across processes: an event count and sleeper count per wait point, kernel sleeps in slices, and the wait policies.
 *
 * <p>Internal: not API. Its types may change in any release; the module does not export it.
 */
package dev.multiproc.internal.shm.wait;
