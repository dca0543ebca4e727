package dev.multiproc.internal.shm.queue;

import dev.multiproc.internal.shm.ProtocolFailures;
import dev.multiproc.internal.shm.wait.WaitPolicy;
import dev.multiproc.jfr.EventGate;
import dev.multiproc.jfr.QueueSlotRecoveredEvent;
import dev.multiproc.internal.shm.header.ObjectHeader;
import dev.multiproc.internal.shm.header.ObjectHeaderLayout;
import dev.multiproc.internal.shm.table.ParticipantTable;
import dev.multiproc.internal.shm.wait.WaitPoint;
import dev.multiproc.spi.Liveness;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NativePlatform;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import java.util.function.Predicate;

import static dev.multiproc.internal.shm.Words.INT;
import static dev.multiproc.internal.shm.Words.LONG;
import static dev.multiproc.internal.shm.queue.QueueLayout.*;

/**
 * The protocol of {@link QueueLayout}. Slot {@code i} serves positions {@code p} with
 * {@code p % capacity == i}; its sequence says whose turn it is: {@code p} — free for the
 * producer of {@code p}; {@code p + 1} — holds the message of {@code p} for its consumer
 * ({@code (p + 1) | SKIPPED}: holds nothing, the consumer passes it); {@code p + capacity} —
 * free for the producer of the next lap.
 *
 * <p>The ring has {@link QueueLayout#slotCount} slots: as many as the capacity, but two for a
 * queue of one message, whose sequences could not tell "published" ({@code p + 1}) from "free
 * for the next lap" ({@code p + slots}) with one slot; that queue claims only while the head is
 * less than one position behind the tail.
 *
 * <p>Producer: reads the tail (volatile) and the slot's sequence (acquire); if it is the
 * slot's turn, records the position in its intent entry, CASes the tail forward, writes the
 * message, and publishes the sequence {@code p + 1} — with a release store where its process
 * accepts remote fences (a consumer about to sleep long fences it, see {@link WaitPoint}), else
 * with a volatile store — then wakes sleeping consumers. Consumer: symmetric on the head, reads
 * the message in place, and gives the slot back with sequence {@code p + capacity} (a release
 * store; the full fence that must come before the read of the producers' sleeper count may be
 * paid once for several slots). A side
 * that the mode makes single moves its position with a release store instead of the CAS: the
 * thread that holds the side's role (a word naming its intent entry) is the only writer. A single
 * consumer writes nothing into the slots: it moves the head past a message after reading it, and
 * stores the head once per batch; producers find a slot free while the tail is less than the
 * capacity ahead of the head, reading the head only when the one they read last says full.
 *
 * <p>Memory effects: everything a producer wrote into a slot happens-before the consumer's read
 * of it (sequence release/acquire); a consumer's read of a slot happens-before the next lap's
 * producer writes it (sequence, or with a single consumer head, release/acquire).
 *
 * <p>Death: each thread's intent is written before the CAS that claims a position (the CAS is
 * a volatile write, so whoever sees the claim sees the intent). A slot claimed and never
 * published, whose position only dead threads intended to claim, was claimed by a dead
 * producer: a waiting consumer publishes it skipped, with one CAS of its sequence (so a
 * recoverer descheduled for a whole lap writes nothing into a slot it does not own). A slot
 * taken by a consumer and never given back, whose position only dead threads intended to
 * consume, is settled by a producer waiting for it: its message is published again as the
 * message of the tail's position, whose slot it is, with one CAS of the sequence
 * ({@link #recoverAbandonedConsumerSlot}); a message delivered again too often is lost and its
 * slot given back. Both checks run once per wait slice (50 ms) of elapsed time. A single
 * consumer that dies leaves the head where it last stored it; the thread that takes its role
 * next moves the head to the position its intent names, so none it read is delivered twice and
 * the one it was reading is delivered again, first.
 *
 * <p>Joinable queues count tasks without a counter that a death could leave wrong: unfinished =
 * positions claimed (the tail) − positions skipped − tasks done. A producer that dies after its
 * claim leaves a slot that gets skipped; a consumer owes every message it takes until its
 * {@code taskDone()}, and the debts of a consumer that died are counted done.
 *
 * <p>Every value read from the queue is checked before it drives a loop or an index: a sequence
 * ahead of its position while the position stands still, a length past the slot, a shape that
 * does not fit the object raise a corrupt-object failure ({@link dev.multiproc.internal.shm.ProtocolFailures#corrupt}).
 */
public final class QueueSlots {
    /**
     * Queues of up to this many slots keep a view per slot (at most ~64 bytes each, per process);
     * bigger ones make a view per message.
     */
    private static final int MAX_KEPT_VIEWS = 8192;
    /** How a slot's length and flags lie in the 8-byte word they share. */
    private static final boolean LITTLE_ENDIAN = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN;
    /** Reads of head, skipped and tail before {@link #size()} settles for a reading that may mix moments. */
    private static final int SIZE_ATTEMPTS = 1_000;

    private final String name;
    private final Liveness liveness;
    private final MemorySegment body;
    private final int capacity;
    /** Slots in the ring: the capacity, but at least 2 (see {@link QueueLayout#slotCount}). */
    private final int slotCount;
    /** {@code slotCount - 1} when it is a power of two (a mask instead of a division), else -1. */
    private final long mask;
    private final int slotData;
    private final long slotLength;
    private final boolean joinable;
    private final int mode;
    private final boolean singleProducer;
    private final boolean singleConsumer;
    private final long maxMessageBytes;
    /**
     * Whether this process publishes with a release store and no fence: its threads get the fence
     * a consumer about to sleep long issues ({@link NativePlatform#acceptRemoteFences()}).
     */
    private final boolean publishWithoutFence;
    private final WaitPoint notEmpty;
    private final WaitPoint notFull;
    private final WaitPoint allDone;
    private final ParticipantTable debts;
    /** The view {@link #slot} made last for each slot; null for a queue of more than {@value #MAX_KEPT_VIEWS} slots. */
    private final MemorySegment[] lastViews;
    /**
     * A head this process read (single-consumer queues): the head only moves on, so a producer
     * that finds room behind it has room, and reads the consumer's line only when it finds none.
     */
    private volatile long knownHead;
    /**
     * The position up to which this process's single consumer has read and given slots back
     * without storing the head yet ({@link #NOTHING_UNSTORED}: none). Only the thread holding the
     * consumer's role touches it; it stores the head with the next wake of producers (every 64
     * messages of a drain, at the end of each take and drain) or before it waits, so the head's
     * line is written once per batch and not per message.
     */
    private long unstoredHead = NOTHING_UNSTORED;
    private static final long NOTHING_UNSTORED = -1;
    private final Consumer<String> unlinkSpill;
    private final Predicate<String> spillExists;
    // made once, so that a wait allocates nothing
    private final BooleanSupplier tailSlotFree = this::tailSlotFree;
    private final BooleanSupplier headSlotPublished = this::headSlotPublished;
    private final WaitPoint.SliceCheck recoverProducerSlot = this::recoverAbandonedProducerSlot;
    private final WaitPoint.SliceCheck recoverConsumerSlot;

