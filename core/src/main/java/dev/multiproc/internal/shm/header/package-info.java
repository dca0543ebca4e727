/**
 * The header every shared object starts with: magic, layout version, kind, size, state and creator; how an object is created, published, opened and retired.
 *
 * <p>Internal: not API. Its types may change in any release; the module does not export it.
 */
package dev.multiproc.internal.shm.header;
