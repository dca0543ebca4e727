package dev.multiproc.internal.shm.map;

import dev.multiproc.internal.shm.ProtocolFailures;
import dev.multiproc.internal.shm.wait.WaitPolicy;
import dev.multiproc.internal.shm.lock.LockWord;
import dev.multiproc.internal.shm.wait.WaitPoint;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NativePlatform;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import static dev.multiproc.internal.shm.Words.INT;
import static dev.multiproc.internal.shm.Words.LONG;
import static dev.multiproc.internal.shm.map.MapLayout.*;

/**
 * One stripe of a shared map: open addressing (linear probing) over a bucket table of record
 * pointers, records in a bump-allocated area, both doubled so that compaction can copy into the
 * idle half and switch with one store.
 *
 * <p>Writers hold the stripe's {@link LockWord} and bracket every change with a sequence-lock
 * version (odd while writing). A new record is written in space reserved beyond the area's top
 * and published by a single release store of its pointer into a bucket, so an entry is either
 * wholly there or absent whatever point a writer dies at. A value replaced by one of the same
 * length (at most {@link MapLayout#UNDO_CAPACITY} bytes) is overwritten in place instead, after
 * a copy of the old value and its place are stored in the stripe's undo area (release stores,
 * the place last); the place is cleared (release) once the new value is written, so a writer
 * that dies part-way leaves the old value for the repair to put back. Readers take no lock:
 * they read the version (acquire), the buckets and records, then the version again, and retry
 * if it changed; a version that stays odd makes them take the lock, which recovers a dead
 * writer's stripe.
 *
 * <p>A list's insertion or removal moves every element after its index one place, each move
 * one put. Before each move the stripe's list move word names what is left to do (release):
 * the moves still to make for a removal; for an insertion, the moves that would take back those
 * made so far. Whoever finishes the word's moves leaves the list as a whole change would.
 *
 * <p>Death of a writer: the next locker takes the lock over (see {@link LockWord}) and repairs
 * the stripe: puts back a value the writer was overwriting in place, makes the version even,
 * recounts entries and removed buckets from the active half, and finishes the list moves the
 * word names. Space the dead writer had reserved but not published is reclaimed by the next
 * compaction.
 *
 * <p>Every pointer, length, count and top read from the stripe is checked before it is used: a
 * lock-free reader takes a broken value for a race with a writer and reads again; under the lock
 * (where no writer can be racing) it raises a corrupt-object failure ({@link dev.multiproc.internal.shm.ProtocolFailures#corrupt}).
 */
public final class MapStripe {
    /** Reads retried this often while a writer holds the stripe before the reader waits for the lock. */
    private static final int OPTIMISTIC_READS = 1 << 10;

    private final String name;
    private final MemorySegment stripe;
    private final LockWord lock;
    private final int buckets;
    private final int mask;
    private final long recordBytes;
    private final int entriesLimit;
    /** Writes under way (a list change and the puts it makes); only the lock holder touches it (the lock orders it between threads). */
    private int nestedWrites;

    /**
     * @param stripeOffset where the stripe starts in {@code region}
     */
    public MapStripe(NativePlatform platform, MappedRegion region, long stripeOffset, int buckets, long recordBytes, int entriesLimit) {
        this.name = region.name();
        this.stripe = region.segment().asSlice(stripeOffset, MapLayout.stripeLength(buckets, recordBytes));
        this.lock = new LockWord(platform, region, stripeOffset + LOCK_OFFSET);
        this.buckets = buckets;
        this.mask = buckets - 1;
        this.recordBytes = recordBytes;
        this.entriesLimit = entriesLimit;
    }

    private long bucketOffset(int half, long index) {
        return BUCKETS_START + ((long) half * buckets + index) * Long.BYTES;
    }

    private long recordsOffset(int half) {
        return BUCKETS_START + 2L * buckets * Long.BYTES + half * recordBytes;
    }

    private long topOffset(int half) {
        return TOPS_OFFSET + half * Long.BYTES;
    }

    // ------------------------------------------------------------------ locking

