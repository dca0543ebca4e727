package dev.multiproc.internal.shm.queue;

import dev.multiproc.internal.shm.LayoutChecks;
import dev.multiproc.internal.shm.table.ParticipantTableLayout;
import dev.multiproc.internal.shm.wait.WaitPointLayout;

/**
 * The body of a bounded queue: slots with per-slot sequence numbers (after Dmitry Vyukov's
 * bounded MPMC queue), a mode saying whether producers and consumers may be many or only one
 * each, the thread that holds a single side, a table of each thread's intent so that
 * a slot claimed by a thread that died can be told from one that is merely slow, and the
 * counters of a joinable queue. See {@code spec/queue.md}.
 *
 * <pre>
 *     0          4           8          12         16                   24         28         32         40    64
 *     +----------+-----------+----------+----------+--------------------+----------+----------+----------+-----+
 *     | capacity | slot data | joinable |   mode   | max message bytes  | producer | consumer | intents  |     |
 *     |          |           |          |          |                    |   role   |   role   | used     |     |
 *     +----------+-----------+----------+----------+--------------------+----------+----------+----------+-----+
 *    64                       192                      320            384            448
 *     +------------------------+------------------------+--------------+--------------+
 *     | tail (enqueue position)| head (dequeue position)| not-empty    | not-full     |
 *     | own 128 bytes          | own 128 bytes          | wait point   | wait point   |
 *     +------------------------+------------------------+--------------+--------------+
 *   448          456          464           472        480        488          496          504         512
 *     +------------+------------+-------------+----------+----------+------------+------------+-----------+
 *     | all-done   | skipped    | skipped     | done     | spills   | producer   | consumer   | waited    |
 *     | wait point | now        | total       |          |          | waits      | waits      | nanos     |
 *     +------------+------------+-------------+----------+----------+------------+------------+-----------+
 *   512
 *     +-----------------------------------------------------------------------------+
 *     | consumers' debts: participant table (262,208 bytes), joinable queues         |
 *     +-----------------------------------------------------------------------------+
 * 262720
 *     +-----------------------------------------------------------------------------+
 *     | intent table: 2,048 entries, one cache line each (token, intent)            |
 *     +-----------------------------------------------------------------------------+
 * 393792
 *     +-----------------------------------------------------------------------------+
 *     | slots: capacity x slot length (a whole number of cache lines)               |
 *     | 0: sequence (8) | 8: length (4) | 12: flags (4) | 16: data (slot data bytes)|
 *     | flags: bits 0-7 kind (inline, spilled), bits 8-15 times delivered again     |
 *     +-----------------------------------------------------------------------------+
 * </pre>
 *
 * Every field that one side writes often sits on cache lines of its own: the tail (producers),
 * the head (consumers), each wait point (read by every publish and every release), and each
 * thread's intent. The first line is written only at creation and when a single side changes
 * hands, so every operation may read its mode and roles.
 */
public final class QueueLayout {
    public static final long CACHE_LINE = 64;

