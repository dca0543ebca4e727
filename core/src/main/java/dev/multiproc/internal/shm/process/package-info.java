/**
 * A process bootstrap: how a parent hands a target (or a spare's wait for one) to a child JVM.
 *
 * <p>Internal: not API. Its types may change in any release; the module does not export it.
 */
package dev.multiproc.internal.shm.process;
