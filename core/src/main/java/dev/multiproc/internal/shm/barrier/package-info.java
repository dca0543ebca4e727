/**
 * A barrier's protocol: arrivals counted per generation, tripped by the last party, broken by a dead or timed-out one.
 *
 * <p>Internal: not API. Its types may change in any release; the module does not export it.
 */
package dev.multiproc.internal.shm.barrier;