    public static final long CAPACITY_OFFSET = 0;
    public static final long SLOT_DATA_OFFSET_FIELD = 4;
    public static final long JOINABLE_OFFSET = 8;
    /** {@link #MODE_MPMC}, {@link #MODE_MPSC} or {@link #MODE_SPSC}. */
    public static final long MODE_OFFSET = 12;
    /** The largest message the queue accepts (and a consumer reads). */
    public static final long MAX_MESSAGE_OFFSET = 16;
    /** The intent entry + 1 of the thread that is the only producer (single-producer modes); 0: none yet. */
    public static final long PRODUCER_ROLE_OFFSET = 24;
    /** The intent entry + 1 of the thread that is the only consumer (single-consumer modes); 0: none yet. */
    public static final long CONSUMER_ROLE_OFFSET = 28;
    /** How many intent entries have ever been used (the high-water mark): scans of the table stop there. */
    public static final long INTENTS_USED_OFFSET = 32;
    public static final long TAIL_OFFSET = CACHE_LINE;
    public static final long HEAD_OFFSET = TAIL_OFFSET + 2 * CACHE_LINE;
    public static final long NOT_EMPTY_OFFSET = HEAD_OFFSET + 2 * CACHE_LINE;
    public static final long NOT_FULL_OFFSET = NOT_EMPTY_OFFSET + CACHE_LINE;
    public static final long ALL_DONE_OFFSET = NOT_FULL_OFFSET + CACHE_LINE;
    /** Positions between head and tail published as skipped: claimed, but holding no message. */
    public static final long SKIPPED_NOW_OFFSET = ALL_DONE_OFFSET + WaitPointLayout.LENGTH;
    /** Every position ever published as skipped (a joinable queue counts its tasks with it). */
    public static final long SKIPPED_TOTAL_OFFSET = SKIPPED_NOW_OFFSET + Long.BYTES;
    /** {@code taskDone()} calls, plus tasks lost with consumers that died (joinable queues). */
    public static final long DONE_OFFSET = SKIPPED_TOTAL_OFFSET + Long.BYTES;
    /** Messages written into spill objects (for metrics; counted on the spill path only). */
    public static final long SPILLS_OFFSET = DONE_OFFSET + Long.BYTES;
    /** Puts that found the queue full and had to wait (counted only when a wait begins). */
    public static final long PRODUCER_WAITS_OFFSET = SPILLS_OFFSET + Long.BYTES;
    /** Takes that found the queue empty and had to wait. */
    public static final long CONSUMER_WAITS_OFFSET = PRODUCER_WAITS_OFFSET + Long.BYTES;
    /** Nanoseconds all those waits took together. */
    public static final long WAITED_NANOS_OFFSET = CONSUMER_WAITS_OFFSET + Long.BYTES;
    /** Per consumer process: messages taken and not yet marked done (joinable queues). */
    public static final long DEBTS_OFFSET = ALL_DONE_OFFSET + CACHE_LINE;
    public static final long INTENTS_OFFSET = DEBTS_OFFSET + ParticipantTableLayout.LENGTH;
    /**
     * Entries of the intent table (64 bytes each): the processes that can use a queue at once.
     * Fewer than the liveness registry's 16,384, so that a queue stays a few hundred KiB.
     */
    public static final int INTENT_ENTRIES = 2_048;
    public static final long INTENT_ENTRY_LENGTH = CACHE_LINE;
    public static final long INTENT_TOKEN_OFFSET = 0;
    public static final long INTENT_POSITION_OFFSET = 8;
    public static final long SLOTS_OFFSET = INTENTS_OFFSET + INTENT_ENTRIES * INTENT_ENTRY_LENGTH;

    public static final long SLOT_SEQUENCE_OFFSET = 0;
    public static final long SLOT_LENGTH_OFFSET = 8;
    public static final long SLOT_FLAGS_OFFSET = 12;
    public static final long SLOT_DATA_OFFSET = 16;

    /** Any number of producers and consumers: both sides claim positions with a CAS. */
    public static final int MODE_MPMC = 0;
    /** Any number of producers, one consumer thread at a time: the consumer moves the head with a release store. */
    public static final int MODE_MPSC = 1;
    /** One producer thread and one consumer thread at a time: neither side takes a CAS. */
    public static final int MODE_SPSC = 2;

    /** The slot holds the message itself. */
    public static final int FLAG_INLINE = 0;
    /** The slot holds the name of a spill object with the message (too big for the slot). */
    public static final int FLAG_SPILLED = 1;
    /** The bits of a slot's flags that say how the message is held ({@link #FLAG_INLINE}, {@link #FLAG_SPILLED}). */
    public static final int FLAG_KIND_MASK = 0xFF;
    /**
     * Where a slot's flags count the consumers that died holding its message (bits 8 to 15): each
     * such death delivers the message again, until it has cost {@link #MAX_REDELIVERIES} consumers.
     */
    public static final int REDELIVERIES_SHIFT = 8;
    /**
     * How many times a message is delivered again after its consumer died holding it; at the next
     * such death it is dropped, so that a message that kills whoever reads it does not go round for ever.
     */
    public static final int MAX_REDELIVERIES = 3;

    /**
     * Set in a published sequence ({@code position + 1}) when the slot holds nothing: its producer
     * aborted, or died before committing and a consumer skipped it. One CAS publishes it, so a
     * recoverer writes nothing into a slot it has not claimed.
     */
    public static final long SKIPPED = 1L << 62;

