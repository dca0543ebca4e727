/**
 * A listener's protocol: connection offers claimed and answered through slots of pipe names.
 *
 * <p>Internal: not API. Its types may change in any release; the module does not export it.
 */
package dev.multiproc.internal.shm.listener;