    /**
     * Locks the stripe (uninterruptibly, waiting as long as it takes).
     *
     * @return the token of a dead writer whose lock was taken over (the stripe is repaired), or 0
     */
    public long lock(long token, long threadId) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    long outcome = lock.acquire(token, threadId, -1, WaitPolicy.SPIN_THEN_SLEEP, WaitPoint.NO_CHECK);
                    if (outcome != LockWord.ACQUIRED) {
                        repair();
                        return outcome;
                    }
                    return 0;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Locks the stripe if it is free; true if this thread now holds it (nothing to repair: its last holder let go). */
    public boolean tryLock(long token, long threadId) {
        return lock.tryAcquire(token, threadId);
    }

    public boolean heldBy(long token, long threadId) {
        return lock.owner() == token && lock.ownerThread() == threadId;
    }

    public void unlock() {
        lock.release();
    }

    /**
     * A dead writer's stripe: put back a value it was overwriting, end its write, recount what the
     * active half holds, then finish the list moves it left (as one write of their own).
     */
    private void repair() {
        undoInterruptedOverwrite();
        long version = (long) LONG.getVolatile(stripe, VERSION_OFFSET);
        if ((version & 1) != 0) {
            LONG.setRelease(stripe, VERSION_OFFSET, version + 1);
        }
        int half = active();
        int count = 0;
        int removed = 0;
        for (int index = 0; index < buckets; index++) {
            long pointer = (long) LONG.get(stripe, bucketOffset(half, index));
            if (pointer == REMOVED) {
                removed++;
            } else if (pointer >= POINTER_BIAS) {
                count++;
            }
        }
        INT.setRelease(stripe, COUNT_OFFSET, count);
        INT.set(stripe, TOMBSTONES_OFFSET, removed);
        finishListMove();
    }

    /** Copies the undo area's bytes back over a value a dead writer was replacing in place (the version is still odd then). */
    private void undoInterruptedOverwrite() {
        long target = (long) LONG.getVolatile(stripe, UNDO_TARGET_OFFSET);
        if (target == 0) {
            return;
        }
        int length = (int) INT.get(stripe, UNDO_LENGTH_OFFSET);
        if (length < 0 || length > UNDO_CAPACITY) {
            throw corrupt("undo length", length, "it must be 0 to " + UNDO_CAPACITY);
        }
        if (target < recordsOffset(0) + RECORD_HEADER || target + length > recordsOffset(1) + recordBytes) {
            throw corrupt("undo target", target, "a value being replaced lies within the record areas");
        }
        MemorySegment.copy(stripe, UNDO_BYTES_OFFSET, stripe, target, length);
        LONG.setRelease(stripe, UNDO_TARGET_OFFSET, 0L);
    }

    private void beginWrite() {
        if (nestedWrites++ > 0) {
            return;
        }
        long version = (long) LONG.get(stripe, VERSION_OFFSET);
        // the odd version must be seen before any change (a reader that sees a change then sees it); the lock's CAS already
        // ordered everything earlier, so a store-store fence suffices and no second full fence is paid
        LONG.setOpaque(stripe, VERSION_OFFSET, version + 1);
        VarHandle.storeStoreFence();
    }

    private void endWrite() {
        if (--nestedWrites > 0) {
            return;
        }
        long version = (long) LONG.get(stripe, VERSION_OFFSET);
        LONG.setRelease(stripe, VERSION_OFFSET, version + 1);
    }

    private int active() {
        int active = (int) INT.getAcquire(stripe, ACTIVE_OFFSET);
        if (active != 0 && active != 1) {
            throw corrupt("active half", active, "it must be 0 or 1");
        }
        return active;
    }

    private RuntimeException corrupt(String field, long value, String rule) {
        return ProtocolFailures.corrupt(name, "stripe's " + field, value, rule);
    }

    /** The top of {@code half}'s record area: where the next record goes, at most the area's size. */
    private long top(int half) {
        long top = (long) LONG.get(stripe, topOffset(half));
        if (top < 0 || top > recordBytes || top % RECORD_ALIGNMENT != 0) {
            throw corrupt("record area top", top, "it must be an aligned offset within the " + recordBytes + "-byte area");
        }
        return top;
    }

