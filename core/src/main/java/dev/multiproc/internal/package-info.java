/**
 * multiproc's internals: the shared-memory protocols ({@code shm}) and what runs them. Not API:
 * the types here may change in any release, and the module exports none of these packages.
 */
package dev.multiproc.internal;
