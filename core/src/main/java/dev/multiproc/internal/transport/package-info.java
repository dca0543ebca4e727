/**
 * Finding the {@link dev.multiproc.transport.RemoteTransport} for an address and keeping each
 * context's sessions. Not API.
 */
package dev.multiproc.internal.transport;
