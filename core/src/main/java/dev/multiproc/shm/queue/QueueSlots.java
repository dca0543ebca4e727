package dev.multiproc.shm.queue;

import dev.multiproc.WaitStrategy;
import dev.multiproc.shm.header.ObjectHeaderLayout;
import dev.multiproc.shm.wait.WaitPoint;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NativePlatform;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

import static dev.multiproc.shm.Words.INT;
import static dev.multiproc.shm.Words.LONG;
import static dev.multiproc.shm.queue.QueueLayout.*;

/**
 * The protocol of {@link QueueLayout}. Slot {@code i} serves positions {@code p} with
 * {@code p % capacity == i}; its sequence says whose turn it is: {@code p} — free for the
 * producer of {@code p}; {@code p + 1} — holds the message of {@code p} for its consumer;
 * {@code p + capacity} — free for the producer of the next lap.
 *
 * <p>Producer: reads the tail (volatile) and the slot's sequence (acquire); if it is the
 * slot's turn, records the position in its intent entry, CASes the tail forward, writes the
 * message, and publishes the sequence {@code p + 1} with a volatile store (then wakes sleeping
 * consumers). Consumer: symmetric on the head, reads the message in place, and gives the slot
 * back with sequence {@code p + capacity}.
 *
 * <p>Memory effects: everything a producer wrote into a slot happens-before the consumer's read
 * of it (sequence release/acquire); a consumer's read of a slot happens-before the next lap's
 * producer writes it.
 *
 * <p>Death: each thread's intent is written before the CAS that claims a position (the CAS is
 * a volatile write, so whoever sees the claim sees the intent). A slot claimed and never
 * published, whose position only dead threads intended to claim, was claimed by a dead
 * producer: a waiting consumer marks it skipped. A slot taken by a consumer and never given
 * back, whose position only dead threads intended to consume, is given back by a waiting
 * producer; its message is lost. Both checks run once per wait slice (50 ms).
 */
public final class QueueSlots {
    private final NativePlatform platform;
    private final MemorySegment body;
    private final int capacity;
    /** {@code capacity - 1} when the capacity is a power of two (a mask instead of a division), else -1. */
    private final long mask;
    private final int slotData;
    private final long slotLength;
    private final WaitPoint notEmpty;
    private final WaitPoint notFull;
    private final WaitPoint allDone;

    public QueueSlots(NativePlatform platform, MappedRegion region) {
        this.platform = platform;
        MemorySegment whole = region.segment().asSlice(ObjectHeaderLayout.LENGTH);
        this.capacity = (int) INT.get(whole, CAPACITY_OFFSET);
        this.mask = Integer.bitCount(capacity) == 1 ? capacity - 1 : -1;
        this.slotData = (int) INT.get(whole, SLOT_DATA_OFFSET_FIELD);
        this.slotLength = QueueLayout.slotLength(slotData);
        this.body = whole.asSlice(0, QueueLayout.length(capacity, slotData));
        long base = ObjectHeaderLayout.LENGTH;
        this.notEmpty = new WaitPoint(platform, region, base + NOT_EMPTY_OFFSET);
        this.notFull = new WaitPoint(platform, region, base + NOT_FULL_OFFSET);
        this.allDone = new WaitPoint(platform, region, base + ALL_DONE_OFFSET);
    }

    /** Creator: the queue's shape and every slot's first sequence; before the header is published. */
    public static void initialise(MappedRegion region, int capacity, int slotData, boolean joinable) {
        MemorySegment whole = region.segment().asSlice(ObjectHeaderLayout.LENGTH);
        INT.set(whole, CAPACITY_OFFSET, capacity);
        INT.set(whole, SLOT_DATA_OFFSET_FIELD, slotData);
        INT.set(whole, JOINABLE_OFFSET, joinable ? 1 : 0);
        long slotLength = QueueLayout.slotLength(slotData);
        for (int slot = 0; slot < capacity; slot++) {
            LONG.set(whole, SLOTS_OFFSET + slot * slotLength + SLOT_SEQUENCE_OFFSET, (long) slot);
        }
        for (int entry = 0; entry < INTENT_ENTRIES; entry++) {
            LONG.set(whole, intentOffset(entry) + INTENT_POSITION_OFFSET, NO_INTENT);
        }
    }