    /** The entries counted now, at most the buckets. */
    private int countChecked() {
        int count = (int) INT.get(stripe, COUNT_OFFSET);
        if (count < 0 || count > buckets) {
            throw corrupt("entry count", count, "it must be 0 to " + buckets);
        }
        return count;
    }

    /**
     * Where the record a bucket points to starts (an offset in the stripe), after checking that
     * its header lies within {@code half}'s record area ({@link #lengths} checks its key and value).
     */
    private long record(int half, long pointer) {
        long start = pointer - POINTER_BIAS;
        if (start < 0 || start % RECORD_ALIGNMENT != 0 || start > recordBytes - RECORD_HEADER) {
            throw corrupt("bucket pointer", pointer, "a record starts on an 8-byte boundary within the " + recordBytes + "-byte area");
        }
        return recordsOffset(half) + start;
    }

    /**
     * The {@link MapLayout#RECORD_LENGTHS} word of {@code record} in {@code half}, read once
     * (both lengths in one access), its key and value checked to end within the record area.
     */
    private long lengths(int half, long record) {
        long lengths = (long) LONG.get(stripe, record + RECORD_LENGTHS);
        int keyLength = keyLength(lengths);
        int valueLength = valueLength(lengths);
        if (keyLength < 0 || valueLength < 0 || record - recordsOffset(half) + RECORD_HEADER + (long) keyLength + valueLength > recordBytes) {
            throw corrupt("record length", (long) keyLength + valueLength, "a record's key (" + keyLength + ") and value ("
                    + valueLength + ") end within the record area");
        }
        return lengths;
    }

    // ------------------------------------------------------------------ lookups

    private static long hashOf(MemorySegment stripe, long record) {
        return (long) LONG.get(stripe, record + RECORD_HASH);
    }

    /** The bucket holding {@code key} in {@code half}, or -1. Reads plainly: callers validate. */
    private long findBucket(int half, long hash, byte[] key) {
        long index = hash & mask;
        for (int probes = 0; probes < buckets; probes++, index = (index + 1) & mask) {
            long pointer = (long) LONG.getOpaque(stripe, bucketOffset(half, index));
            if (pointer == EMPTY) {
                return -1;
            }
            if (pointer >= POINTER_BIAS) {
                long record = record(half, pointer);
                if (hashOf(stripe, record) == hash && keyEquals(record, keyLength(lengths(half, record)), key)) {
                    return index;
                }
            }
        }
        return -1;
    }

    /** Compares the key in place, eight bytes at a time (the reads are bounds-checked: a corrupt length cannot reach past the stripe). */
    private boolean keyEquals(long record, int keyLength, byte[] key) {
        if (keyLength != key.length) {
            return false;
        }
        long stored = record + RECORD_HEADER;
        int offset = 0;
        for (; offset + Long.BYTES <= keyLength; offset += Long.BYTES) {
            if (stripe.get(ValueLayout.JAVA_LONG_UNALIGNED, stored + offset) != (long) KeyHash.LONG_IN_KEY.get(key, offset)) {
                return false;
            }
        }
        for (; offset < keyLength; offset++) {
            if (stripe.get(ValueLayout.JAVA_BYTE, stored + offset) != key[offset]) {
                return false;
            }
        }
        return true;
    }

    private byte[] value(int half, long index) {
        long record = record(half, (long) LONG.getOpaque(stripe, bucketOffset(half, index)));
        long lengths = lengths(half, record);
        int valueLength = valueLength(lengths);
        long valueOffset = record + RECORD_HEADER + keyLength(lengths);
        Objects.checkFromIndexSize(valueOffset, valueLength, stripe.byteSize());
        byte[] value = new byte[valueLength];
        MemorySegment.copy(stripe, ValueLayout.JAVA_BYTE, valueOffset, value, 0, valueLength);
        return value;
    }

    /** What an optimistic read returns when it raced a writer. */
    private static final byte[] RACED = new byte[0];

