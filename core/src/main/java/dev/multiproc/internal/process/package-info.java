/**
 * Starting child JVMs: the command line a child runs ({@code ChildCommand}), its entry point
 * ({@code ChildMain}), cold starts and pre-started spares ({@code ProcessLauncher}), the trusted
 * start-up cache directory, and what a child knows of itself and its parent.
 *
 * <p>Internal: not API. Its types may change in any release; the module does not export it.
 */
package dev.multiproc.internal.process;
