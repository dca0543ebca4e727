package dev.multiproc.internal.shm.table;

import dev.multiproc.internal.shm.LayoutChecks;

/**
 * A fixed table of (process token, count) slots that a structure embeds to remember which
 * processes take part and how much each holds: a semaphore counts the permits each process
 * holds, a barrier the handles each process has open. See {@code spec/participant-table.md}.
 *
 * <pre>
 *   0                 8                 16
 *   +-----------------+-----------------+
 *   |  token, slot 0  |  count, slot 0  |   token 0 = free slot
 *   +-----------------+-----------------+
 *   |  token, slot 1  |  count, slot 1  |
 *   +-----------------+-----------------+
 *   |       ...       |       ...       |   SLOTS slots
 *   +-----------------+-----------------+
 * </pre>
 */
public final class ParticipantTableLayout {
    public static final int SLOTS = 64;
    public static final long SLOT_LENGTH = 16;
    public static final long TOKEN_OFFSET = 0;
    public static final long COUNT_OFFSET = 8;
    public static final long LENGTH = SLOTS * SLOT_LENGTH;

    static {
        LayoutChecks.of("ParticipantTableLayout slot")
                .field("token", TOKEN_OFFSET, Long.BYTES)
                .field("count", COUNT_OFFSET, Long.BYTES)
                .within(SLOT_LENGTH);
    }

    private ParticipantTableLayout() {
    }

    public static long slotOffset(int slot) {
        return slot * SLOT_LENGTH;
    }
}