    /**
     * The value of {@code key} (its bytes), or null, without taking the lock unless a writer
     * holds the stripe for long.
     */
    public byte[] get(long hash, byte[] key, long token, long threadId) {
        for (int attempt = 0; attempt < OPTIMISTIC_READS; attempt++) {
            long before = (long) LONG.getAcquire(stripe, VERSION_OFFSET);
            if ((before & 1) != 0) {
                Thread.onSpinWait();
                continue;
            }
            byte[] result;
            try {
                int half = active();
                long index = findBucket(half, hash, key);
                result = index < 0 ? null : value(half, index);
            } catch (RuntimeException raced) {
                // a torn read can fail any way (an index, a length, a layout rule); the version check decides
                result = RACED;
            }
            VarHandle.loadLoadFence();
            if (result != RACED && (long) LONG.get(stripe, VERSION_OFFSET) == before) {
                return result;
            }
        }
        if (heldBy(token, threadId)) {
            return getLocked(hash, key);
        }
        lock(token, threadId);
        try {
            return getLocked(hash, key);
        } finally {
            unlock();
        }
    }

    /** The value of {@code key}; the caller holds the lock. */
    public byte[] getLocked(long hash, byte[] key) {
        int half = active();
        long index = findBucket(half, hash, key);
        return index < 0 ? null : value(half, index);
    }

    // ------------------------------------------------------------------ changes (lock held)

    /**
     * Sets {@code key} to {@code value}; returns the previous value's bytes, or null.
     *
     * @throws StripeFullException if a new entry exceeds the stripe's entries, or the record its bytes
     */
    public byte[] put(long hash, byte[] key, byte[] value) {
        long need = MapLayout.recordLength(key.length, value.length);
        if (need > recordBytes) {
            throw new StripeFullException(false, need, recordBytes);
        }
        beginWrite();
        try {
            int half = active();
            long existing = findBucket(half, hash, key);
            if (existing >= 0 && value.length <= UNDO_CAPACITY) {
                long record = record(half, (long) LONG.get(stripe, bucketOffset(half, existing)));
                long lengths = lengths(half, record);
                if (valueLength(lengths) == value.length) {
                    return overwrite(record + RECORD_HEADER + keyLength(lengths), value);
                }
            }
            int count = countChecked();
            if (existing < 0 && count >= entriesLimit) {
                throw new StripeFullException(true, count + 1L, entriesLimit);
            }
            int removed = (int) INT.get(stripe, TOMBSTONES_OFFSET);
            boolean crowded = existing < 0 && (count + removed + 1L) * 4 > buckets * 3L;
            if (top(half) + need > recordBytes || crowded) {
                compact();
                half = active();
                existing = findBucket(half, hash, key);
                if (top(half) + need > recordBytes) {
                    throw new StripeFullException(false, need, recordBytes - top(half));
                }
            }
            long offset = top(half);
            LONG.set(stripe, topOffset(half), offset + need);
            writeRecord(recordsOffset(half) + offset, hash, key, value);
            byte[] previous = existing >= 0 ? value(half, existing) : null;
            long slot = existing >= 0 ? existing : insertionSlot(half, hash);
            boolean reusedRemoved = (long) LONG.get(stripe, bucketOffset(half, slot)) == REMOVED;
            LONG.setRelease(stripe, bucketOffset(half, slot), offset + POINTER_BIAS);
            if (existing < 0) {
                INT.setRelease(stripe, COUNT_OFFSET, (int) INT.get(stripe, COUNT_OFFSET) + 1);
                if (reusedRemoved) {
                    INT.set(stripe, TOMBSTONES_OFFSET, (int) INT.get(stripe, TOMBSTONES_OFFSET) - 1);
                }
            }
            return previous;
        } finally {
            endWrite();
        }
    }