    public QueueSlots(NativePlatform platform, MappedRegion region) {
        this.name = region.name();
        this.liveness = region.liveness();
        MemorySegment whole = ObjectHeader.body(region);
        this.capacity = (int) INT.get(whole, CAPACITY_OFFSET);
        this.slotData = (int) INT.get(whole, SLOT_DATA_OFFSET_FIELD);
        int joinableFlag = (int) INT.get(whole, JOINABLE_OFFSET);
        if (capacity <= 0 || capacity > MAX_CAPACITY) {
            throw ProtocolFailures.corrupt(name, "capacity", capacity, "it must be 1 to " + MAX_CAPACITY);
        }
        if (slotData < MIN_SLOT_DATA || slotData > Integer.MAX_VALUE - SLOT_DATA_OFFSET - CACHE_LINE) {
            throw ProtocolFailures.corrupt(name, "slot data size", slotData, "it must be at least " + MIN_SLOT_DATA);
        }
        if (QueueLayout.length(capacity, slotData) > whole.byteSize()) {
            throw ProtocolFailures.corrupt(name, "capacity", capacity, "its slots of " + slotData
                    + " bytes do not fit the object's " + whole.byteSize() + " bytes");
        }
        if (joinableFlag != 0 && joinableFlag != 1) {
            throw ProtocolFailures.corrupt(name, "joinable flag", joinableFlag, "it must be 0 or 1");
        }
        this.joinable = joinableFlag == 1;
        this.mode = (int) INT.get(whole, MODE_OFFSET);
        if (mode != MODE_MPMC && mode != MODE_MPSC && mode != MODE_SPSC) {
            throw ProtocolFailures.corrupt(name, "mode", mode, "it must be " + MODE_MPMC + " (MPMC), "
                    + MODE_MPSC + " (MPSC) or " + MODE_SPSC + " (SPSC)");
        }
        this.singleProducer = mode == MODE_SPSC;
        this.singleConsumer = mode != MODE_MPMC;
        this.maxMessageBytes = (long) LONG.get(whole, MAX_MESSAGE_OFFSET);
        if (maxMessageBytes <= 0) {
            throw ProtocolFailures.corrupt(name, "message size limit", maxMessageBytes, "it must be positive");
        }
        this.slotCount = QueueLayout.slotCount(capacity);
        this.mask = Integer.bitCount(slotCount) == 1 ? slotCount - 1 : -1;
        this.slotLength = QueueLayout.slotLength(slotData);
        this.body = whole.asSlice(0, QueueLayout.length(capacity, slotData));
        long base = ObjectHeaderLayout.LENGTH;
        this.notEmpty = WaitPoint.fencedBySleepers(platform, region, base + NOT_EMPTY_OFFSET);
        this.publishWithoutFence = platform.acceptRemoteFences();
        this.notFull = new WaitPoint(platform, region, base + NOT_FULL_OFFSET);
        this.allDone = new WaitPoint(platform, region, base + ALL_DONE_OFFSET);
        this.debts = new ParticipantTable(body, DEBTS_OFFSET);
        this.lastViews = slotCount <= MAX_KEPT_VIEWS ? new MemorySegment[slotCount] : null;
        this.unlinkSpill = platform::unlinkRegion;
        this.spillExists = platform::regionExists;
        this.recoverConsumerSlot = () -> recoverAbandonedConsumerSlot(unlinkSpill);
    }

    /** Creator: the queue's shape and every slot's first sequence; before the header is published. */
    public static void initialise(MappedRegion region, int capacity, int slotData, boolean joinable, int mode, long maxMessageBytes) {
        MemorySegment whole = ObjectHeader.body(region);
        INT.set(whole, CAPACITY_OFFSET, capacity);
        INT.set(whole, SLOT_DATA_OFFSET_FIELD, slotData);
        INT.set(whole, JOINABLE_OFFSET, joinable ? 1 : 0);
        INT.set(whole, MODE_OFFSET, mode);
        LONG.set(whole, MAX_MESSAGE_OFFSET, maxMessageBytes);
        long slotLength = QueueLayout.slotLength(slotData);
        for (int slot = 0; slot < QueueLayout.slotCount(capacity); slot++) {
            LONG.set(whole, SLOTS_OFFSET + slot * slotLength + SLOT_SEQUENCE_OFFSET, (long) slot);
        }
        // intent entries stay untouched until the mark of entries used reaches them (claimEntry)
    }

    public int capacity() {
        return capacity;
    }

    /** Bytes a message may take in a slot; bigger ones spill. */
    public int slotData() {
        return slotData;
    }

    public boolean joinable() {
        return joinable;
    }

    /** {@link QueueLayout#MODE_MPMC}, {@link QueueLayout#MODE_MPSC} or {@link QueueLayout#MODE_SPSC}. */
    public int mode() {
        return mode;
    }

    public boolean singleProducer() {
        return singleProducer;
    }

    public boolean singleConsumer() {
        return singleConsumer;
    }

    /** The largest message the queue accepts; a spilled message bigger than this is not read. */
    public long maxMessageBytes() {
        return maxMessageBytes;
    }

    private int slotIndex(long position) {
        return (int) (mask >= 0 ? position & mask : position % slotCount);
    }

    private long slotOffset(long position) {
        return SLOTS_OFFSET + slotIndex(position) * slotLength;
    }

    /** The slot's sequence with the {@link QueueLayout#SKIPPED} mark, checked to be a position. */
    private long rawSequence(long position) {
        return checkedSequence(position, (long) LONG.getAcquire(body, slotOffset(position) + SLOT_SEQUENCE_OFFSET));
    }

    /**
     * {@link #rawSequence} as a consumer that waits for the message of {@code position} reads it on
     * each look: the slot's second cache line first, where a message longer than {@code CACHE_LINE -
     * SLOT_DATA_OFFSET} bytes goes on. Spinning on the sequence alone, it would send for that line
     * only once it saw the sequence, a second transfer from the producer's processor after the first
     * (130–170 ns of a 330–500 ns hand-off in a two-process probe here); read with the sequence, both
     * come over together. Only for a consumer that waits: one that looks once (a poll, a drain) and
     * comes back in a loop would read the line while a streaming producer writes it, and take it from
     * under the producer's stores (SPSC 1→1 throughput 15.3–15.7 → 12.9–13.3 M messages a second).
     */
    private long rawSequenceAwaited(long position) {
        long offset = slotOffset(position);
        if (slotLength > CACHE_LINE && (long) LONG.getAcquire(body, offset + CACHE_LINE) == offset) {
            // the read is what brings the line; a test of its value keeps the JIT compiler from dropping
            // a read nothing uses (it did: no gain), and data that happens to pass it costs one pause
            Thread.onSpinWait();
        }
        return checkedSequence(position, (long) LONG.getAcquire(body, offset + SLOT_SEQUENCE_OFFSET));
    }

