/**
 * The participant table: slots that processes and threads claim with a liveness token, reclaimed when their owner dies.
 *
 * <p>Internal: not API. Its types may change in any release; the module does not export it.
 */
package dev.multiproc.internal.shm.table;
