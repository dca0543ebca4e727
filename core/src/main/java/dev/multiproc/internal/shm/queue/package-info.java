/**
 * A shared queue's protocol: sequenced slots claimed by position, with intent entries that let a dead producer's or consumer's position be recovered.
 *
 * <p>Internal: not API. Its types may change in any release; the module does not export it.
 */
package dev.multiproc.internal.shm.queue;
