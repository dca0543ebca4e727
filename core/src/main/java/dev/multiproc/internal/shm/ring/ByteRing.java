package dev.multiproc.internal.shm.ring;

import dev.multiproc.internal.shm.ProtocolFailures;
import dev.multiproc.internal.shm.wait.WaitPolicy;
import dev.multiproc.internal.shm.wait.WaitPoint;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NativePlatform;

import java.lang.foreign.MemorySegment;

import static dev.multiproc.internal.shm.Words.INT;
import static dev.multiproc.internal.shm.Words.LONG;
import static dev.multiproc.internal.shm.ring.RingLayout.*;

/**
 * One side (producer or consumer) of a {@link RingLayout}. Positions are byte counts that only
 * grow; {@code position & (capacity - 1)} is the offset in the ring.
 *
 * <p>Producer: claims room for a record (writing a padding record first if the record would
 * not fit before the end), lets the caller write the payload in place, then writes the
 * header's length and flags and, last, its tag (position + 1) with a volatile store, and wakes
 * a sleeping consumer. Consumer: reads the tag at its head with acquire semantics — the record
 * is there when the tag names the head's position — reads it in place, and publishes the new
 * head with a volatile store (waking a sleeping producer). A tag is a whole 64-bit position, so
 * stale bytes from an earlier lap can never pass for a record. The producer caches the head
 * and re-reads it only when the cache says the ring is full.
 *
 * <p>Memory effects: everything the producer wrote into a record happens-before the consumer's
 * read of it (tag release/acquire); the consumer's reads of a record happen-before the producer
 * reuses its bytes (head release/acquire).
 *
 * <p>Every value read from the ring is checked before it is used: positions aligned and within a
 * lap of each other, a record's length within its fragment size and before the end of the ring,
 * a padding record exactly to the end, flags known. A value that breaks these raises
 * a corrupt-object failure ({@link dev.multiproc.internal.shm.ProtocolFailures#corrupt}) instead of looping or reading out of bounds.
 *
 * <p>Not thread-safe: one producer thread and one consumer thread at a time (per process).
 */
public final class ByteRing {
    private static final int KNOWN_FLAGS = FLAG_BEGIN | FLAG_END | FLAG_PADDING;

    private final String name;
    private final MemorySegment ring;
    private final MemorySegment data;
    private final int capacity;
    private final int mask;
    private final WaitPoint readable;
    private final WaitPoint writable;
    /** Made once, so that a wait for a record allocates nothing. */
    private final java.util.function.BooleanSupplier recordThere = this::peek;

    /** Producer: the head as last read. */
    private long headCache;
    /** Producer: where the claimed record starts (valid between claim and commit). */
    private long claimedTail = -1;
    /** Consumer: the record peeked at. */
    private long peekedPosition = -1;
    private int peekedLength;
    private int peekedFlags;

    /**
     * @param ringOffset where the ring starts in {@code region} (its header; data follows)
     * @param capacity   bytes of record space, a power of two
     */
    public ByteRing(NativePlatform platform, MappedRegion region, long ringOffset, int capacity) {
        this.name = region.name();
        this.ring = region.segment().asSlice(ringOffset, length(capacity));
        this.data = ring.asSlice(DATA_OFFSET, capacity);
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.readable = new WaitPoint(platform, region, ringOffset + READABLE_WAIT_POINT_OFFSET);
        this.writable = new WaitPoint(platform, region, ringOffset + WRITABLE_WAIT_POINT_OFFSET);
        this.headCache = (long) LONG.getAcquire(ring, HEAD_OFFSET);
    }

    public int maxFragment() {
        return RingLayout.maxFragment(capacity);
    }

    public int capacity() {
        return capacity;
    }

    // ------------------------------------------------------------------ producer

    /** The room a record of {@code payloadLength} needs from {@code tail}, padding included. */
    private int needed(long tail, int payloadLength) {
        int record = recordLength(payloadLength);
        int toEnd = capacity - (int) (tail & mask);
        return record <= toEnd ? record : toEnd + record;
    }

