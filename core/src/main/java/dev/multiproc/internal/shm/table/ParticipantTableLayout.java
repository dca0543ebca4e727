package dev.multiproc.internal.shm.table;

import dev.multiproc.internal.shm.LayoutChecks;

/**
 * A table of (process token, count) slots that a structure embeds to remember which processes
 * take part and how much each holds: a semaphore counts the permits each process holds, a
 * barrier the handles each process has open, a joinable queue what each consumer process owes.
 * Slots are used from the first up; the high-water mark says how many have ever been used, so
 * that a scan reads no further than the most participants the structure has had at once. See
 * {@code spec/participant-table.md}.
 *
 * <pre>
 *   0                 8                                 64
 *   +-----------------+---------------------------------+
 *   | slots ever used | (padding to a cache line)       |   high-water mark, 0..SLOTS
 *   +-----------------+-----------------+---------------+
 *   |  token, slot 0  |  count, slot 0  |   64: token 0 = free slot
 *   +-----------------+-----------------+
 *   |  token, slot 1  |  count, slot 1  |
 *   +-----------------+-----------------+
 *   |       ...       |       ...       |   SLOTS slots
 *   +-----------------+-----------------+
 * </pre>
 */
public final class ParticipantTableLayout {
    /** As many processes as the liveness registry of one user holds at once. */
    public static final int SLOTS = 16_384;
    public static final long HIGH_WATER_OFFSET = 0;
    public static final long SLOTS_OFFSET = 64;
    public static final long SLOT_LENGTH = 16;
    public static final long TOKEN_OFFSET = 0;
    public static final long COUNT_OFFSET = 8;
    public static final long LENGTH = SLOTS_OFFSET + SLOTS * SLOT_LENGTH;

    static {
        LayoutChecks.of("ParticipantTableLayout slot")
                .field("token", TOKEN_OFFSET, Long.BYTES)
                .field("count", COUNT_OFFSET, Long.BYTES)
                .within(SLOT_LENGTH);
        LayoutChecks.of("ParticipantTableLayout")
                .field("high-water mark", HIGH_WATER_OFFSET, Long.BYTES)
                .field("slots", SLOTS_OFFSET, SLOTS * SLOT_LENGTH)
                .within(LENGTH);
    }

    private ParticipantTableLayout() {
    }

    public static long slotOffset(int slot) {
        return SLOTS_OFFSET + slot * SLOT_LENGTH;
    }
}
