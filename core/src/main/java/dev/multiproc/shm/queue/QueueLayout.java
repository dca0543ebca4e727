package dev.multiproc.shm.queue;

import dev.multiproc.shm.wait.WaitPointLayout;

/**
 * The body of a multi-producer multi-consumer queue: bounded, slots with per-slot sequence
 * numbers (after Dmitry Vyukov's bounded MPMC queue), a table of each thread's intent so that
 * a slot claimed by a thread that died can be told from one that is merely slow, and the
 * counters of a joinable queue. See {@code spec/queue.md}.
 *
 * <pre>
 *    0          4           8          12                                               64
 *    +----------+-----------+----------+------------------------------------------------+
 *    | capacity | slot data | joinable |                                                |
 *    +----------+-----------+----------+------------------------------------------------+
 *   64                  192                 320          328         336         344    352
 *    +-------------------+-------------------+------------+-----------+-----------+------+
 *    | tail (enqueue pos)| head (dequeue pos)| not-empty  | not-full  | all-done  |      |
 *    | own 128 bytes     | own 128 bytes     | wait point | wait point| wait point|      |
 *    +-------------------+-------------------+------------+-----------+-----------+------+
 *  352                 360                 368                                      512
 *    +-------------------+-------------------+--------------------------------------+
 *    | unfinished tasks  | skipped slots     |                                      |
 *    +-------------------+-------------------+--------------------------------------+
 *  512
 *    +----------------------------------------------------------------------------------+
 *    | intent table: 128 entries of 64 bytes (token, intent)                            |
 *    +----------------------------------------------------------------------------------+
 *  8704
 *    +----------------------------------------------------------------------------------+
 *    | slots: capacity x slot length                                                    |
 *    |   0: sequence (8) | 8: length (4) | 12: flags (4) | 16: data (slot data bytes)   |
 *    +----------------------------------------------------------------------------------+
 * </pre>
 */
public final class QueueLayout {
    public static final long CAPACITY_OFFSET = 0;
    public static final long SLOT_DATA_OFFSET_FIELD = 4;
    public static final long JOINABLE_OFFSET = 8;
    public static final long TAIL_OFFSET = 64;
    public static final long HEAD_OFFSET = 192;
    public static final long NOT_EMPTY_OFFSET = 320;
    public static final long NOT_FULL_OFFSET = NOT_EMPTY_OFFSET + WaitPointLayout.LENGTH;
    public static final long ALL_DONE_OFFSET = NOT_FULL_OFFSET + WaitPointLayout.LENGTH;
    public static final long UNFINISHED_OFFSET = 352;
    /** Slots published as skipped and not yet passed by a consumer: claimed, but no message. */
    public static final long SKIPPED_OFFSET = 360;
    public static final long INTENTS_OFFSET = 512;
    public static final int INTENT_ENTRIES = 128;
    public static final long INTENT_ENTRY_LENGTH = 64;
    public static final long INTENT_TOKEN_OFFSET = 0;
    public static final long INTENT_POSITION_OFFSET = 8;
    public static final long SLOTS_OFFSET = INTENTS_OFFSET + INTENT_ENTRIES * INTENT_ENTRY_LENGTH;

    public static final long SLOT_SEQUENCE_OFFSET = 0;
    public static final long SLOT_LENGTH_OFFSET = 8;
    public static final long SLOT_FLAGS_OFFSET = 12;
    public static final long SLOT_DATA_OFFSET = 16;

    /** The slot holds the message itself. */
    public static final int FLAG_INLINE = 0;
    /** The slot holds the name of a spill object with the message (too big for the slot). */
    public static final int FLAG_SPILLED = 1;
    /** The slot holds nothing: its producer aborted, or died before committing. */
    public static final int FLAG_SKIPPED = 2;

    /** An intent naming no position. */
    public static final long NO_INTENT = -1;
    /** Set in a consumer's intent (a producer's has it clear). */
    public static final long CONSUMER_INTENT = 1L << 62;

    public static final int DEFAULT_CAPACITY = 4096;
    public static final int DEFAULT_SLOT_DATA = 240;
    /** Enough for a spill object's name. */
    public static final int MIN_SLOT_DATA = 112;

    private QueueLayout() {
    }

    /** Bytes per slot: header and data, rounded up to a cache line. */
    public static long slotLength(int slotData) {
        return (SLOT_DATA_OFFSET + slotData + 63) & ~63L;
    }

    public static long length(int capacity, int slotData) {
        return SLOTS_OFFSET + capacity * slotLength(slotData);
    }

    public static long intentOffset(int entry) {
        return INTENTS_OFFSET + entry * INTENT_ENTRY_LENGTH;
    }
}