    private long checkedSequence(long position, long sequence) {
        if ((sequence & ~SKIPPED) < 0 || (sequence & ~SKIPPED) >= SKIPPED) {
            throw ProtocolFailures.corrupt(name, "sequence of slot " + (position % slotCount), sequence,
                    "a sequence is a position below 2^62, with bit 62 at most");
        }
        return sequence;
    }

    private long sequence(long position) {
        return rawSequence(position) & ~SKIPPED;
    }

    /**
     * The first {@code length} bytes of the data area of the slot of {@code position}. The view
     * last made for the slot is kept and given again while messages in it keep their length, so
     * a queue of fixed-size messages makes no view per message even where the code that reads or
     * fills it is not inlined (a new view per message is then an allocation per message).
     */
    public MemorySegment slot(long position, int length) {
        int index = slotIndex(position);
        long offset = SLOTS_OFFSET + index * slotLength + SLOT_DATA_OFFSET;
        MemorySegment[] views = lastViews;
        if (views == null) {
            return body.asSlice(offset, length);
        }
        MemorySegment view = views[index];
        if (view == null || view.byteSize() != length) {
            // racing threads of this process may each store a view: any of them is right for the slot and length
            view = body.asSlice(offset, length);
            views[index] = view;
        }
        return view;
    }

    /** The length of the message in the slot of {@code position}, checked against the slot's size. */
    public int length(long position) {
        return checkedLength((int) INT.get(body, slotOffset(position) + SLOT_LENGTH_OFFSET), position);
    }

    /** How the message in the slot of {@code position} is held: {@link QueueLayout#FLAG_INLINE} or {@link QueueLayout#FLAG_SPILLED}. */
    public int flags(long position) {
        return flagsWord(position) & FLAG_KIND_MASK;
    }

    /** The slot's whole flags word, checked: the message's kind and how many times its consumers died holding it. */
    private int flagsWord(long position) {
        return checkedFlags((int) INT.get(body, slotOffset(position) + SLOT_FLAGS_OFFSET), position);
    }

    /**
     * The length and flags of the slot of {@code position}, both checked, read as one 8-byte word
     * (one access instead of two on the taking path): see {@link #lengthOf} and {@link #flagsOf}.
     */
    public long lengthAndFlags(long position) {
        long word = (long) LONG.get(body, slotOffset(position) + SLOT_LENGTH_OFFSET);
        int flags = checkedFlags((int) (LITTLE_ENDIAN ? word >>> 32 : word), position);
        int length = checkedLength((int) (LITTLE_ENDIAN ? word : word >>> 32), position);
        return (long) flags << 32 | length;
    }

    /** The length in what {@link #lengthAndFlags} returned. */
    public static int lengthOf(long lengthAndFlags) {
        return (int) lengthAndFlags;
    }

    /** How the message is held ({@link #flags}) in what {@link #lengthAndFlags} returned. */
    public static int flagsOf(long lengthAndFlags) {
        return (int) (lengthAndFlags >>> 32) & FLAG_KIND_MASK;
    }

    /** How many times the message was delivered again after its consumer died holding it, in what {@link #lengthAndFlags} returned. */
    public static int redeliveriesOf(long lengthAndFlags) {
        return (int) (lengthAndFlags >>> 32) >>> REDELIVERIES_SHIFT;
    }

    private int checkedLength(int length, long position) {
        if (length < 0 || length > slotData) {
            throw ProtocolFailures.corrupt(name, "message length in slot " + (position % slotCount), length,
                    "it must be 0 to the slot's " + slotData + " bytes");
        }
        return length;
    }

    private int checkedFlags(int flags, long position) {
        int kind = flags & FLAG_KIND_MASK;
        if (kind != FLAG_INLINE && kind != FLAG_SPILLED || flags >>> REDELIVERIES_SHIFT > MAX_REDELIVERIES) {
            throw ProtocolFailures.corrupt(name, "flags of slot " + (position % slotCount), flags,
                    "bits 0-7 must be " + FLAG_INLINE + " (inline) or " + FLAG_SPILLED + " (spilled), bits 8-15 a count of 0 to "
                            + MAX_REDELIVERIES + " redeliveries, the rest 0");
        }
        return flags;
    }

    /**
     * Whether the message in the slot of {@code position}, whose consumer died holding it, is to
     * be delivered again: it has not yet cost {@link QueueLayout#MAX_REDELIVERIES} consumers, and
     * if it is spilled its spill object is still there — its consumer removes it only once it has
     * read it whole, just before it gives the slot back, so one that died then had the message.
     */
    private boolean deliverAgain(long position, int flags) {
        if (flags >>> REDELIVERIES_SHIFT >= MAX_REDELIVERIES) {
            return false;
        }
        return (flags & FLAG_KIND_MASK) != FLAG_SPILLED || spillExists.test(spillName(position));
    }

    /** Whether what {@link #tryClaimForConsumer} returned is a position that holds nothing (its producer aborted or died). */
    public static boolean isSkippedClaim(long claimed) {
        return (claimed & SKIPPED) != 0;
    }

    /** The position in what {@link #tryClaimForConsumer} returned. */
    public static long claimedPosition(long claimed) {
        return claimed & ~SKIPPED;
    }

    // ------------------------------------------------------------------ intents

    /** Claims an intent entry for the process {@code token}; -1 if the table is full. */
    public int claimEntry(long token) {
        return claimEntry(token, 0);
    }

    /**
     * Claims an intent entry for the process {@code token} if more than {@code keepFree} entries
     * are free, else -1. The count is a look, not a promise: processes claiming at the same time
     * may together leave fewer free.
     */
    public int claimEntry(long token, int keepFree) {
        for (int pass = 0; pass < 2; pass++) {
            while (freeEntries() > keepFree) {
                int used = entriesUsed();
                for (int entry = 0; entry < used; entry++) {
                    long offset = intentOffset(entry);
                    if ((long) LONG.getVolatile(body, offset + INTENT_TOKEN_OFFSET) == 0
                            && LONG.compareAndSet(body, offset + INTENT_TOKEN_OFFSET, 0L, token)) {
                        LONG.setVolatile(body, offset + INTENT_POSITION_OFFSET, NO_INTENT);
                        return entry;
                    }
                }
                int fresh = claimEntryAboveTheMark(token, used);
                if (fresh >= 0) {
                    return fresh;
                }
                if (fresh == NO_ENTRY_ABOVE) {
                    break;
                }
            }
            if (reclaimDeadEntries() == 0) {
                break;
            }
        }
        return -1;
    }

