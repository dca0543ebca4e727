package dev.multiproc.internal.shm.condition;

import dev.multiproc.internal.shm.LayoutChecks;
import dev.multiproc.internal.shm.wait.WaitPointLayout;

/**
 * The body of a condition object: which lock it belongs to, and who waits or has been
 * signalled. See {@code spec/condition.md}.
 *
 * <pre>
 *   0                                 8            16          20          24
 *   +---------------------------------+------------+-----------+-----------+------------------------------+
 *   | waiting (hi 32) | permits (lo 32)| wait point | lock kind | name len  | lock name, UTF-8 (256 bytes) |
 *   +---------------------------------+------------+-----------+-----------+------------------------------+
 * </pre>
 */
public final class ConditionLayout {
    /** One word, changed only by CAS: threads waiting and not yet signalled (high half), signals not yet taken (low half). */
    public static final long STATE_OFFSET = 0;
    public static final long WAIT_POINT_OFFSET = 8;
    /** The header kind code of the lock (a lock or a reentrant lock). */
    public static final long LOCK_KIND_OFFSET = WAIT_POINT_OFFSET + WaitPointLayout.LENGTH;
    public static final long LOCK_NAME_LENGTH_OFFSET = LOCK_KIND_OFFSET + 4;
    public static final long LOCK_NAME_OFFSET = LOCK_NAME_LENGTH_OFFSET + 4;
    public static final int LOCK_NAME_CAPACITY = 256;
    public static final long LENGTH = LOCK_NAME_OFFSET + LOCK_NAME_CAPACITY;

    static {
        LayoutChecks.of("ConditionLayout")
                .field("state", STATE_OFFSET, Long.BYTES)
                .field("wait point", WAIT_POINT_OFFSET, WaitPointLayout.LENGTH)
                .field("lock kind", LOCK_KIND_OFFSET, Integer.BYTES)
                .field("lock name length", LOCK_NAME_LENGTH_OFFSET, Integer.BYTES)
                .bytes("lock name", LOCK_NAME_OFFSET, LOCK_NAME_CAPACITY)
                .within(LENGTH);
    }

    private ConditionLayout() {
    }
}
