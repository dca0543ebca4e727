package dev.multiproc.internal.shm.map;

import dev.multiproc.internal.shm.lock.LockLayout;

import java.nio.ByteOrder;

/**
 * The body of a shared map (and of a shared list, which is a one-stripe map keyed by index):
 * a small header, then stripes, each with its own lock, a sequence-lock version for lock-free
 * readers, and two halves (bucket table and record area) of which one is active; compaction
 * copies the live records into the other half and switches. See {@code spec/map.md}.
 *
 * <pre>
 * body:    0: stripes (4) | 4: entries per stripe (4) | 8: buckets per stripe (4) | 16: record bytes per half (8)
 *          24: max entries (8) | 64: stripe 0 | stripe 1 | ...
 *
 * stripe:  0                   64                128      132     136        144            152            160
 *          +-------------------+-----------------+--------+-------+----------+--------------+--------------+
 *          | lock (LockLayout) | version (seq)   | active | count | tombst.  | top, half 0  | top, half 1  |
 *          +-------------------+-----------------+--------+-------+----------+--------------+--------------+
 *        160            168            176            184       192                                256
 *          +--------------+--------------+--------------+---------+----------------------------------+
 *          | undo target  | undo length  | list move    | (pad)   | undo bytes (the value replaced)  |
 *          +--------------+--------------+--------------+---------+----------------------------------+
 *        256: buckets, half 0 (8 bytes each: 0 empty, 1 removed, else record offset + 2)
 *             buckets, half 1
 *             records, half 0: [key length (4) | value length (4) | hash (8) | key | value], 8-aligned
 *             records, half 1  (record bytes per half is a multiple of 8, so half 1 stays aligned)
 * </pre>
 */
public final class MapLayout {
    public static final long STRIPES_OFFSET = 0;
    public static final long ENTRIES_PER_STRIPE_OFFSET = 4;
    public static final long BUCKETS_OFFSET_FIELD = 8;
    public static final long RECORD_BYTES_OFFSET = 16;
    public static final long MAX_ENTRIES_OFFSET = 24;
    public static final long STRIPES_START = 64;

    public static final long LOCK_OFFSET = 0;
    public static final long VERSION_OFFSET = 64;
    public static final long ACTIVE_OFFSET = 128;
    public static final long COUNT_OFFSET = 132;
    public static final long TOMBSTONES_OFFSET = 136;
    public static final long TOPS_OFFSET = 144;
    /** Where in the stripe the value being replaced in place starts; 0 when no replacement is under way. */
    public static final long UNDO_TARGET_OFFSET = 160;
    /** The replaced value's length. */
    public static final long UNDO_LENGTH_OFFSET = 168;
    /**
     * A list's element moves under way: 0, or {@link #listMove} of the first index still to move
     * down one place and the last index, whose key goes once they have moved.
     */
    public static final long LIST_MOVE_OFFSET = 176;
    public static final long NO_LIST_MOVE = 0;
    /** A copy of the replaced value, for the repair of a writer that died part-way. */
    public static final long UNDO_BYTES_OFFSET = 192;
    /** The longest value replaced in place; a longer one goes into a new record. */
    public static final int UNDO_CAPACITY = 64;
    public static final long BUCKETS_START = UNDO_BYTES_OFFSET + UNDO_CAPACITY;

    /** The most buckets a stripe has (what {@code MapOptions} can ask for). */
    public static final int MAX_BUCKETS = 1 << 29;

    public static final long EMPTY = 0;
    public static final long REMOVED = 1;
    public static final long POINTER_BIAS = 2;

    public static final long RECORD_KEY_LENGTH = 0;
    public static final long RECORD_VALUE_LENGTH = 4;
    /** The key and value lengths together: one aligned 8-byte word, read in the machine's byte order. */
    public static final long RECORD_LENGTHS = RECORD_KEY_LENGTH;
    public static final long RECORD_HASH = 8;
    public static final long RECORD_HEADER = 16;

    static {
        if (LockLayout.LENGTH > VERSION_OFFSET) {
            throw new AssertionError("a stripe's lock overlaps its version");
        }
    }

    private MapLayout() {
    }

    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    /** The key length of a record's {@link #RECORD_LENGTHS} word. */
    public static int keyLength(long lengths) {
        return (int) (LITTLE_ENDIAN ? lengths : lengths >>> 32);
    }

    /** The value length of a record's {@link #RECORD_LENGTHS} word. */
    public static int valueLength(long lengths) {
        return (int) (LITTLE_ENDIAN ? lengths >>> 32 : lengths);
    }

    /** The {@link #RECORD_LENGTHS} word of a record whose key and value have these lengths. */
    public static long lengths(int keyLength, int valueLength) {
        long key = Integer.toUnsignedLong(keyLength);
        long value = Integer.toUnsignedLong(valueLength);
        return LITTLE_ENDIAN ? value << 32 | key : key << 32 | value;
    }

    /** Records start on this boundary (their lengths and hash are read as aligned longs). */
    public static final long RECORD_ALIGNMENT = 8;

    public static long recordLength(int keyLength, int valueLength) {
        return alignRecord(RECORD_HEADER + keyLength + valueLength);
    }

    /** {@code bytes} rounded up to a whole number of record alignments. */
    public static long alignRecord(long bytes) {
        return (bytes + RECORD_ALIGNMENT - 1) & -RECORD_ALIGNMENT;
    }

    /**
     * The list move word for "move the elements at {@code from} … {@code last} down one place, in
     * that order, then remove key {@code last}"; {@code from} ≥ 1, so the word is never
     * {@link #NO_LIST_MOVE}.
     */
    public static long listMove(int from, int last) {
        return (long) from << 32 | Integer.toUnsignedLong(last);
    }

    public static int listMoveFrom(long move) {
        return (int) (move >>> 32);
    }

    public static int listMoveLast(long move) {
        return (int) move;
    }

    public static long stripeLength(int buckets, long recordBytes) {
        return (BUCKETS_START + 2L * buckets * Long.BYTES + 2 * recordBytes + 63) & ~63L;
    }

    public static long length(int stripes, int buckets, long recordBytes) {
        return STRIPES_START + stripes * stripeLength(buckets, recordBytes);
    }
}