    /** {@link #claimEntryAboveTheMark}: every entry is used, or the mark is outside the table. */
    private static final int NO_ENTRY_ABOVE = -1;
    /** {@link #claimEntryAboveTheMark}: the mark moved; look below it again. */
    private static final int MARK_MOVED = -2;

    /**
     * Claims entry {@code used}, the first above the mark of entries used, and raises the mark
     * over it: its token first (an entry above the mark is claimed by no other way, so the CAS
     * makes it this process's alone), then its position (no intent), then the mark. A claimer
     * that finds the entry taken raises the mark for its owner (which may have died before it
     * could) and looks again below it.
     */
    private int claimEntryAboveTheMark(long token, int used) {
        long mark = (long) LONG.getVolatile(body, INTENTS_USED_OFFSET);
        if (mark != used) {
            return mark < used || mark > INTENT_ENTRIES ? NO_ENTRY_ABOVE : MARK_MOVED;
        }
        if (used == INTENT_ENTRIES) {
            return NO_ENTRY_ABOVE;
        }
        long offset = intentOffset(used);
        boolean mine = LONG.compareAndSet(body, offset + INTENT_TOKEN_OFFSET, 0L, token);
        if (mine) {
            LONG.setVolatile(body, offset + INTENT_POSITION_OFFSET, NO_INTENT);
        }
        LONG.compareAndSet(body, INTENTS_USED_OFFSET, mark, mark + 1);
        return mine ? used : MARK_MOVED;
    }

    /** How many intent entries have ever been used: the mark, kept within the table whatever memory says. */
    public int entriesUsed() {
        return Math.clamp((long) LONG.getVolatile(body, INTENTS_USED_OFFSET), 0, INTENT_ENTRIES);
    }

    /** Entries free now: those below the mark whose token is 0, and all above it. */
    private int freeEntries() {
        int used = entriesUsed();
        int free = INTENT_ENTRIES - used;
        for (int entry = 0; entry < used; entry++) {
            if ((long) LONG.getVolatile(body, intentOffset(entry) + INTENT_TOKEN_OFFSET) == 0) {
                free++;
            }
        }
        return free;
    }

    /** Frees an entry this process holds, and the single sides its thread held. */
    public void releaseEntry(int entry, long token) {
        long offset = intentOffset(entry);
        LONG.setVolatile(body, offset + INTENT_POSITION_OFFSET, NO_INTENT);
        INT.compareAndSet(body, PRODUCER_ROLE_OFFSET, entry + 1, 0);
        INT.compareAndSet(body, CONSUMER_ROLE_OFFSET, entry + 1, 0);
        LONG.compareAndSet(body, offset + INTENT_TOKEN_OFFSET, token, 0L);
    }

    // ------------------------------------------------------------------ single sides

    /**
     * Makes the thread of intent {@code entry} (of the process {@code token}) the only producer
     * ({@code producer}) or consumer of a queue whose mode makes that side single: at once if it
     * is already, by a CAS of the role word if nobody holds it or its holder is gone — its entry
     * freed, its process dead, or (in this process) its thread ended, as {@code endedHere} says.
     *
     * @throws IllegalStateException if a live thread holds the side
     */
    public void holdRole(boolean producer, int entry, long token, IntPredicate endedHere) {
        long offset = producer ? PRODUCER_ROLE_OFFSET : CONSUMER_ROLE_OFFSET;
        int mine = entry + 1;
        while (true) {
            int holder = (int) INT.getAcquire(body, offset);
            if (holder == mine) {
                return;
            }
            if (holder != 0) {
                if (holder < 1 || holder > INTENT_ENTRIES) {
                    throw ProtocolFailures.corrupt(name, producer ? "producer role" : "consumer role", holder,
                            "it must be 0 or an intent entry + 1, 1 to " + INTENT_ENTRIES);
                }
                long holderToken = (long) LONG.getVolatile(body, intentOffset(holder - 1) + INTENT_TOKEN_OFFSET);
                boolean gone = holderToken == 0 || (holderToken == token ? endedHere.test(holder - 1) : !liveness.isAlive(holderToken));
                if (!gone) {
                    String side = producer ? "producer" : "consumer";
                    throw new IllegalStateException("queue '" + name + "' is single-" + side + " (" + modeName()
                            + ") and another thread " + (holderToken == token ? "of this process" : "of a live process")
                            + " is its " + side + "; it passes on when that thread ends or its process closes the queue or dies");
                }
            }
            if (INT.compareAndSet(body, offset, holder, mine)) {
                if (!producer && holder != 0) {
                    takeOverFromGoneConsumer(holder - 1);
                }
                return;
            }
        }
    }

    /**
     * A single consumer moves the head past the messages it read only every so often (see
     * {@link #unstoredHead}), and past the one it reads only after reading it. A consumer gone with
     * its intent on a position q at or past the head read every message before q, and was reading
     * q (its handler may have run part-way). The new holder of the role moves the head to q, so
     * that none of the messages before q is delivered again and q is (in order, the next to take),
     * its count of redeliveries raised; a message already delivered {@link QueueLayout#MAX_REDELIVERIES}
     * times again, or spilled and its spill object removed (read whole), is dropped instead: the
     * head moves past it.
     */
    private void takeOverFromGoneConsumer(int goneEntry) {
        long head = (long) LONG.getVolatile(body, HEAD_OFFSET);
        long intent = (long) LONG.getVolatile(body, intentOffset(goneEntry) + INTENT_POSITION_OFFSET);
        long taking = intent & ~CONSUMER_INTENT;
        if (intent == NO_INTENT || (intent & CONSUMER_INTENT) == 0 || taking < head || taking - head >= capacity
                || taking >= (long) LONG.getVolatile(body, TAIL_OFFSET)) {
            return;
        }
        long raw = rawSequence(taking);
        if ((raw & ~SKIPPED) != taking + 1) {
            return;
        }
        boolean skipped = (raw & SKIPPED) != 0;
        int flags = skipped ? FLAG_INLINE : flagsWord(taking);
        if (!skipped && deliverAgain(taking, flags)) {
            // the role's holder owns the slot until the head passes it: no one else writes it
            INT.set(body, slotOffset(taking) + SLOT_FLAGS_OFFSET, flags + (1 << REDELIVERIES_SHIFT));
            LONG.setRelease(body, HEAD_OFFSET, taking);
            EventGate.record(() -> QueueSlotRecoveredEvent.record(name, taking, false, true));
            notFull.wakeAll();
            return;
        }
        String spill = !skipped && (flags & FLAG_KIND_MASK) == FLAG_SPILLED ? spillName(taking) : null;
        if (skipped) {
            LONG.getAndAdd(body, SKIPPED_NOW_OFFSET, -1L);
        }
        LONG.setRelease(body, HEAD_OFFSET, taking + 1);
        EventGate.record(() -> QueueSlotRecoveredEvent.record(name, taking, !skipped, false));
        if (spill != null) {
            unlinkSpill.accept(spill);
        }
        notFull.wakeAll();
    }

