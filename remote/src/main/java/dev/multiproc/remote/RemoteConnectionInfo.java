package dev.multiproc.remote;

import java.time.Instant;

/**
 * A remote connection of some JVM on this machine, as {@code multiproc ls} shows it.
 *
 * @param pid         the JVM that holds it
 * @param description "to CHANNEL" for a connection made with {@link Remote#connect}, "from
 *                    ADDRESS on CHANNEL" for one a listener accepted
 * @param pipeName    the local pipe behind it (listed among the shared objects too)
 * @param since       when it was established
 */
public record RemoteConnectionInfo(long pid, String description, String pipeName, Instant since) {
}
