package dev.multiproc.internal.shm.process;

import dev.multiproc.internal.shm.LayoutChecks;
import dev.multiproc.internal.shm.wait.WaitPointLayout;

/**
 * The body of a process bootstrap object: how a parent hands a target to a child JVM, cold
 * (created with the target in it) or warm (a spare JVM waiting for one). See
 * {@code spec/process-bootstrap.md}.
 *
 * <pre>
 *   0        4        8                 16                24                32
 *   +--------+--------+-----------------+-----------------+-----------------+
 *   | state  | daemon |   wait point    |   parent pid    | parent start    |
 *   +--------+--------+-----------------+-----------------+-----------------+
 *  32       36                         292      296       300                          556    560
 *   +--------+--------------------------+--------+---------+----------------------------+------+
 *   |name len| name, UTF-8 (256 bytes)  | ready  | parent  | parent's name, UTF-8 (256) | pad  |
 *   |        |                          |        | name len|                            |      |
 *   +--------+--------------------------+--------+---------+----------------------------+------+
 * 560               568               576
 *   +-----------------+-----------------+--------------------------------------------------------
 *   | payload capacity| payload length  | payload: the serialised target ... (capacity bytes)
 *   +-----------------+-----------------+--------------------------------------------------------
 * </pre>
 *
 * The parent's pid and start time are valid in the parent's PID namespace, which is the child's
 * (the parent spawned it): the child watches its parent with them.
 */
public final class BootstrapLayout {
    public static final long STATE_OFFSET = 0;
    public static final long DAEMON_OFFSET = 4;
    public static final long WAIT_POINT_OFFSET = 8;
    public static final long PARENT_PID_OFFSET = WAIT_POINT_OFFSET + WaitPointLayout.LENGTH;
    public static final long PARENT_START_TIME_OFFSET = PARENT_PID_OFFSET + 8;
    public static final long NAME_LENGTH_OFFSET = PARENT_START_TIME_OFFSET + 8;
    public static final long NAME_OFFSET = NAME_LENGTH_OFFSET + 4;
    public static final int NAME_CAPACITY = 256;
    /** Set to 1 by a spare JVM once it has booted and waits for a target. */
    public static final long SPARE_READY_OFFSET = NAME_OFFSET + NAME_CAPACITY;
    public static final long PARENT_NAME_LENGTH_OFFSET = SPARE_READY_OFFSET + 4;
    public static final long PARENT_NAME_OFFSET = PARENT_NAME_LENGTH_OFFSET + 4;
    public static final long PAYLOAD_CAPACITY_OFFSET = (PARENT_NAME_OFFSET + NAME_CAPACITY + 7) & -8L;
    public static final long PAYLOAD_LENGTH_OFFSET = PAYLOAD_CAPACITY_OFFSET + 8;
    public static final long PAYLOAD_OFFSET = PAYLOAD_LENGTH_OFFSET + 8;

    /** A spare JVM is waiting for a target. */
    public static final int STATE_SPARE = 1;
    /** The target is written; the child may read it. */
    public static final int STATE_TARGET_READY = 2;
    /** The child has read its target and runs it. */
    public static final int STATE_RUNNING = 3;
    /** The parent retired the spare: the child exits without running anything. */
    public static final int STATE_RETIRED = 4;

    static {
        LayoutChecks.of("BootstrapLayout")
                .field("state", STATE_OFFSET, Integer.BYTES)
                .field("daemon", DAEMON_OFFSET, Integer.BYTES)
                .field("wait point", WAIT_POINT_OFFSET, WaitPointLayout.LENGTH)
                .field("parent pid", PARENT_PID_OFFSET, Long.BYTES)
                .field("parent start time", PARENT_START_TIME_OFFSET, Long.BYTES)
                .field("name length", NAME_LENGTH_OFFSET, Integer.BYTES)
                .bytes("name", NAME_OFFSET, NAME_CAPACITY)
                .field("spare ready", SPARE_READY_OFFSET, Integer.BYTES)
                .field("parent name length", PARENT_NAME_LENGTH_OFFSET, Integer.BYTES)
                .bytes("parent name", PARENT_NAME_OFFSET, NAME_CAPACITY)
                .field("payload capacity", PAYLOAD_CAPACITY_OFFSET, Long.BYTES)
                .field("payload length", PAYLOAD_LENGTH_OFFSET, Long.BYTES)
                .field("payload", PAYLOAD_OFFSET, Long.BYTES);
    }

    private BootstrapLayout() {
    }

    /** Bytes of body for a payload of {@code payloadCapacity} bytes. */
    public static long bodySize(long payloadCapacity) {
        return PAYLOAD_OFFSET + payloadCapacity;
    }
}