    /** The mode's name, as users choose it: MPMC, MPSC or SPSC. */
    public String modeName() {
        return switch (mode) {
            case MODE_MPSC -> "MPSC";
            case MODE_SPSC -> "SPSC";
            default -> "MPMC";
        };
    }

    private void intend(int entry, long position) {
        LONG.set(body, intentOffset(entry) + INTENT_POSITION_OFFSET, position);
    }

    /** Frees the entries of dead processes whose intent is settled; returns how many. */
    private int reclaimDeadEntries() {
        int reclaimed = 0;
        for (int entry = 0, used = entriesUsed(); entry < used; entry++) {
            long offset = intentOffset(entry);
            long token = (long) LONG.getVolatile(body, offset + INTENT_TOKEN_OFFSET);
            if (token != 0 && settled((long) LONG.getVolatile(body, offset + INTENT_POSITION_OFFSET)) && !liveness.isAlive(token)
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
        if (position < 0) {
            return true;
        }
        if (consumer && singleConsumer) {
            return (long) LONG.getVolatile(body, HEAD_OFFSET) > position;
        }
        return sequence(position) != (consumer ? position + 1 : position);
    }

    /** Whether some live thread intends {@code intent}; the slot is then not abandoned. */
    private boolean intendedByLiveThread(long intent) {
        boolean anyone = false;
        for (int entry = 0, used = entriesUsed(); entry < used; entry++) {
            long offset = intentOffset(entry);
            if ((long) LONG.getVolatile(body, offset + INTENT_POSITION_OFFSET) == intent) {
                long token = (long) LONG.getVolatile(body, offset + INTENT_TOKEN_OFFSET);
                if (token != 0 && liveness.isAlive(token)) {
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
        if (singleConsumer) {
            return tryClaimBehindHead(entry);
        }
        while (true) {
            long position = (long) LONG.getVolatile(body, TAIL_OFFSET);
            long difference = sequence(position) - position;
            if (difference == 0 && !withinCapacity(position)) {
                return -1;
            }
            if (difference == 0) {
                if (claimTail(entry, position)) {
                    return position;
                }
            } else if (difference < 0) {
                return -1;
            } else if (difference == 1) {
                // a dead consumer's message published again at the tail's position by a recoverer that has not moved the tail yet
                finishRedeliveryAtTail(position);
            } else if ((long) LONG.getVolatile(body, TAIL_OFFSET) == position) {
                // a slot ahead of the tail means another producer claimed it, which moves the tail first
                throw ProtocolFailures.corrupt(name, "sequence of slot " + (position % slotCount), sequence(position),
                        "the tail stands at " + position + " and no slot may be ahead of it");
            }
        }
    }

    /**
     * {@link #tryClaimForProducer} where a single consumer frees slots by moving the head: the
     * tail's slot is free while the tail is less than the capacity ahead of the head.
     */
    private long tryClaimBehindHead(int entry) {
        while (true) {
            long position = (long) LONG.getVolatile(body, TAIL_OFFSET);
            if (position - knownHead >= capacity) {
                knownHead = (long) LONG.getVolatile(body, HEAD_OFFSET);
                if (position - knownHead >= capacity) {
                    return -1;
                }
            }
            if (claimTail(entry, position)) {
                return position;
            }
        }
    }

    /** Records the intent, then moves the tail past {@code position}; false if another producer moved it first. */
    private boolean claimTail(int entry, long position) {
        intend(entry, position);
        if (singleProducer) {
            // the role's holder is the tail's only writer; the release store orders the intent before it
            LONG.setRelease(body, TAIL_OFFSET, position + 1);
            return true;
        }
        return LONG.compareAndSet(body, TAIL_OFFSET, position, position + 1);
    }

    /**
     * Publishes the message of {@code position} and wakes consumers. Where this process accepts
     * remote fences the sequence is a release store and nothing waits for the message's stores to
     * leave the processor (a full fence after them cost the producer most of its time per message);
     * a consumer that sleeps fences the producers before it trusts that it saw nothing.
     */
    public void publish(long position, int length, int flags) {
        long offset = slotOffset(position);
        // length and flags are neighbours in one aligned word: written with one store
        long lengthAndFlags = LITTLE_ENDIAN ? (long) flags << 32 | (length & 0xFFFF_FFFFL) : (long) length << 32 | (flags & 0xFFFF_FFFFL);
        LONG.set(body, offset + SLOT_LENGTH_OFFSET, lengthAndFlags);
        if (publishWithoutFence) {
            LONG.setRelease(body, offset + SLOT_SEQUENCE_OFFSET, position + 1);
            notEmpty.wakeOneAfterReleaseWrite();
        } else {
            LONG.setVolatile(body, offset + SLOT_SEQUENCE_OFFSET, position + 1);
            notEmpty.wakeOneAfterVolatileWrite();
        }
    }

    /** Publishes {@code position}, claimed by this producer, as holding nothing (its writer failed). */
    public void abandon(long position) {
        countSkip();
        LONG.setVolatile(body, slotOffset(position) + SLOT_SEQUENCE_OFFSET, (position + 1) | SKIPPED);
        notEmpty.wakeOneAfterVolatileWrite();
        wakeIfAllDone();
    }

    private void countSkip() {
        LONG.getAndAdd(body, SKIPPED_NOW_OFFSET, 1L);
        LONG.getAndAdd(body, SKIPPED_TOTAL_OFFSET, 1L);
    }

    /**
     * Whether claiming {@code position} keeps the queue within its capacity. Only a queue of one
     * message has more slots than its capacity (two): there the slot can be free while the one
     * message is still waiting, so the head decides.
     */
    private boolean withinCapacity(long position) {
        return slotCount == capacity || position - (long) LONG.getVolatile(body, HEAD_OFFSET) < capacity;
    }

    /**
     * Waits until the tail's slot is free; once per slice, after {@code sliceCheck}, gives back a
     * slot a dead consumer left taken (its spill object unlinked).
     */
    public boolean awaitNotFull(long timeoutNanos, WaitPolicy policy, WaitPoint.SliceCheck sliceCheck) throws InterruptedException {
        return notFull.await(tailSlotFree, timeoutNanos, policy, sliceCheck, recoverConsumerSlot);
    }

    private boolean tailSlotFree() {
        long position = (long) LONG.getVolatile(body, TAIL_OFFSET);
        if (singleConsumer) {
            return position - (long) LONG.getVolatile(body, HEAD_OFFSET) < capacity;
        }
        return sequence(position) - position >= 0 && withinCapacity(position);
    }

    /**
     * Settles the slot producers wait for if a dead consumer took it and never released it. Its
     * message is delivered again ({@link #deliverAgain}): one CAS of the sequence publishes it as
     * the message of the tail's position, whose slot it is, and the tail then moves past it (any
     * producer finishes that move, see {@link #tryClaimForProducer}). Otherwise (a skipped slot, a
     * message delivered again too often, a spilled one read whole) the slot is given back, the
     * message lost and its spill object removed.
     */
    public boolean recoverAbandonedConsumerSlot(Consumer<String> spillRemover) {
        if (singleConsumer) {
            // nothing to give back: a single consumer's slots are free once the head passes them
            return false;
        }
        long tail = (long) LONG.getVolatile(body, TAIL_OFFSET);
        long previous = tail - slotCount;
        if (previous < 0) {
            return false;
        }
        long taken = rawSequence(previous);
        if ((taken & ~SKIPPED) != previous + 1) {
            return false;
        }
        long head = (long) LONG.getVolatile(body, HEAD_OFFSET);
        if (head <= previous || intendedByLiveThread(previous | CONSUMER_INTENT)) {
            return false;
        }
        boolean skipped = (taken & SKIPPED) != 0;
        int flags = skipped ? FLAG_INLINE : flagsWord(previous);
        if (!skipped && deliverAgain(previous, flags)) {
            return deliverAgainAtTail(previous, tail);
        }
        String spill = !skipped && (flags & FLAG_KIND_MASK) == FLAG_SPILLED ? spillName(previous) : null;
        if (LONG.compareAndSet(body, slotOffset(previous) + SLOT_SEQUENCE_OFFSET, taken, previous + slotCount)) {
            EventGate.record(() -> QueueSlotRecoveredEvent.record(name, previous, !skipped, false));
            if (skipped) {
                LONG.getAndAdd(body, SKIPPED_NOW_OFFSET, -1L);
            }
            if (spill != null) {
                spillRemover.accept(spill);
            }
            notFull.wakeAll();
            return true;
        }
        return false;
    }

    /**
     * Gives back, or delivers again, the slot producers wait for if a dead consumer left it taken
     * ({@link #recoverAbandonedConsumerSlot(Consumer)}, a spill object removed by this process's platform).
     */
    public boolean recoverAbandonedConsumerSlot() {
        return recoverAbandonedConsumerSlot(unlinkSpill);
    }

    /**
     * The oldest position whose message a dead consumer took and holds, and which is to be
     * delivered again ({@link #deliverAgain}), or -1 (also with a single consumer, whose
     * successor delivers it again). Producers reach its slot again at that position + the slot
     * count; {@link #recoverAbandonedConsumerSlot} then publishes the message there.
     */
    public long heldByDeadConsumer() {
        if (singleConsumer) {
            return -1;
        }
        long head = (long) LONG.getVolatile(body, HEAD_OFFSET);
        long oldest = -1;
        for (int entry = 0, used = entriesUsed(); entry < used; entry++) {
            long intent = (long) LONG.getVolatile(body, intentOffset(entry) + INTENT_POSITION_OFFSET);
            long position = intent & ~CONSUMER_INTENT;
            if (intent == NO_INTENT || (intent & CONSUMER_INTENT) == 0 || position >= head || position < head - slotCount
                    || oldest >= 0 && position >= oldest) {
                continue;
            }
            if (rawSequence(position) == position + 1 && !intendedByLiveThread(intent) && deliverAgain(position, flagsWord(position))) {
                oldest = position;
            }
        }
        return oldest;
    }

    /** Slots in the ring (see {@link QueueLayout#slotCount}). */
    public int slotCount() {
        return slotCount;
    }

    /**
     * Publishes the message a dead consumer held at {@code previous} as the message of
     * {@code tail}, the position whose slot it is ({@code previous} + slot count): one CAS of the
     * sequence, from "taken at {@code previous}" to "published at {@code tail}", which no producer
     * can claim first (the slot is not free for it) and only one recoverer wins. Then its count of
     * redeliveries is raised (by the winner alone; a consumer reading meanwhile reads only the
     * kind and length, which stay) and the tail moved past it. A recoverer that dies between the
     * two leaves the tail to the next producer, which moves it before it claims.
     */
    private boolean deliverAgainAtTail(long previous, long tail) {
        if (!withinCapacity(tail)) {
            // a queue of one message whose one message is still waiting: the head must reach the tail first
            return false;
        }
        long offset = slotOffset(previous);
        long lengthAndFlags = (long) LONG.get(body, offset + SLOT_LENGTH_OFFSET);
        if (!LONG.compareAndSet(body, offset + SLOT_SEQUENCE_OFFSET, previous + 1, tail + 1)) {
            return false;
        }
        long oneMore = LITTLE_ENDIAN ? 1L << (32 + REDELIVERIES_SHIFT) : 1L << REDELIVERIES_SHIFT;
        LONG.compareAndSet(body, offset + SLOT_LENGTH_OFFSET, lengthAndFlags, lengthAndFlags + oneMore);
        LONG.compareAndSet(body, TAIL_OFFSET, tail, tail + 1);
        EventGate.record(() -> QueueSlotRecoveredEvent.record(name, previous, false, true));
        notEmpty.wakeOneAfterVolatileWrite();
        notFull.wakeAll();
        return true;
    }

    /**
     * Moves the tail past a message a recoverer published again at the tail's position
     * ({@link #deliverAgainAtTail}) if the recoverer has not moved it yet; false if there is none.
     */
    private boolean finishRedeliveryAtTail(long tail) {
        return !singleConsumer && sequence(tail) == tail + 1 && LONG.compareAndSet(body, TAIL_OFFSET, tail, tail + 1);
    }

    // ------------------------------------------------------------------ consumer

    /**
     * Takes the next position if its message (or its skip) is published.
     *
     * @param waiting whether the caller looks again until a message comes (a take that may wait),
     *                not once (a poll, a drain): see {@link #rawSequenceAwaited}
     * @return the position, with {@link QueueLayout#SKIPPED} set if it holds nothing (see
     *         {@link #isSkippedClaim} and {@link #claimedPosition}: the sequence is read once), or
     *         -1 if there is none yet
     */
    public long tryClaimForConsumer(int entry, boolean waiting) {
        while (true) {
            long position = consumerPosition();
            long raw = waiting ? rawSequenceAwaited(position) : rawSequence(position);
            long difference = (raw & ~SKIPPED) - (position + 1);
            if (difference == 0) {
                intend(entry, position | CONSUMER_INTENT);
                if (singleConsumer) {
                    // the head moves past it once the message has been read (releaseQuietly)
                    return position | (raw & SKIPPED);
                }
                if (LONG.compareAndSet(body, HEAD_OFFSET, position, position + 1)) {
                    return position | (raw & SKIPPED);
                }
            } else if (difference < 0) {
                return -1;
            } else if (consumerPosition() == position) {
                // a slot a lap ahead of the head means another consumer took it, which moves the head first
                throw ProtocolFailures.corrupt(name, "sequence of slot " + (position % slotCount), raw & ~SKIPPED,
                        "the head stands at " + position + " and no slot may be ahead of it");
            }
        }
    }

    /** The next position to consume: the head, or (single consumer) the one this thread has not stored yet. */
    private long consumerPosition() {
        long unstored = unstoredHead;
        return unstored != NOTHING_UNSTORED ? unstored : (long) LONG.getVolatile(body, HEAD_OFFSET);
    }

    /** Stores the head a single consumer has moved past (a release store), if it has not yet. */
    private void storeHead() {
        long unstored = unstoredHead;
        if (unstored != NOTHING_UNSTORED) {
            unstoredHead = NOTHING_UNSTORED;
            LONG.setRelease(body, HEAD_OFFSET, unstored);
        }
    }

    /** Gives a skipped slot back (see {@link #releaseQuietly}); it no longer counts as claimed. */
    public void releaseSkippedQuietly(long position) {
        LONG.getAndAdd(body, SKIPPED_NOW_OFFSET, -1L);
        releaseQuietly(position);
    }

    /**
     * Gives the slot of {@code position} back to producers with a release store; a producer
     * asleep on it wakes only at the next {@link #wakeProducers()}, which must follow. A single
     * consumer gives it back by moving the head, stored at that wake (its line, not the slot's).
     */
    public void releaseQuietly(long position) {
        if (singleConsumer) {
            unstoredHead = position + 1;
        } else {
            LONG.setRelease(body, slotOffset(position) + SLOT_SEQUENCE_OFFSET, position + slotCount);
        }
    }

    /**
     * After one or more quiet releases: the head stored (single consumer), a full fence, then a
     * wake of one producer if any sleep; a producer that ends a wait passes it on while there is
     * room ({@link #passOnProducerWake}).
     */
    public void wakeProducers() {
        storeHead();
        notFull.wakeOne();
    }

    /**
     * A producer ending a wait (room claimed, or a timeout, an interrupt, a close) wakes another
     * sleeping producer if the tail's slot is free: releases and publications wake one sleeper
     * each, so a wake the woken thread does not use, or a batch of slots released with one wake,
     * must go on to the next.
     */
    public void passOnProducerWake() {
        if (notFull.sleepers() > 0 && tailSlotFree()) {
            notFull.wakeOne();
        }
    }

    /** {@link #passOnProducerWake} for a consumer ending a wait: wakes another sleeping consumer if the head's message is published. */
    public void passOnConsumerWake() {
        if (notEmpty.sleepers() > 0 && headSlotPublished()) {
            notEmpty.wakeOne();
        }
    }

    /** Waits until the head's slot is published; once per slice, after {@code sliceCheck}, skips a slot a dead producer left claimed. */
    public boolean awaitNotEmpty(long timeoutNanos, WaitPolicy policy, WaitPoint.SliceCheck sliceCheck)
            throws InterruptedException {
        return awaitNotEmpty(timeoutNanos, policy, sliceCheck, recoverProducerSlot);
    }

    /**
     * {@link #awaitNotEmpty(long, WaitPolicy, WaitPoint.SliceCheck)} whose recovery once per slice
     * is {@code recovery}, which must include skipping a dead producer's slot
     * ({@link #recoverAbandonedProducerSlot()}).
     */
    public boolean awaitNotEmpty(long timeoutNanos, WaitPolicy policy, WaitPoint.SliceCheck sliceCheck, WaitPoint.SliceCheck recovery)
            throws InterruptedException {
        // the wait reads the head, and producers waiting for room must have what this consumer read before it sleeps
        if (unstoredHead != NOTHING_UNSTORED) {
            wakeProducers();
        }
        return notEmpty.await(headSlotPublished, timeoutNanos, policy, sliceCheck, recovery);
    }

    private boolean headSlotPublished() {
        long position = (long) LONG.getVolatile(body, HEAD_OFFSET);
        return (rawSequenceAwaited(position) & ~SKIPPED) - (position + 1) >= 0;
    }

    /**
     * Publishes skipped the slot consumers wait for if its position was claimed (the tail passed
     * it) by a producer that died before publishing. The CAS of the sequence is the claim and the
     * publication at once: nothing is written into the slot.
     */
    public boolean recoverAbandonedProducerSlot() {
        long head = (long) LONG.getVolatile(body, HEAD_OFFSET);
        long raw = rawSequence(head);
        // free for the head's producer: its own position, or (single consumer) the last lap's, published and read
        boolean unpublished = raw == head || singleConsumer && (raw & ~SKIPPED) == head + 1 - slotCount;
        if (!unpublished || (long) LONG.getVolatile(body, TAIL_OFFSET) <= head || intendedByLiveThread(head)) {
            return false;
        }
        if (LONG.compareAndSet(body, slotOffset(head) + SLOT_SEQUENCE_OFFSET, raw, (head + 1) | SKIPPED)) {
            EventGate.record(() -> QueueSlotRecoveredEvent.record(name, head, false, false));
            countSkip();
            notEmpty.wakeAll();
            wakeIfAllDone();
            return true;
        }
        return false;
    }

    // ------------------------------------------------------------------ spilled messages

    /** Writes a spill object's name into a slot; returns the length to publish. */
    public int writeSpillName(long position, String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(bytes, 0, slot(position, bytes.length), ValueLayout.JAVA_BYTE, 0, bytes.length);
        return bytes.length;
    }

    /**
     * The spill object's name in the slot of {@code position}: this queue's name, "+s", then
     * lower-case hex, digits and '-' only (never a path), else the slot is corrupt.
     */
    public String spillName(long position) {
        int length = length(position);
        String spill = new String(slot(position, length).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII);
        if (!isSpillOf(name, spill)) {
            throw ProtocolFailures.corrupt(name, "spill name length in slot " + (position % slotCount), length,
                    "the slot must hold '" + spillPrefix(name) + "' followed by lower-case hex, digits and '-'");
        }
        return spill;
    }

    /**
     * What separates a queue's name from the rest of its spills' names: a character no chosen
     * name may hold, so that no named object can pass for a spill (or a spill for one).
     */
    public static final char SPILL_SEPARATOR = '+';

    /** What every spill object of queue {@code queueName} is named with first. */
    public static String spillPrefix(String queueName) {
        return queueName + SPILL_SEPARATOR + "s";
    }

    /** Whether {@code candidate} is a name this queue gives its spill objects. */
    public static boolean isSpillOf(String queueName, String candidate) {
        String prefix = spillPrefix(queueName);
        if (candidate.length() <= prefix.length() || !candidate.startsWith(prefix)) {
            return false;
        }
        for (int i = prefix.length(); i < candidate.length(); i++) {
            char c = candidate.charAt(i);
            if (c != '-' && (c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ counts

    /**
     * Messages claimed by producers and not yet taken by consumers, at one moment (positions
     * between head and tail, less the skipped ones). Read until head and the skipped count are
     * the same before and after the tail, so the three belong together.
     */
    public long size() {
        long head = 0;
        long skipped = 0;
        long tail = 0;
        for (int attempt = 0; attempt < SIZE_ATTEMPTS; attempt++) {
            head = (long) LONG.getVolatile(body, HEAD_OFFSET);
            skipped = (long) LONG.getVolatile(body, SKIPPED_NOW_OFFSET);
            tail = (long) LONG.getVolatile(body, TAIL_OFFSET);
            if (head == (long) LONG.getVolatile(body, HEAD_OFFSET) && skipped == (long) LONG.getVolatile(body, SKIPPED_NOW_OFFSET)) {
                break;
            }
        }
        return Math.max(0, Math.min(capacity, tail - head - skipped));
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
        // a single consumer leaves the sequence as it was: the head says whether it was taken
        return rawSequence(position) == position + 1 && (!singleConsumer || (long) LONG.getVolatile(body, HEAD_OFFSET) <= position);
    }

    public int consumersWaiting() {
        return notEmpty.sleepers();
    }

    public int producersWaiting() {
        return notFull.sleepers();
    }

    public int joinersWaiting() {
        return allDone.sleepers();
    }

    /** Counts a message that went into a spill object. */
    public void countSpill() {
        LONG.getAndAdd(body, SPILLS_OFFSET, 1L);
    }

    /** Counts a wait of a producer ({@code producer}) or consumer that took {@code nanos}. */
    public void countWait(boolean producer, long nanos) {
        LONG.getAndAdd(body, producer ? PRODUCER_WAITS_OFFSET : CONSUMER_WAITS_OFFSET, 1L);
        LONG.getAndAdd(body, WAITED_NANOS_OFFSET, Math.max(0, nanos));
    }

    /** What the counters say now, each read once (a snapshot of counters that move independently). */
    public Counters counters() {
        long skippedNow = (long) LONG.getVolatile(body, SKIPPED_NOW_OFFSET);
        long skippedTotal = (long) LONG.getVolatile(body, SKIPPED_TOTAL_OFFSET);
        long head = head();
        long tail = tail();
        return new Counters(Math.max(0, tail - skippedTotal), Math.max(0, head - (skippedTotal - skippedNow)), skippedTotal,
                (long) LONG.getVolatile(body, SPILLS_OFFSET), (long) LONG.getVolatile(body, PRODUCER_WAITS_OFFSET),
                (long) LONG.getVolatile(body, CONSUMER_WAITS_OFFSET), (long) LONG.getVolatile(body, WAITED_NANOS_OFFSET));
    }

    /**
     * The queue's lifetime counts: messages put (positions claimed and not skipped) and taken,
     * positions skipped, spills, waits and their total time.
     */
    public record Counters(long put, long taken, long skipped, long spills, long producerWaits, long consumerWaits, long waitedNanos) {
    }

    // ------------------------------------------------------------------ joinable

    /**
     * The debt slot of the process {@code token} (claimed on first use). A table full of slots of
     * processes that have died (each a consumer whose debts only a {@code join()} settles) is
     * settled first, as {@code join()} would; {@link ParticipantTable#NO_SLOT} if live processes
     * hold every slot.
     */
    public int claimDebtSlot(long token) {
        int slot = debts.claim(token);
        if (slot == ParticipantTable.NO_SLOT) {
            forgiveDeadConsumers();
            slot = debts.claim(token);
        }
        return slot;
    }

    /** A consumer's debt: {@code +1} before it takes a message, {@code -1} for each task it marks done. */
    public void addDebt(int slot, long delta) {
        if (slot != ParticipantTable.NO_SLOT) {
            debts.add(slot, delta);
        }
    }

    /** Tasks claimed by producers, not skipped, and not yet done (or lost with a dead consumer). */
    public long unfinished() {
        long done = (long) LONG.getVolatile(body, DONE_OFFSET);
        long skipped = (long) LONG.getVolatile(body, SKIPPED_TOTAL_OFFSET);
        return (long) LONG.getVolatile(body, TAIL_OFFSET) - skipped - done;
    }

    /** One task done; false (and nothing changed) if no task was unfinished. */
    public boolean taskDone() {
        while (true) {
            long done = (long) LONG.getVolatile(body, DONE_OFFSET);
            long skipped = (long) LONG.getVolatile(body, SKIPPED_TOTAL_OFFSET);
            long tail = (long) LONG.getVolatile(body, TAIL_OFFSET);
            long unfinished = tail - skipped - done;
            if (unfinished <= 0) {
                if (finishRedeliveryAtTail(tail)) {
                    // a message delivered again counts once the tail passes it
                    continue;
                }
                return false;
            }
            if (LONG.compareAndSet(body, DONE_OFFSET, done, done + 1)) {
                if (unfinished == 1) {
                    allDone.wakeAllAfterVolatileWrite();
                }
                return true;
            }
        }
    }

    /**
     * Counts as done the messages that consumers which have died had taken and not marked done
     * (never more than are unfinished); returns how many.
     */
    public long forgiveDeadConsumers() {
        long forgiven = 0;
        for (ParticipantTable.Reclaimed dead : debts.reclaimDead(liveness)) {
            long owed = dead.count();
            while (owed > 0) {
                long done = (long) LONG.getVolatile(body, DONE_OFFSET);
                long credit = Math.min(owed, Math.max(0, unfinished()));
                if (credit == 0 || LONG.compareAndSet(body, DONE_OFFSET, done, done + credit)) {
                    forgiven += credit;
                    break;
                }
            }
        }
        if (forgiven > 0) {
            wakeIfAllDone();
        }
        return forgiven;
    }

    private void wakeIfAllDone() {
        if (joinable && unfinished() <= 0) {
            allDone.wakeAll();
        }
    }

    /**
     * Waits until every task is done; dead producers' slots and dead consumers' debts are settled
     * on the way, each time after {@code redeliver} (a message a dead consumer holds delivered
     * again, see {@link #heldByDeadConsumer}): counted again before its taker's debt is counted
     * done, it keeps the wait going until it is done, instead of letting it end first.
     */
    public boolean awaitAllDone(long timeoutNanos, WaitPolicy policy, WaitPoint.SliceCheck sliceCheck, WaitPoint.SliceCheck redeliver)
            throws InterruptedException {
        redeliver.check();
        forgiveDeadConsumers();
        return allDone.await(() -> unfinished() <= 0, timeoutNanos, policy, () -> {
            sliceCheck.check();
            recoverAbandonedProducerSlot();
            redeliver.check();
            forgiveDeadConsumers();
        });
    }

    /** Wakes every waiting thread (the handle closes). */
    public void wakeAll() {
        notEmpty.wakeAll();
        notFull.wakeAll();
        allDone.wakeAll();
    }
}