    /** An intent naming no position. */
    public static final long NO_INTENT = -1;
    /** Set in a consumer's intent (a producer's has it clear). */
    public static final long CONSUMER_INTENT = 1L << 62;

    public static final int DEFAULT_CAPACITY = 4096;
    public static final int DEFAULT_SLOT_DATA = 240;
    /** Enough for a spill object's name. */
    public static final int MIN_SLOT_DATA = 112;
    /** The most slots a queue has: positions stay far below {@link #SKIPPED} for centuries at any rate. */
    public static final int MAX_CAPACITY = 1 << 28;

    static {
        LayoutChecks.of("QueueLayout")
                .field("capacity", CAPACITY_OFFSET, Integer.BYTES)
                .field("slot data", SLOT_DATA_OFFSET_FIELD, Integer.BYTES)
                .field("joinable", JOINABLE_OFFSET, Integer.BYTES)
                .field("mode", MODE_OFFSET, Integer.BYTES)
                .field("max message", MAX_MESSAGE_OFFSET, Long.BYTES)
                .field("producer role", PRODUCER_ROLE_OFFSET, Integer.BYTES)
                .field("consumer role", CONSUMER_ROLE_OFFSET, Integer.BYTES)
                .field("intents used", INTENTS_USED_OFFSET, Long.BYTES)
                .ownLines("tail", TAIL_OFFSET, Long.BYTES, CACHE_LINE, 2)
                .ownLines("head", HEAD_OFFSET, Long.BYTES, CACHE_LINE, 2)
                .ownLines("not-empty", NOT_EMPTY_OFFSET, WaitPointLayout.LENGTH, CACHE_LINE, 1)
                .ownLines("not-full", NOT_FULL_OFFSET, WaitPointLayout.LENGTH, CACHE_LINE, 1)
                .field("all-done", ALL_DONE_OFFSET, WaitPointLayout.LENGTH)
                .field("skipped now", SKIPPED_NOW_OFFSET, Long.BYTES)
                .field("skipped total", SKIPPED_TOTAL_OFFSET, Long.BYTES)
                .field("done", DONE_OFFSET, Long.BYTES)
                .field("spills", SPILLS_OFFSET, Long.BYTES)
                .field("producer waits", PRODUCER_WAITS_OFFSET, Long.BYTES)
                .field("consumer waits", CONSUMER_WAITS_OFFSET, Long.BYTES)
                .field("waited nanos", WAITED_NANOS_OFFSET, Long.BYTES)
                .ownLines("debts", DEBTS_OFFSET, ParticipantTableLayout.LENGTH, CACHE_LINE, 1)
                .ownLines("intents", INTENTS_OFFSET, INTENT_ENTRIES * INTENT_ENTRY_LENGTH, CACHE_LINE, 1)
                .ownLines("slots", SLOTS_OFFSET, SLOT_DATA_OFFSET, CACHE_LINE, 1);
        LayoutChecks.of("QueueLayout slot")
                .field("sequence", SLOT_SEQUENCE_OFFSET, Long.BYTES)
                .field("length", SLOT_LENGTH_OFFSET, Integer.BYTES)
                .field("flags", SLOT_FLAGS_OFFSET, Integer.BYTES)
                .within(SLOT_DATA_OFFSET);
    }

    private QueueLayout() {
    }

    /** Bytes per slot: header and data, rounded up to a cache line. */
    public static long slotLength(int slotData) {
        return (SLOT_DATA_OFFSET + slotData + CACHE_LINE - 1) & -CACHE_LINE;
    }

    /**
     * Slots in the ring of a queue of {@code capacity} messages: the capacity, but at least two,
     * because with one slot "published" (sequence p + 1) and "given back" (p + slots) would be
     * the same number.
     */
    public static int slotCount(int capacity) {
        return Math.max(2, capacity);
    }

    public static long length(int capacity, int slotData) {
        return SLOTS_OFFSET + slotCount(capacity) * slotLength(slotData);
    }

    public static long intentOffset(int entry) {
        return INTENTS_OFFSET + entry * INTENT_ENTRY_LENGTH;
    }
}