    private boolean hasRoom(long tail, int payloadLength) {
        int needed = needed(tail, payloadLength);
        if (tail + needed - headCache <= capacity) {
            return true;
        }
        long head = (long) LONG.getAcquire(ring, HEAD_OFFSET);
        if (head > tail || tail - head > capacity || (head & (RECORD_ALIGNMENT - 1)) != 0) {
            throw corrupt("head", head, "the consumer's position is aligned, at most the producer's (" + tail + ") and within a lap of it");
        }
        headCache = head;
        return tail + needed - headCache <= capacity;
    }

    /**
     * Producer: whether a message of {@code messageBytes} would go in now, whole, without waiting
     * for the consumer (counting its records' headers, a length prefix and a padding record).
     */
    public boolean hasRoomFor(long messageBytes) {
        int fragment = maxFragment();
        long records = messageBytes <= fragment ? 1 : (messageBytes + Long.BYTES + fragment - 1) / fragment;
        long needed = messageBytes + Long.BYTES + records * (RECORD_HEADER_LENGTH + RECORD_ALIGNMENT) + recordLength(fragment);
        long tail = tail();
        headCache = (long) LONG.getAcquire(ring, HEAD_OFFSET);
        return needed <= capacity - (tail - headCache);
    }

    /** The producer's position, checked: aligned and never negative. */
    private long tail() {
        long tail = (long) LONG.get(ring, TAIL_OFFSET);
        if (tail < 0 || (tail & (RECORD_ALIGNMENT - 1)) != 0) {
            throw corrupt("tail", tail, "the producer's position is a non-negative multiple of " + RECORD_ALIGNMENT);
        }
        return tail;
    }

    private RuntimeException corrupt(String field, long value, String rule) {
        return ProtocolFailures.corrupt(name, "ring " + field, value, rule);
    }

    /**
     * Claims a record for {@code payloadLength} bytes (at most {@link #maxFragment()}) if there
     * is room now.
     *
     * @return where the payload goes (an offset in the data segment), or -1 if the ring is full
     */
    public long tryClaim(int payloadLength) {
        long tail = tail();
        if (!hasRoom(tail, payloadLength)) {
            return -1;
        }
        int offset = (int) (tail & mask);
        if (recordLength(payloadLength) > capacity - offset) {
            int padding = capacity - offset;
            INT.set(data, offset + RECORD_LENGTH_OFFSET, padding - RECORD_HEADER_LENGTH);
            INT.set(data, offset + RECORD_FLAGS_OFFSET, FLAG_PADDING);
            LONG.setRelease(data, offset + RECORD_TAG_OFFSET, tail + 1);
            tail += padding;
            offset = 0;
        }
        claimedTail = tail;
        return offset + RECORD_HEADER_LENGTH;
    }

    /** Waits until a record of {@code payloadLength} fits (negative timeout: forever). */
    public boolean awaitRoom(int payloadLength, long timeoutNanos, WaitPolicy policy, WaitPoint.SliceCheck sliceCheck)
            throws InterruptedException {
        return writable.await(() -> hasRoom(tail(), payloadLength), timeoutNanos, policy, sliceCheck);
    }

    /** The data segment, where claimed payloads are written and records read. */
    public MemorySegment data() {
        return data;
    }

    /** Publishes the claimed record and wakes the consumer if it sleeps. */
    public void commit(int payloadLength, int flags) {
        long tail = claimedTail;
        int offset = (int) (tail & mask);
        INT.set(data, offset + RECORD_LENGTH_OFFSET, payloadLength);
        INT.set(data, offset + RECORD_FLAGS_OFFSET, flags);
        claimedTail = -1;
        LONG.setVolatile(data, offset + RECORD_TAG_OFFSET, tail + 1);
        LONG.setRelease(ring, TAIL_OFFSET, tail + recordLength(payloadLength));
        readable.wakeAllAfterVolatileWrite();
    }

    // ------------------------------------------------------------------ consumer

