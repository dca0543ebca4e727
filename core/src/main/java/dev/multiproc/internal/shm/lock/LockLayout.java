package dev.multiproc.internal.shm.lock;

import dev.multiproc.internal.shm.LayoutChecks;
import dev.multiproc.internal.shm.wait.WaitPointLayout;

/**
 * The body of a lock object ({@code SharedLock} and {@code SharedReentrantLock}). See
 * {@code spec/lock.md}.
 *
 * <pre>
 *   0                 8                 16        20        24        32
 *   +-----------------+-----------------+---------+---------+---------+
 *   |   owner token   | owner thread id |  holds  |recovered|wait pt. |
 *   +-----------------+-----------------+---------+---------+---------+
 *  32                 40
 *   +-----------------+
 *   |  recoveries     |  how many times a dead owner's lock was taken over
 *   +-----------------+
 * </pre>
 */
public final class LockLayout {
    /** 0 when free; otherwise the holder's process token. */
    public static final long OWNER_OFFSET = 0;
    /** The holding thread's id within the owner process (reentrant locks; informative for others). */
    public static final long OWNER_THREAD_OFFSET = 8;
    /** Hold count of a reentrant lock; written by the holder only. */
    public static final long HOLDS_OFFSET = 16;
    /** 1 when the current hold was taken over from a dead owner. */
    public static final long RECOVERED_OFFSET = 20;
    public static final long WAIT_POINT_OFFSET = 24;
    public static final long RECOVERIES_OFFSET = WAIT_POINT_OFFSET + WaitPointLayout.LENGTH;
    public static final long LENGTH = RECOVERIES_OFFSET + 8;

    static {
        LayoutChecks.of("LockLayout")
                .field("owner", OWNER_OFFSET, Long.BYTES)
                .field("owner thread", OWNER_THREAD_OFFSET, Long.BYTES)
                .field("holds", HOLDS_OFFSET, Integer.BYTES)
                .field("recovered", RECOVERED_OFFSET, Integer.BYTES)
                .field("wait point", WAIT_POINT_OFFSET, WaitPointLayout.LENGTH)
                .field("recoveries", RECOVERIES_OFFSET, Long.BYTES)
                .within(LENGTH);
    }

    private LockLayout() {
    }
}
