/**
 * A condition's protocol: permits handed to waiters of a lock named in the object.
 *
 * <p>Internal: not API. Its types may change in any release; the module does not export it.
 */
package dev.multiproc.internal.shm.condition;
