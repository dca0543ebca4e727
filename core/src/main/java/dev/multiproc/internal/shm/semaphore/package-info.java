/**
 * A semaphore's protocol: permits, with each holder's permits recorded so that a dead holder's come back.
 *
 * <p>Internal: not API. Its types may change in any release; the module does not export it.
 */
package dev.multiproc.internal.shm.semaphore;