    public int capacity() {
        return capacity;
    }

    /** Bytes a message may take in a slot; bigger ones spill. */
    public int slotData() {
        return slotData;
    }

    public boolean joinable() {
        return (int) INT.get(body, JOINABLE_OFFSET) == 1;
    }

    private long slotOffset(long position) {
        long index = mask >= 0 ? position & mask : position % capacity;
        return SLOTS_OFFSET + index * slotLength;
    }

    private long sequence(long position) {
        return (long) LONG.getAcquire(body, slotOffset(position) + SLOT_SEQUENCE_OFFSET);
    }

    /** The first {@code length} bytes of the data area of the slot of {@code position}. */
    public MemorySegment slot(long position, int length) {
        return body.asSlice(slotOffset(position) + SLOT_DATA_OFFSET, length);
    }

    public int length(long position) {
        return (int) INT.get(body, slotOffset(position) + SLOT_LENGTH_OFFSET);
    }

    public int flags(long position) {
        return (int) INT.get(body, slotOffset(position) + SLOT_FLAGS_OFFSET);
    }

    // ------------------------------------------------------------------ intents

    /** Claims an intent entry for one thread of the process {@code token}; -1 if the table is full. */
    public int claimEntry(long token) {
        for (int pass = 0; pass < 2; pass++) {
            for (int entry = 0; entry < INTENT_ENTRIES; entry++) {
                long offset = intentOffset(entry);
                if ((long) LONG.getVolatile(body, offset + INTENT_TOKEN_OFFSET) == 0
                        && LONG.compareAndSet(body, offset + INTENT_TOKEN_OFFSET, 0L, token)) {
                    LONG.setVolatile(body, offset + INTENT_POSITION_OFFSET, NO_INTENT);
                    return entry;
                }
            }
            if (reclaimDeadEntries() == 0) {
                break;
            }
        }
        return -1;
    }

    /** Frees an entry this process holds. */
    public void releaseEntry(int entry, long token) {
        long offset = intentOffset(entry);
        LONG.setVolatile(body, offset + INTENT_POSITION_OFFSET, NO_INTENT);
        LONG.compareAndSet(body, offset + INTENT_TOKEN_OFFSET, token, 0L);
    }

    private void intend(int entry, long position) {
        LONG.set(body, intentOffset(entry) + INTENT_POSITION_OFFSET, position);
    }

    /** Frees the entries of dead processes whose intent is settled; returns how many. */
    private int reclaimDeadEntries() {
        int reclaimed = 0;
        for (int entry = 0; entry < INTENT_ENTRIES; entry++) {
            long offset = intentOffset(entry);
            long token = (long) LONG.getVolatile(body, offset + INTENT_TOKEN_OFFSET);
            if (token != 0 && settled((long) LONG.getVolatile(body, offset + INTENT_POSITION_OFFSET)) && !platform.isAlive(token)
                    && LONG.compareAndSet(body, offset + INTENT_TOKEN_OFFSET, token, 0L)) {
                reclaimed++;
            }
        }
        return reclaimed;
    }

    /** Whether the position an intent names has moved on (nothing left to recover for it). */
    private boolean settled(long intent) {
        if (intent == NO_INTENT) {
            return true;
        }
        boolean consumer = (intent & CONSUMER_INTENT) != 0;
        long position = intent & ~CONSUMER_INTENT;
        return sequence(position) != (consumer ? position + 1 : position);
    }

    /** Whether some live thread intends {@code intent}; the slot is then not abandoned. */
    private boolean intendedByLiveThread(long intent) {
        boolean anyone = false;
        for (int entry = 0; entry < INTENT_ENTRIES; entry++) {
            long offset = intentOffset(entry);
            if ((long) LONG.getVolatile(body, offset + INTENT_POSITION_OFFSET) == intent) {
                long token = (long) LONG.getVolatile(body, offset + INTENT_TOKEN_OFFSET);
                if (token != 0 && platform.isAlive(token)) {
                    return true;
                }
                anyone = true;
            }
        }
        // a claimed position with no intent at all cannot be: treat it as live, never skip blindly
        return !anyone;
    }

