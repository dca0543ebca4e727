/**
 * Administration of the shared objects on a machine: how names are made and read back
 * ({@code ObjectNames}), collecting what dead processes left ({@code GarbageCollector}), and
 * describing live objects for {@code multiproc ls} ({@code ObjectInspector}).
 *
 * <p>Internal: not API. Its types may change in any release; the module does not export it.
 */
package dev.multiproc.internal.admin;
