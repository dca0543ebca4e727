/**
 * How modules that reach other hosts plug into {@link dev.multiproc.Multiproc#listen} and
 * {@link dev.multiproc.Multiproc#connect}: a {@link dev.multiproc.transport.RemoteTransport},
 * found with {@link java.util.ServiceLoader}, takes every address that is not a local name. The
 * {@code multiproc-remote} module provides one for Aeron channels ({@code aeron:udp?...}).
 * Applications do not call it; they pass the address to {@code listen} and {@code connect}.
 */
package dev.multiproc.transport;