    // ------------------------------------------------------------------ producer

    /**
     * Claims the next position if its slot is free.
     *
     * @return the position, or -1 if the queue is full
     */
    public long tryClaimForProducer(int entry) {
        while (true) {
            long position = (long) LONG.getVolatile(body, TAIL_OFFSET);
            long difference = sequence(position) - position;
            if (difference == 0) {
                intend(entry, position);
                if (LONG.compareAndSet(body, TAIL_OFFSET, position, position + 1)) {
                    return position;
                }
            } else if (difference < 0) {
                return -1;
            }
        }
    }

    /** Publishes the message of {@code position} and wakes consumers. */
    public void publish(long position, int length, int flags) {
        if (flags == FLAG_SKIPPED) {
            LONG.getAndAdd(body, SKIPPED_OFFSET, 1L);
        }
        long offset = slotOffset(position);
        INT.set(body, offset + SLOT_LENGTH_OFFSET, length);
        INT.set(body, offset + SLOT_FLAGS_OFFSET, flags);
        LONG.setVolatile(body, offset + SLOT_SEQUENCE_OFFSET, position + 1);
        notEmpty.wakeAllAfterVolatileWrite();
    }

    public boolean awaitNotFull(int entry, long timeoutNanos, WaitStrategy strategy, Consumer<String> spillRemover)
            throws InterruptedException {
        return notFull.await(() -> {
            long position = (long) LONG.getVolatile(body, TAIL_OFFSET);
            return sequence(position) - position >= 0;
        }, timeoutNanos, strategy, () -> recoverAbandonedConsumerSlot(spillRemover));
    }

    /**
     * Gives back the slot producers wait for if a dead consumer took it and never released it
     * (its message is lost; a spilled message's object is removed).
     */
    public boolean recoverAbandonedConsumerSlot(Consumer<String> spillRemover) {
        long tail = (long) LONG.getVolatile(body, TAIL_OFFSET);
        long previous = tail - capacity;
        if (previous < 0 || sequence(previous) != previous + 1) {
            return false;
        }
        long head = (long) LONG.getVolatile(body, HEAD_OFFSET);
        if (head <= previous || intendedByLiveThread(previous | CONSUMER_INTENT)) {
            return false;
        }
        String spill = flags(previous) == FLAG_SPILLED ? spillName(previous) : null;
        if (LONG.compareAndSet(body, slotOffset(previous) + SLOT_SEQUENCE_OFFSET, previous + 1, previous + capacity)) {
            if (spill != null) {
                spillRemover.accept(spill);
            }
            notFull.wakeAll();
            return true;
        }
        return false;
    }

    // ------------------------------------------------------------------ consumer

    /**
     * Takes the next position if its message is published.
     *
     * @return the position, or -1 if there is none yet
     */
    public long tryClaimForConsumer(int entry) {
        while (true) {
            long position = (long) LONG.getVolatile(body, HEAD_OFFSET);
            long difference = sequence(position) - (position + 1);
            if (difference == 0) {
                intend(entry, position | CONSUMER_INTENT);
                if (LONG.compareAndSet(body, HEAD_OFFSET, position, position + 1)) {
                    return position;
                }
            } else if (difference < 0) {
                return -1;
            }
        }
    }

    /** Gives a skipped slot back (see {@link #release}); it no longer counts as claimed. */
    public void releaseSkipped(long position) {
        LONG.getAndAdd(body, SKIPPED_OFFSET, -1L);
        release(position);
    }

    /** Gives the slot of {@code position} back to producers and wakes them. */
    public void release(long position) {
        LONG.setVolatile(body, slotOffset(position) + SLOT_SEQUENCE_OFFSET, position + capacity);
        notFull.wakeAllAfterVolatileWrite();
    }

    public boolean awaitNotEmpty(long timeoutNanos, WaitStrategy strategy) throws InterruptedException {
        return notEmpty.await(() -> {
            long position = (long) LONG.getVolatile(body, HEAD_OFFSET);
            return sequence(position) - (position + 1) >= 0;
        }, timeoutNanos, strategy, this::recoverAbandonedProducerSlot);
    }

