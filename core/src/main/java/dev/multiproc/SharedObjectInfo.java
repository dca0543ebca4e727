package dev.multiproc;

import java.util.Map;

/**
 * What {@link Multiproc#listObjects()} reports of one shared object on this machine.
 *
 * @param name         the object's name
 * @param kind         its kind ("queue", "lock", ...), or "unknown" for a name multiproc cannot read
 * @param sizeBytes    its size in bytes, header included
 * @param creatorPid   the pid of the process that created it, or 0 if unknown
 * @param creatorAlive whether that process is still running
 * @param details      what matters for its kind (depth and capacity, owner, waiters, ...), in display order
 */
public record SharedObjectInfo(String name, String kind, long sizeBytes, long creatorPid, boolean creatorAlive,
                               Map<String, String> details) {
}