    /**
     * Looks at the next record without consuming it (skipping padding).
     *
     * @return whether there is one; then {@link #peekedOffset()}, {@link #peekedLength()} and
     * {@link #peekedFlags()} describe it until {@link #advance()}
     */
    public boolean peek() {
        if (peekedPosition >= 0) {
            return true;
        }
        long head = (long) LONG.get(ring, HEAD_OFFSET);
        if (head < 0 || (head & (RECORD_ALIGNMENT - 1)) != 0) {
            throw corrupt("head", head, "the consumer's position is a non-negative multiple of " + RECORD_ALIGNMENT);
        }
        // a padding record runs to the end of the ring, so the record after it starts at offset 0: two looks at most
        for (int look = 0; look < 2; look++) {
            int offset = (int) (head & mask);
            if ((long) LONG.getAcquire(data, offset + RECORD_TAG_OFFSET) != head + 1) {
                return false;
            }
            int length = (int) INT.get(data, offset + RECORD_LENGTH_OFFSET);
            int flags = (int) INT.get(data, offset + RECORD_FLAGS_OFFSET);
            if ((flags & ~KNOWN_FLAGS) != 0) {
                throw corrupt("record flags at " + head, flags, "only begin (1), end (2) and padding (4) are flags");
            }
            if ((flags & FLAG_PADDING) == 0) {
                if (length < 0 || length > maxFragment() || recordLength(length) > capacity - offset) {
                    throw corrupt("record length at " + head, length, "a record carries 0 to " + maxFragment()
                            + " bytes and ends before the end of the ring");
                }
                peekedPosition = head;
                peekedLength = length;
                peekedFlags = flags;
                return true;
            }
            if (length != capacity - offset - RECORD_HEADER_LENGTH) {
                throw corrupt("padding length at " + head, length, "padding runs exactly to the end of the ring ("
                        + (capacity - offset - RECORD_HEADER_LENGTH) + " bytes from there)");
            }
            head += RECORD_HEADER_LENGTH + length;
            LONG.setVolatile(ring, HEAD_OFFSET, head);
            writable.wakeAllAfterVolatileWrite();
        }
        throw corrupt("record at " + head, head, "a padding record is followed by a record at the start of the ring, not another padding");
    }

    public long peekedOffset() {
        return (peekedPosition & mask) + RECORD_HEADER_LENGTH;
    }

    public int peekedLength() {
        return peekedLength;
    }

    public int peekedFlags() {
        return peekedFlags;
    }

    /** Consumes the peeked record and wakes the producer if it sleeps. */
    public void advance() {
        long next = peekedPosition + recordLength(peekedLength);
        peekedPosition = -1;
        LONG.setVolatile(ring, HEAD_OFFSET, next);
        writable.wakeAllAfterVolatileWrite();
    }

    /** Waits until a record is there (negative timeout: forever). */
    public boolean awaitRecord(long timeoutNanos, WaitPolicy policy, WaitPoint.SliceCheck sliceCheck) throws InterruptedException {
        return readable.await(recordThere, timeoutNanos, policy, sliceCheck);
    }

    /** Ring bytes ever written (record headers and padding included). */
    public long written() {
        return (long) LONG.getVolatile(ring, TAIL_OFFSET);
    }

    /** Ring bytes ever consumed. */
    public long consumed() {
        return (long) LONG.getVolatile(ring, HEAD_OFFSET);
    }

    /** Bytes written and not yet consumed (for listings). */
    public long bytesInFlight() {
        return (long) LONG.getVolatile(ring, TAIL_OFFSET) - (long) LONG.getVolatile(ring, HEAD_OFFSET);
    }

    /** The consumer's wait point: waiting on several rings at once goes through it. */
    public WaitPoint readable() {
        return readable;
    }

    /** Threads of all processes asleep on either side of the ring. */
    public int sleepers() {
        return readable.sleepers() + writable.sleepers();
    }

    /** Wakes both sides, so that they re-check (the other end closed). */
    public void wakeAll() {
        readable.wakeAll();
        writable.wakeAll();
    }
}