    /**
     * Replaces the value at {@code target} with {@code value}, of the same length, in place;
     * returns the old value's bytes. The undo area holds the old value and its place from
     * before the first new byte lands until after the last.
     */
    private byte[] overwrite(long target, byte[] value) {
        byte[] previous = new byte[value.length];
        MemorySegment.copy(stripe, ValueLayout.JAVA_BYTE, target, previous, 0, value.length);
        MemorySegment.copy(previous, 0, stripe, ValueLayout.JAVA_BYTE, UNDO_BYTES_OFFSET, value.length);
        INT.set(stripe, UNDO_LENGTH_OFFSET, value.length);
        LONG.setRelease(stripe, UNDO_TARGET_OFFSET, target);
        // the new bytes must not be seen before the place that lets a repair undo them
        VarHandle.storeStoreFence();
        MemorySegment.copy(value, 0, stripe, ValueLayout.JAVA_BYTE, target, value.length);
        LONG.setRelease(stripe, UNDO_TARGET_OFFSET, 0L);
        return previous;
    }

    private void writeRecord(long record, long hash, byte[] key, byte[] value) {
        LONG.set(stripe, record + RECORD_LENGTHS, MapLayout.lengths(key.length, value.length));
        LONG.set(stripe, record + RECORD_HASH, hash);
        MemorySegment.copy(key, 0, stripe, ValueLayout.JAVA_BYTE, record + RECORD_HEADER, key.length);
        MemorySegment.copy(value, 0, stripe, ValueLayout.JAVA_BYTE, record + RECORD_HEADER + key.length, value.length);
    }

    /** The first free (empty or removed) bucket on {@code hash}'s probe path; one always exists (counts keep a quarter free). */
    private long insertionSlot(int half, long hash) {
        long index = hash & mask;
        for (int probes = 0; probes < buckets; probes++, index = (index + 1) & mask) {
            if ((long) LONG.get(stripe, bucketOffset(half, index)) < POINTER_BIAS) {
                return index;
            }
        }
        throw corrupt("buckets", buckets, "a stripe keeps a free bucket, but every one holds an entry (its count says "
                + INT.get(stripe, COUNT_OFFSET) + ")");
    }

    /** Removes {@code key}; returns its value's bytes, or null if it was absent. */
    public byte[] remove(long hash, byte[] key) {
        beginWrite();
        try {
            int half = active();
            long index = findBucket(half, hash, key);
            if (index < 0) {
                return null;
            }
            byte[] previous = value(half, index);
            LONG.setRelease(stripe, bucketOffset(half, index), REMOVED);
            INT.setRelease(stripe, COUNT_OFFSET, countChecked() - 1);
            INT.set(stripe, TOMBSTONES_OFFSET, (int) INT.get(stripe, TOMBSTONES_OFFSET) + 1);
            return previous;
        } finally {
            endWrite();
        }
    }

    /** Copies the live records into the idle half (dropping removed buckets and dead space), then switches. */
    private void compact() {
        int from = active();
        int to = 1 - from;
        stripe.asSlice(bucketOffset(to, 0), (long) buckets * Long.BYTES).fill((byte) 0);
        long fromRecords = recordsOffset(from);
        long toRecords = recordsOffset(to);
        long top = 0;
        for (int index = 0; index < buckets; index++) {
            long pointer = (long) LONG.get(stripe, bucketOffset(from, index));
            if (pointer < POINTER_BIAS) {
                continue;
            }
            long record = record(from, pointer);
            long lengths = lengths(from, record);
            long length = MapLayout.recordLength(keyLength(lengths), valueLength(lengths));
            if (top + length > recordBytes) {
                throw corrupt("record lengths", top + length, "the live records of a half fit the other half's " + recordBytes + " bytes");
            }
            MemorySegment.copy(stripe, record, stripe, toRecords + top, length);
            LONG.set(stripe, bucketOffset(to, insertionSlot(to, hashOf(stripe, record))), top + POINTER_BIAS);
            top += length;
        }
        LONG.set(stripe, topOffset(to), top);
        INT.set(stripe, TOMBSTONES_OFFSET, 0);
        INT.setRelease(stripe, ACTIVE_OFFSET, to);
    }

    // ------------------------------------------------------------------ list elements (lock held)

    /**
     * The key of a list's element at {@code index}: the index's eight bytes in the order the key
     * hash reads words (the machine's; little-endian, as the spec says, on x86-64 and AArch64).
     */
    public static byte[] listKey(long index) {
        byte[] key = new byte[Long.BYTES];
        KeyHash.LONG_IN_KEY.set(key, 0, index);
        return key;
    }

