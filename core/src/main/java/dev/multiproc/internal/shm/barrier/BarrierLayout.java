package dev.multiproc.internal.shm.barrier;

import dev.multiproc.internal.shm.LayoutChecks;
import dev.multiproc.internal.shm.table.ParticipantTableLayout;
import dev.multiproc.internal.shm.wait.WaitPointLayout;

/**
 * The body of a barrier. See {@code spec/barrier.md}.
 *
 * <pre>
 *   0         4              8                                      16
 *   +---------+--------------+--------------------------------------+
 *   | parties | broken gen+1 | state: generation | broken | arrived |
 *   +---------+--------------+--------------------------------------+
 *  16                24
 *   +-----------------+----------------------------------------------+
 *   |   wait point    | participant table: (token, handles) x 16,384 |
 *   +-----------------+----------------------------------------------+
 * </pre>
 *
 * The state word: generation in the high 32 bits, the broken flag in bit 31, the number of
 * parties arrived in the current generation in the low 31 bits.
 */
public final class BarrierLayout {
    public static final long PARTIES_OFFSET = 0;
    /** The generation a reset broke, plus one (0: none): its waiters see the break after the generation moved on. */
    public static final long RESET_BROKEN_OFFSET = 4;
    public static final long STATE_OFFSET = 8;
    public static final long WAIT_POINT_OFFSET = 16;
    public static final long PARTICIPANTS_OFFSET = 24;
    public static final long LENGTH = PARTICIPANTS_OFFSET + ParticipantTableLayout.LENGTH;

    public static final long BROKEN_BIT = 1L << 31;
    public static final long ARRIVED_MASK = BROKEN_BIT - 1;

    static {
        LayoutChecks.of("BarrierLayout")
                .field("parties", PARTIES_OFFSET, Integer.BYTES)
                .field("reset broken", RESET_BROKEN_OFFSET, Integer.BYTES)
                .field("state", STATE_OFFSET, Long.BYTES)
                .field("wait point", WAIT_POINT_OFFSET, WaitPointLayout.LENGTH)
                .field("participants", PARTICIPANTS_OFFSET, ParticipantTableLayout.LENGTH)
                .within(LENGTH);
    }

    private BarrierLayout() {
    }
}