    /**
     * Marks skipped the slot consumers wait for if its position was claimed (the tail passed
     * it) by a producer that died before publishing.
     */
    public boolean recoverAbandonedProducerSlot() {
        long head = (long) LONG.getVolatile(body, HEAD_OFFSET);
        if (sequence(head) != head || (long) LONG.getVolatile(body, TAIL_OFFSET) <= head || intendedByLiveThread(head)) {
            return false;
        }
        long offset = slotOffset(head);
        INT.set(body, offset + SLOT_FLAGS_OFFSET, FLAG_SKIPPED);
        INT.set(body, offset + SLOT_LENGTH_OFFSET, 0);
        LONG.getAndAdd(body, SKIPPED_OFFSET, 1L);
        if (LONG.compareAndSet(body, offset + SLOT_SEQUENCE_OFFSET, head, head + 1)) {
            notEmpty.wakeAll();
            return true;
        }
        LONG.getAndAdd(body, SKIPPED_OFFSET, -1L);
        return false;
    }

    // ------------------------------------------------------------------ spilled messages

    /** Writes a spill object's name into a slot; returns the length to publish. */
    public int writeSpillName(long position, String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(bytes, 0, slot(position, bytes.length), ValueLayout.JAVA_BYTE, 0, bytes.length);
        return bytes.length;
    }

    public String spillName(long position) {
        int length = length(position);
        return new String(slot(position, length).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ counts

    /**
     * Messages claimed by producers and not yet taken by consumers, at one moment (positions
     * between head and tail, less the skipped ones). Read until head and the skipped count are
     * the same before and after the tail, so the three belong together.
     */
    public long size() {
        while (true) {
            long head = (long) LONG.getVolatile(body, HEAD_OFFSET);
            long skipped = (long) LONG.getVolatile(body, SKIPPED_OFFSET);
            long tail = (long) LONG.getVolatile(body, TAIL_OFFSET);
            if (head == (long) LONG.getVolatile(body, HEAD_OFFSET) && skipped == (long) LONG.getVolatile(body, SKIPPED_OFFSET)) {
                return Math.max(0, Math.min(capacity, tail - head - skipped));
            }
        }
    }

    /** All positions ever claimed by producers (for listings). */
    public long tail() {
        return (long) LONG.getVolatile(body, TAIL_OFFSET);
    }

    public long head() {
        return (long) LONG.getVolatile(body, HEAD_OFFSET);
    }

    /** Reads the message of {@code position} only if the slot still holds it afterwards (for peeking). */
    public boolean holds(long position) {
        return sequence(position) == position + 1;
    }

    public int consumersWaiting() {
        return notEmpty.sleepers();
    }

    public int producersWaiting() {
        return notFull.sleepers();
    }

    // ------------------------------------------------------------------ joinable

    public void addUnfinished(long count) {
        LONG.getAndAdd(body, UNFINISHED_OFFSET, count);
    }

    /** One task done; false (and nothing changed) if no task was unfinished. */
    public boolean taskDone() {
        while (true) {
            long unfinished = (long) LONG.getVolatile(body, UNFINISHED_OFFSET);
            if (unfinished <= 0) {
                return false;
            }
            if (LONG.compareAndSet(body, UNFINISHED_OFFSET, unfinished, unfinished - 1)) {
                if (unfinished == 1) {
                    allDone.wakeAllAfterVolatileWrite();
                }
                return true;
            }
        }
    }

    public long unfinished() {
        return (long) LONG.getVolatile(body, UNFINISHED_OFFSET);
    }

    public boolean awaitAllDone(long timeoutNanos, WaitStrategy strategy) throws InterruptedException {
        return allDone.await(() -> unfinished() == 0, timeoutNanos, strategy, WaitPoint.NO_CHECK);
    }

    /** Wakes every waiting thread (the handle closes). */
    public void wakeAll() {
        notEmpty.wakeAll();
        notFull.wakeAll();
        allDone.wakeAll();
    }
}