    private byte[] listElement(int index) {
        byte[] key = listKey(index);
        byte[] element = getLocked(KeyHash.of(key), key);
        if (element == null) {
            throw missingListElement(index);
        }
        return element;
    }

    private RuntimeException missingListElement(int index) {
        return corrupt("list element", index, "every index below the list's count holds an element");
    }

    private void putListElement(int index, byte[] element) {
        byte[] key = listKey(index);
        put(KeyHash.of(key), key, element);
    }

    /**
     * Inserts {@code element} at {@code index} of a list of {@code size} elements, moving those
     * at {@code index} … {@code size - 1} up one place (the last first), as one write. Before each
     * move the list move word names how to undo the moves made so far — move those elements
     * down again — so a writer that dies part-way leaves the list as it was once repaired.
     *
     * @throws StripeFullException before anything changes, if the moves might not fit the record area
     */
    public void insertListElement(int index, int size, byte[] element) {
        beginWrite();
        try {
            ensureRoomToMove(index, size - 1, recordLength(Long.BYTES, element.length));
            for (int target = size; target > index; target--) {
                LONG.setRelease(stripe, LIST_MOVE_OFFSET, listMove(target + 1, size));
                putListElement(target, listElement(target - 1));
            }
            LONG.setRelease(stripe, LIST_MOVE_OFFSET, listMove(index + 1, size));
            putListElement(index, element);
            LONG.setRelease(stripe, LIST_MOVE_OFFSET, NO_LIST_MOVE);
        } catch (RuntimeException failed) {
            settleListMove(failed);
            throw failed;
        } finally {
            endWrite();
        }
    }

    /**
     * Removes the element at {@code index} of a list of {@code size} elements, moving those after
     * it down one place, as one write; returns its bytes. A writer that dies part-way leaves the
     * rest of the moves named in the list move word, and the repair finishes them.
     *
     * @throws StripeFullException before anything changes, if the moves might not fit the record area
     */
    public byte[] removeListElement(int index, int size) {
        beginWrite();
        try {
            byte[] removed = listElement(index);
            ensureRoomToMove(index + 1, size - 1, 0);
            moveListElementsDown(index + 1, size - 1);
            return removed;
        } catch (RuntimeException failed) {
            settleListMove(failed);
            throw failed;
        } finally {
            endWrite();
        }
    }

    /**
     * Moving an element writes its copy while the original still stands, so a move needs room
     * for two of the largest records moved (or one and {@code addedRecord}) beyond what is live.
     * Compacts if the area's top leaves less, and refuses before any change if the live records do.
     */
    private void ensureRoomToMove(int first, int last, long addedRecord) {
        int half = active();
        long top = top(half);
        // no record is longer than the records below the top together
        if (top + top + Math.max(top, addedRecord) <= recordBytes) {
            return;
        }
        long largest = 0;
        for (int index = first; index <= last; index++) {
            byte[] key = listKey(index);
            long bucket = findBucket(half, KeyHash.of(key), key);
            if (bucket < 0) {
                throw missingListElement(index);
            }
            long lengths = lengths(half, record(half, (long) LONG.get(stripe, bucketOffset(half, bucket))));
            largest = Math.max(largest, recordLength(keyLength(lengths), valueLength(lengths)));
        }
        long needed = largest + Math.max(largest, addedRecord);
        if (top + needed > recordBytes) {
            compact();
            top = top(active());
            if (top + needed > recordBytes) {
                throw new StripeFullException(false, needed, recordBytes - top);
            }
        }
    }

    /**
     * Moves the elements at {@code from} … {@code last} down one place, then removes key
     * {@code last}. The list move word names each step before it is taken; a step taken twice
     * does no harm (it copies an element the next step has not yet overwritten), so whoever
     * finishes a dead writer's moves starts at the step the word names.
     */
    private void moveListElementsDown(int from, int last) {
        for (int index = from; index <= last; index++) {
            LONG.setRelease(stripe, LIST_MOVE_OFFSET, listMove(index, last));
            putListElement(index - 1, listElement(index));
        }
        LONG.setRelease(stripe, LIST_MOVE_OFFSET, listMove(last + 1, last));
        byte[] lastKey = listKey(last);
        remove(KeyHash.of(lastKey), lastKey);
        LONG.setRelease(stripe, LIST_MOVE_OFFSET, NO_LIST_MOVE);
    }

