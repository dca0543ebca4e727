package dev.multiproc.internal.shm.semaphore;

import dev.multiproc.internal.shm.LayoutChecks;
import dev.multiproc.internal.shm.table.ParticipantTableLayout;
import dev.multiproc.internal.shm.wait.WaitPointLayout;

/**
 * The body of a semaphore: a futex-word permit count (faster than {@code sem_open} on every
 * path we measured, see {@code spec/semaphore.md}) and a table of the permits each process
 * holds, so that the permits of a process that died can be given back.
 *
 * <pre>
 *   0         4         8          16        20        24                32
 *   +---------+---------+----------+---------+---------+-----------------+
 *   | permits |  bound  | wait pt. | recover | initial | recovered total |
 *   |         |         |          |         | permits |                 |
 *   +---------+---------+----------+---------+---------+-----------------+
 *  32
 *   +--------------------------------------------------------------------+
 *   | participant table: (process token, permits it holds) x 16,384      |
 *   +--------------------------------------------------------------------+
 * </pre>
 */
public final class SemaphoreLayout {
    public static final long PERMITS_OFFSET = 0;
    /** 0: unbounded; otherwise the most permits the semaphore may hold (a bounded semaphore). */
    public static final long BOUND_OFFSET = 4;
    public static final long WAIT_POINT_OFFSET = 8;
    /** 1: waiters give back a dead holder's permits by themselves. */
    public static final long RECOVER_OFFSET = WAIT_POINT_OFFSET + WaitPointLayout.LENGTH;
    /** The permits it was made with (what opening it by name compares), never changed. */
    public static final long INITIAL_PERMITS_OFFSET = 20;
    public static final long RECOVERED_TOTAL_OFFSET = 24;
    public static final long HOLDERS_OFFSET = 32;
    public static final long LENGTH = HOLDERS_OFFSET + ParticipantTableLayout.LENGTH;

    static {
        LayoutChecks.of("SemaphoreLayout")
                .field("permits", PERMITS_OFFSET, Integer.BYTES)
                .field("bound", BOUND_OFFSET, Integer.BYTES)
                .field("wait point", WAIT_POINT_OFFSET, WaitPointLayout.LENGTH)
                .field("recover", RECOVER_OFFSET, Integer.BYTES)
                .field("initial permits", INITIAL_PERMITS_OFFSET, Integer.BYTES)
                .field("recovered total", RECOVERED_TOTAL_OFFSET, Long.BYTES)
                .field("holders", HOLDERS_OFFSET, ParticipantTableLayout.LENGTH)
                .within(LENGTH);
    }

    private SemaphoreLayout() {
    }
}
