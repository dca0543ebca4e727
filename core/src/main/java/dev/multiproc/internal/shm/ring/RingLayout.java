package dev.multiproc.internal.shm.ring;

import dev.multiproc.internal.shm.LayoutChecks;
import dev.multiproc.internal.shm.wait.WaitPointLayout;

/**
 * A single-producer single-consumer ring of variable-length records (one direction of a
 * pipe), after Agrona's {@code RingBufferDescriptor}. See {@code spec/pipe.md}.
 *
 * <pre>
 *   0            8                           128          136                      192
 *   +------------+---------------------------+------------+------------------------+
 *   | tail       |  (producer's cache lines) | head       |  (consumer's)          |
 *   +------------+---------------------------+------------+------------------------+
 * 192            200            208                                               256
 *   +------------+--------------+-------------------------------------------------+
 *   | readable   | writable     |                                                 |
 *   | wait point | wait point   |                                                 |
 *   +------------+--------------+-------------------------------------------------+
 * 256
 *   +-----------------------------------------------------------------------------+
 *   | records ... (capacity bytes, a power of two)                                |
 *   +-----------------------------------------------------------------------------+
 * </pre>
 *
 * Head and tail are 128 bytes apart so that the two sides' adjacent-line prefetches do not
 * share. A record is a 16-byte header (its own position plus one, the payload's length,
 * flags) and the payload, padded to a multiple of 16. The consumer learns that a record is
 * there from the position in its header, not from the tail: the record's own cache line is the
 * only one that moves from producer to consumer. A record never wraps: the producer writes a
 * padding record to the end of the ring instead. A message larger than {@link #maxFragment}
 * travels as several records.
 */
public final class RingLayout {
    /** The producer's position; read by the consumer only for listings, never to find records. */
    public static final long TAIL_OFFSET = 0;
    public static final long HEAD_OFFSET = 128;
    /** The consumer sleeps here while the ring is empty. */
    public static final long READABLE_WAIT_POINT_OFFSET = 192;
    /** The producer sleeps here while the ring is full. */
    public static final long WRITABLE_WAIT_POINT_OFFSET = 200;
    public static final long DATA_OFFSET = 256;

    public static final int RECORD_HEADER_LENGTH = 16;
    /** The record's position plus one (never 0, so zeroed memory holds no record); written last. */
    public static final long RECORD_TAG_OFFSET = 0;
    public static final long RECORD_LENGTH_OFFSET = 8;
    public static final long RECORD_FLAGS_OFFSET = 12;
    /** Records start at multiples of 16, so any gap before the end of the ring fits a padding header. */
    public static final int RECORD_ALIGNMENT = 16;

    /** First record of a message. */
    public static final int FLAG_BEGIN = 1;
    /** Last record of a message (a whole message in one record has both). */
    public static final int FLAG_END = 2;
    /** Filler up to the end of the ring; carries no data. */
    public static final int FLAG_PADDING = 4;

    public static final int MIN_CAPACITY = 4096;

    static {
        LayoutChecks.of("RingLayout")
                .ownLines("tail", TAIL_OFFSET, Long.BYTES, 64, 2)
                .ownLines("head", HEAD_OFFSET, Long.BYTES, 64, 1)
                .field("readable wait point", READABLE_WAIT_POINT_OFFSET, WaitPointLayout.LENGTH)
                .field("writable wait point", WRITABLE_WAIT_POINT_OFFSET, WaitPointLayout.LENGTH)
                .within(DATA_OFFSET);
        LayoutChecks.of("RingLayout record")
                .field("tag", RECORD_TAG_OFFSET, Long.BYTES)
                .field("length", RECORD_LENGTH_OFFSET, Integer.BYTES)
                .field("flags", RECORD_FLAGS_OFFSET, Integer.BYTES)
                .within(RECORD_HEADER_LENGTH);
    }

    private RingLayout() {
    }

    /** Bytes one ring takes, header included. */
    public static long length(int capacity) {
        return DATA_OFFSET + capacity;
    }

    /** The largest payload one record carries: a quarter of the ring, so that big messages stream. */
    public static int maxFragment(int capacity) {
        return capacity / 4 - RECORD_HEADER_LENGTH;
    }

    public static int recordLength(int payloadLength) {
        return align(RECORD_HEADER_LENGTH + payloadLength);
    }

    public static int align(int length) {
        return (length + RECORD_ALIGNMENT - 1) & -RECORD_ALIGNMENT;
    }

    /** The capacity actually used for a requested size: a power of two, at least {@link #MIN_CAPACITY}. */
    public static int capacityFor(int requested) {
        if (requested <= MIN_CAPACITY) {
            return MIN_CAPACITY;
        }
        int capacity = Integer.highestOneBit(requested);
        return capacity == requested ? capacity : capacity << 1;
    }
}