    /** Finishes the list moves the list move word names (a dead writer's, or a failed one's). */
    private void finishListMove() {
        long move = (long) LONG.getVolatile(stripe, LIST_MOVE_OFFSET);
        if (move == NO_LIST_MOVE) {
            return;
        }
        int from = listMoveFrom(move);
        int last = listMoveLast(move);
        if (from < 1 || last < 0 || last >= entriesLimit || from > last + 1) {
            throw corrupt("list move", move, "it names indexes 1 ≤ from ≤ last + 1, last below " + entriesLimit);
        }
        beginWrite();
        try {
            moveListElementsDown(from, last);
        } finally {
            endWrite();
        }
    }

    /** A list change failed part-way in this process: finish (or undo) its moves before readers see the stripe. */
    private void settleListMove(RuntimeException failed) {
        try {
            finishListMove();
        } catch (RuntimeException again) {
            failed.addSuppressed(again);
        }
    }

    /** Removes every entry. */
    public void clear() {
        beginWrite();
        try {
            int half = active();
            stripe.asSlice(bucketOffset(half, 0), (long) buckets * Long.BYTES).fill((byte) 0);
            LONG.set(stripe, topOffset(half), 0L);
            INT.setRelease(stripe, COUNT_OFFSET, 0);
            INT.set(stripe, TOMBSTONES_OFFSET, 0);
        } finally {
            endWrite();
        }
    }

    // ------------------------------------------------------------------ whole-stripe reads

    /** Entries now. */
    public int count() {
        return Math.clamp((int) INT.getAcquire(stripe, COUNT_OFFSET), 0, buckets);
    }

    /** The sequence-lock version (even when no write is under way). */
    public long version() {
        return (long) LONG.getAcquire(stripe, VERSION_OFFSET);
    }

    /** Bytes used in the active half's record area (live records and dead space). */
    public long recordBytesUsed() {
        return (long) LONG.getAcquire(stripe, topOffset(active()));
    }

    /**
     * Copies of every entry (key bytes, value bytes) at one moment of the stripe, read without
     * the lock (taking it only if writers keep the stripe busy).
     */
    public List<byte[][]> entries(long token, long threadId) {
        for (int attempt = 0; attempt < OPTIMISTIC_READS; attempt++) {
            long before = version();
            if ((before & 1) != 0) {
                Thread.onSpinWait();
                continue;
            }
            List<byte[][]> entries;
            try {
                entries = readEntries();
            } catch (RuntimeException raced) {
                continue;
            }
            VarHandle.loadLoadFence();
            if ((long) LONG.get(stripe, VERSION_OFFSET) == before) {
                return entries;
            }
        }
        if (heldBy(token, threadId)) {
            return readEntries();
        }
        lock(token, threadId);
        try {
            return readEntries();
        } finally {
            unlock();
        }
    }

    private List<byte[][]> readEntries() {
        int half = active();
        List<byte[][]> entries = new ArrayList<>();
        for (int index = 0; index < buckets; index++) {
            long pointer = (long) LONG.getOpaque(stripe, bucketOffset(half, index));
            if (pointer < POINTER_BIAS) {
                continue;
            }
            long record = record(half, pointer);
            long lengths = lengths(half, record);
            int keyLength = keyLength(lengths);
            int valueLength = valueLength(lengths);
            entries.add(new byte[][]{
                    stripe.asSlice(record + RECORD_HEADER, keyLength).toArray(ValueLayout.JAVA_BYTE),
                    stripe.asSlice(record + RECORD_HEADER + keyLength, valueLength).toArray(ValueLayout.JAVA_BYTE)});
        }
        return entries;
    }

    public int sleepers() {
        return lock.sleepers();
    }

    /** Wakes the processes waiting for the stripe's lock, so that they look again. */
    public void wakeAll() {
        lock.wakeAll();
    }

    public long owner() {
        return lock.owner();
    }
}
