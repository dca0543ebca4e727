package dev.multiproc;

import dev.multiproc.codec.Codec;
import dev.multiproc.internal.objects.Attachment;
import dev.multiproc.internal.objects.ClaimedOnce;
import dev.multiproc.internal.objects.Encoding;
import dev.multiproc.internal.shm.header.ObjectHeader;
import dev.multiproc.internal.shm.header.ObjectKind;
import dev.multiproc.internal.shm.queue.QueueLayout;
import dev.multiproc.internal.shm.queue.QueueSlots;
import dev.multiproc.internal.shm.table.ParticipantTable;
import dev.multiproc.internal.shm.wait.WaitPoint;
import dev.multiproc.internal.shm.wait.WaitPolicy;
import dev.multiproc.jfr.EventGate;
import dev.multiproc.jfr.SpillEvent;
import dev.multiproc.jfr.WaitEvent;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NativePlatform;

import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.lang.ref.WeakReference;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import java.util.function.IntToLongFunction;

/**
 * A bounded first-in first-out queue shared by any number of producer and consumer processes
 * (and threads in each): Python's {@code multiprocessing.Queue} as a {@link BlockingQueue}.
 * With several producers, each producer's messages keep their order.
 *
 * <p>Messages live in fixed slots in shared memory. A message that fits its slot is encoded
 * straight into it and decoded straight out of it; a bigger one is written into a separate
 * shared-memory object whose name goes through the slot (see {@code spec/queue.md}), so any
 * size fits that memory allows. {@link #offerInPlace} and {@link #pollInPlace} give the raw
 * slot to a callback, for zero-copy producers and consumers; {@link #drain} hands a consumer
 * every message there is, in place, and wakes sleeping producers once per batch.
 *
 * <p>{@link QueueOptions#mode()} says whether producers and consumers may be many ({@link
 * QueueMode#MPMC}, the default) or one thread each ({@link QueueMode#MPSC}, {@link
 * QueueMode#SPSC}); a single side claims positions without a compare-and-set.
 *
 * <p>Memory effects: actions of a producer before it enqueues a message happen-before the
 * actions of the consumer after it dequeues that message, in any process.
 *
 * <p>Death: a producer killed after claiming a slot and before filling it does not block the
 * consumers: within one wait slice (50 ms) a waiting consumer finds that only dead threads
 * meant to claim that position and skips it; every message that was committed is delivered
 * exactly once. A message whose consumer is killed while it holds it (in a take, a
 * {@link #drain} handler or an in-place reader) is delivered again — at least once, since a
 * handler may have done part of its work ({@link #deliveryCount()} says so): with a single
 * consumer to the next holder of the role, first, in its place; with many, at the tail, within a
 * wait slice of a producer coming round to its slot or of a consumer finding nothing to take
 * (which skips the positions up to that slot). After
 * {@value dev.multiproc.internal.shm.queue.QueueLayout#MAX_REDELIVERIES} deliveries again the
 * next such death loses it, so that a message whose reading kills does not go round for ever.
 * {@link #size()} stays exact for the survivors.
 *
 * <p>{@code remove(Object)}, {@code removeAll} and {@code retainAll} are not supported (a shared
 * queue removes from its head only); iteration, {@code contains} and {@code peek} read a
 * weakly consistent snapshot without removing anything.
 *
 * @param <E> the type of the messages
 */
public sealed class SharedQueue<E> extends SharedObject implements BlockingQueue<E> permits JoinableQueue {
    @java.io.Serial
    private static final long serialVersionUID = 1L;
    private static final long RECOVERY_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** Re-checks before a wait counts ({@link #briefSpins}): one to a few microseconds of spinning. */
    private static final int BRIEF_SPINS = 64;
    /** Numbers this process's spill objects: with its token, unique on the machine for the process's life. */
    private static final AtomicLong SPILLS = new AtomicLong();

    /**
     * A thread (by id) and its entry in a queue's intent table ({@link QueueShared#BORROWS} if it
     * has none of its own). Id and entry are final, so a thread reading another's sees both
     * together; thread ids are never reused.
     */
    static final class ThreadEntry {
        final long threadId;
        final int entry;
        /**
         * Whether the thread holds a claim with its own entry now, from the claim to
         * {@link QueueShared#claimEnded}: a claim it starts meanwhile is nested in that one, and
         * borrows. Read and written by that thread only; never set where the entry is BORROWS.
         */
        boolean claimHeld;
        /**
         * What a wait of this thread for a message recovers once per slice (many consumers: a dead
         * producer's slot skipped, a dead consumer's message delivered again), made on its first
         * wait so that a wait allocates nothing; never kept for {@link QueueShared#NESTED}, which
         * serves every queue.
         */
        WaitPoint.SliceCheck consumerRecovery;

        ThreadEntry(long threadId, int entry) {
            this.threadId = threadId;
            this.entry = entry;
        }
    }

    /**
     * What all the handles of this process on one queue share: the slots, the intent entries of
     * its threads (given back when a thread ends or the attachment closes) and the process's debt
     * slot of a joinable queue.
     *
     * <p>A thread's first use claims an entry of its own while the table has more than
     * {@value #KEPT_FOR_LENDING} free. Threads that come after (a server's request threads,
     * virtual threads) borrow one of the entries their process lends: one claim at a time, from
     * the intent's write until the slot is published or given back, never across a wait. The
     * table then limits the processes using the queue at once, not their threads.
     */
    static final class QueueShared implements Attachment.Shared {
        /** The entry of a thread that has none of its own: it borrows one for each claim. */
        static final int BORROWS = -1;
        /**
         * Entries that threads claiming one of their own leave free, for processes whose later
         * threads borrow: enough for that many more processes to use the queue.
         */
        static final int KEPT_FOR_LENDING = 32;
        /**
         * Entries one process lends at most: claims that hold one at the same time, which on a
         * few cores are few, while the free entries kept serve other processes too.
         */
        static final int LENT_AT_MOST = 4;
        /**
         * How long a borrower waits for a lent entry given back before its process lends one
         * more than {@value #LENT_AT_MOST}: a claim holds its entry while the caller's handler,
         * reader, writer or codec runs, which may wait for anything (another borrower's put).
         */
        static final long LENDING_MORE_AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
        /** What a claim nested in one holding its thread's own entry claims with: a borrowed entry. */
        private static final ThreadEntry NESTED = new ThreadEntry(-1, BORROWS);
        /** Marks, in {@link #borrowed}, a nested claim that writes over its outer claim's entry (which it gives back to nobody). */
        private static final int WRITTEN_OVER = 1 << 30;

        final QueueSlots slots;
        final long token;
        private final String name;
        private final ThreadLocal<ThreadEntry> threadEntry = new ThreadLocal<>();
        /**
         * The entry of the thread of this process that claimed one last: that thread, putting or
         * taking in a loop, finds its entry here instead of in its thread-locals (15% of a
         * message's cost, profiled); others find theirs in their thread-locals.
         */
        private ThreadEntry lastUser = new ThreadEntry(-1, -1);
        /** Entries this process holds, by the thread that holds each; guarded by itself. */
        private final Map<Integer, WeakReference<Thread>> entries = new HashMap<>();
        /** Entries this process lends, all of them; guarded by itself. */
        private final List<Integer> lent = new ArrayList<>();
        /** The lent entries no thread is claiming with now; guarded by {@link #lent}. */
        private final ArrayDeque<Integer> lendable = new ArrayDeque<>();
        /** Borrowers waiting for a lent entry; guarded by {@link #lent}. */
        private int borrowersWaiting;
        /**
         * The lent entries a borrowing thread's claims hold, innermost last, each marked
         * {@link #WRITTEN_OVER} if it is the outer claim's: element 0 counts them. A claim nested in another (a drain's handler that puts into the queue it drains)
         * holds an entry of its own, so that the outer claim's intent stays for recovery to see.
         */
        private final ThreadLocal<int[]> borrowed = ThreadLocal.withInitial(() -> new int[1 + LENT_AT_MOST]);
        private final IntToLongFunction claimForProducer;
        private final IntToLongFunction claimForConsumer;
        private final IntToLongFunction claimForWaitingConsumer;
        private final ClaimedOnce debtSlot;
        /** Per thread: how many times the message it took last from this queue had been delivered before. */
        private final ThreadLocal<int[]> deliveredBefore = ThreadLocal.withInitial(() -> new int[1]);
        /**
         * Threads of this process whose last message had been delivered before: while there are
         * none, a take of a message delivered for the first time records nothing (one read).
         */
        private final AtomicInteger threadsAfterRedelivery = new AtomicInteger();
        private final WaitPoint.SliceCheck redeliverForJoin = () -> redeliverHeldMessage(producerEntry());
        /** Whether the thread of one of this process's entries has ended (it then no longer holds a single side). */
        final IntPredicate threadEnded = this::threadEnded;
        private volatile long lastRecoveryCheck;

        QueueShared(Attachment attachment) {
            this.slots = new QueueSlots(attachment.platform, attachment.region);
            this.token = attachment.token();
            this.name = attachment.name();
            this.debtSlot = new ClaimedOnce(() -> slots.claimDebtSlot(token));
            this.claimForProducer = slots::tryClaimForProducer;
            this.claimForConsumer = entry -> slots.tryClaimForConsumer(entry, false);
            this.claimForWaitingConsumer = entry -> slots.tryClaimForConsumer(entry, true);
        }

        /**
         * This thread's entry in the queue's intent table, claimed on its first use of the queue
         * ({@link #BORROWS} if the table had none to spare).
         */
        ThreadEntry entry() {
            long threadId = Thread.currentThread().threadId();
            ThreadEntry last = lastUser;
            if (last.threadId == threadId) {
                return last;
            }
            ThreadEntry entry = threadEntry.get();
            if (entry != null) {
                // the thread that claimed last stays the fast one: threads taking turns must not write it at each turn
                return entry;
            }
            ThreadEntry claimed = claimOwnEntry(KEPT_FOR_LENDING);
            if (claimed != null) {
                return claimed;
            }
            ThreadEntry borrows = new ThreadEntry(threadId, BORROWS);
            threadEntry.set(borrows);
            lastUser = borrows;
            return borrows;
        }

        /** An entry for this thread alone, if more than {@code keepFree} are free; null if not. */
        private ThreadEntry claimOwnEntry(int keepFree) {
            synchronized (entries) {
                entries.entrySet().removeIf(held -> {
                    Thread thread = held.getValue().get();
                    if (thread == null || !thread.isAlive()) {
                        slots.releaseEntry(held.getKey(), token);
                        return true;
                    }
                    return false;
                });
                int claimed = slots.claimEntry(token, keepFree);
                if (claimed < 0) {
                    return null;
                }
                entries.put(claimed, new WeakReference<>(Thread.currentThread()));
                ThreadEntry mine = new ThreadEntry(Thread.currentThread().threadId(), claimed);
                threadEntry.set(mine);
                lastUser = mine;
                return mine;
            }
        }

        /** Adds a table entry to those this process lends, if the table has one free; guarded by {@link #lent}. */
        private void lendNewEntry() {
            int claimed = slots.claimEntry(token);
            if (claimed >= 0) {
                lent.add(claimed);
                lendable.push(claimed);
            }
        }

        private boolean threadEnded(int entry) {
            synchronized (entries) {
                WeakReference<Thread> held = entries.get(entry);
                Thread thread = held == null ? null : held.get();
                return thread == null || !thread.isAlive();
            }
        }

        /**
         * The entry this thread's next claim, as a producer, writes its intent into: its own, or
         * one it borrows if it has none, or {@link #NESTED} if its own holds a claim.
         * With the producer's role first if the queue has a single producer.
         */
        ThreadEntry producerEntry() {
            ThreadEntry entry = entry();
            if (slots.singleProducer()) {
                entry = entryForRole(entry);
                slots.holdRole(true, entry.entry, token, threadEnded);
            }
            return entry.claimHeld ? NESTED : entry;
        }

        /**
         * {@link #producerEntry} as a consumer. A single consumer's intents must be in its role's
         * entry (a successor reads what it had taken from there), so it takes nothing while it
         * holds a claim.
         *
         * @throws IllegalStateException if this thread is the single consumer and holds a claim
         */
        ThreadEntry consumerEntry() {
            ThreadEntry entry = entry();
            if (slots.singleConsumer()) {
                entry = entryForRole(entry);
                slots.holdRole(false, entry.entry, token, threadEnded);
                if (entry.claimHeld) {
                    throw nestedTakeBySingleConsumer();
                }
                return entry;
            }
            return entry.claimHeld ? NESTED : entry;
        }

        private IllegalStateException nestedTakeBySingleConsumer() {
            return new IllegalStateException("queue '" + name + "' has a single consumer (" + slots.modeName()
                    + "), which cannot take from it while it is reading or writing one of its messages"
                    + " (inside a drain handler, an in-place reader or writer, or a codec)");
        }

        /** A single side's role names one thread's entry: a borrowing thread that takes one claims its own, from the free ones kept. */
        private ThreadEntry entryForRole(ThreadEntry entry) {
            if (entry.entry != BORROWS) {
                return entry;
            }
            ThreadEntry claimed = claimOwnEntry(0);
            if (claimed == null) {
                throw new MultiprocException("queue '" + name + "' has no intent entry free for the thread that would be its single "
                        + (slots.singleConsumer() ? "consumer" : "producer") + " (" + QueueLayout.INTENT_ENTRIES
                        + " taken by the threads of the processes using it)");
            }
            return claimed;
        }

        /**
         * {@link QueueSlots#tryClaimForProducer} by the thread of {@code entry}; a borrowing thread
         * that claimed keeps the entry it borrowed until {@link #claimEnded}.
         */
        long tryClaimForProducer(ThreadEntry entry) {
            return entry.entry == BORROWS ? borrowing(claimForProducer) : heldIfClaimed(entry, slots.tryClaimForProducer(entry.entry));
        }

        /** {@link QueueSlots#tryClaimForConsumer} by the thread of {@code entry}, as {@link #tryClaimForProducer}. */
        long tryClaimForConsumer(ThreadEntry entry, boolean waiting) {
            if (entry.entry != BORROWS) {
                return heldIfClaimed(entry, slots.tryClaimForConsumer(entry.entry, waiting));
            }
            return borrowing(waiting ? claimForWaitingConsumer : claimForConsumer);
        }

        private static long heldIfClaimed(ThreadEntry own, long claimed) {
            if (claimed >= 0) {
                own.claimHeld = true;
            }
            return claimed;
        }

        private long borrowing(IntToLongFunction claim) {
            int entry = borrowEntry();
            long claimed = -1;
            try {
                claimed = claim.applyAsLong(entry);
            } finally {
                if (claimed < 0) {
                    claimEnded(NESTED);
                }
            }
            return claimed;
        }

        /**
         * The entry a borrowing claim writes its intent into. A claim nested in another of this
         * thread's takes a lent entry no other claim holds, or one more from the table; if the
         * table has none free it writes over the intent of the claim it is nested in (as every
         * nested claim once did) rather than wait: the claims holding the lent entries may be
         * waiting for this thread's, so waiting could last for ever, while writing over only
         * hides the outer claim from recovery should this process die before it ends. Any other
         * claim waits as {@link #takeLendable} says.
         *
         * @throws MultiprocException if the claim is not nested, this process lends none and the
         *         table has none free
         */
        private int borrowEntry() {
            int[] mine = borrowed.get();
            int held = mine[0];
            int entry;
            if (held > 0 || ownClaimHeld()) {
                entry = lendableNow();
                if (entry < 0) {
                    entry = WRITTEN_OVER | (held > 0 ? mine[held] & ~WRITTEN_OVER : entry().entry);
                }
            } else {
                entry = takeLendable();
            }
            if (held + 1 == mine.length) {
                mine = Arrays.copyOf(mine, mine.length * 2);
                borrowed.set(mine);
            }
            mine[held + 1] = entry;
            mine[0] = held + 1;
            return entry & ~WRITTEN_OVER;
        }

        /** Whether this thread has an entry of its own and holds a claim with it. */
        private boolean ownClaimHeld() {
            return entry().claimHeld;
        }

        /** A lent entry no claim holds, else one more from the table; -1 if the table has none free. */
        private int lendableNow() {
            synchronized (lent) {
                if (lendable.isEmpty()) {
                    lendNewEntry();
                }
                return lendable.isEmpty() ? -1 : lendable.pop();
            }
        }

        /**
         * A lent entry no other claim holds: one from the table if none is and this process lends
         * fewer than {@value #LENT_AT_MOST}, or else the first given back (a claim holds one only
         * until its slot is published or given back). A claim that has waited
         * {@link #LENDING_MORE_AFTER_NANOS} takes one more from the table (the claims holding
         * them may be waiting for it); if the table has none free it waits on.
         *
         * @throws MultiprocException if this process lends none and the table has none free
         */
        private int takeLendable() {
            boolean interrupted = false;
            long waitingSince = 0;
            synchronized (lent) {
                while (lendable.isEmpty()) {
                    boolean waitedLong = waitingSince != 0 && System.nanoTime() - waitingSince >= LENDING_MORE_AFTER_NANOS;
                    if (lent.size() < LENT_AT_MOST || waitedLong) {
                        lendNewEntry();
                    }
                    if (lent.isEmpty()) {
                        throw new MultiprocException("queue '" + name + "' has all " + QueueLayout.INTENT_ENTRIES
                                + " intent entries taken by the threads of the processes using it; this process can use it"
                                + " once some of them end or close it");
                    }
                    if (lendable.isEmpty()) {
                        if (waitingSince == 0) {
                            waitingSince = System.nanoTime();
                        }
                        borrowersWaiting++;
                        try {
                            TimeUnit.NANOSECONDS.timedWait(lent, LENDING_MORE_AFTER_NANOS);
                        } catch (InterruptedException e) {
                            interrupted = true;
                        } finally {
                            borrowersWaiting--;
                        }
                    }
                }
                int entry = lendable.pop();
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                return entry;
            }
        }

        /**
         * Ends a claim by the thread of {@code entry}. A borrowing thread gives back the entry of
         * its innermost claim (unless that claim wrote over its outer claim's): to the table if this process lends more than
         * {@value #LENT_AT_MOST} and no borrower waits, else to its other threads.
         */
        void claimEnded(ThreadEntry entry) {
            if (entry.entry != BORROWS) {
                entry.claimHeld = false;
                return;
            }
            int[] mine = borrowed.get();
            int given = mine[mine[0]];
            mine[0]--;
            if ((given & WRITTEN_OVER) != 0) {
                return;
            }
            synchronized (lent) {
                if (lent.size() > LENT_AT_MOST && borrowersWaiting == 0) {
                    lent.remove(Integer.valueOf(given));
                    slots.releaseEntry(given, token);
                } else {
                    lendable.push(given);
                    lent.notify();
                }
            }
        }

        /**
         * With many consumers, a message whose consumer died holding it is published again where
         * producers come round to its slot ({@link QueueSlots#recoverAbandonedConsumerSlot()}): in
         * a queue nobody puts into, never. A consumer that finds no message takes the producers'
         * place: it claims each position before the one whose slot that is and publishes it
         * skipped, as a producer whose writer failed does, then publishes the message there. Each
         * claim is a producer's, intent first, so a consumer killed part-way leaves skips and the
         * message still held, for the next to go on with. False if there is no such message, or a
         * slot on the way is still taken (a slow consumer's): the next look goes on.
         */
        boolean redeliverHeldMessage(ThreadEntry entry) {
            long held = slots.heldByDeadConsumer();
            if (held < 0) {
                return false;
            }
            long reuse = held + slots.slotCount();
            while (slots.tail() < reuse) {
                long position = tryClaimForProducer(entry);
                if (position < 0) {
                    return false;
                }
                try {
                    slots.abandon(position);
                } finally {
                    claimEnded(entry);
                }
            }
            return slots.recoverAbandonedConsumerSlot();
        }

        /**
         * What a {@code join()} does before it counts dead consumers' debts done: with many
         * consumers, a message one of them held is delivered again ({@link #redeliverHeldMessage}
         * by the joining thread), so that the join waits for it; nothing with a single consumer,
         * whose successor delivers it again.
         */
        WaitPoint.SliceCheck redeliveryBeforeJoin() {
            return slots.singleConsumer() ? WaitPoint.NO_CHECK : redeliverForJoin;
        }

        /** What a consumer's wait recovers once per slice: see {@link ThreadEntry#consumerRecovery}. */
        WaitPoint.SliceCheck consumerRecovery(ThreadEntry entry) {
            WaitPoint.SliceCheck recovery = entry.consumerRecovery;
            if (recovery == null) {
                recovery = () -> {
                    if (!slots.recoverAbandonedProducerSlot()) {
                        redeliverHeldMessage(entry);
                    }
                };
                if (entry != NESTED) {
                    entry.consumerRecovery = recovery;
                }
            }
            return recovery;
        }

        /** Records, for {@link #deliveryCount}, how many times the message this thread takes now was delivered before. */
        void noteDelivery(int before) {
            if (before == 0 && threadsAfterRedelivery.get() == 0) {
                return;
            }
            int[] mine = deliveredBefore.get();
            if (mine[0] == 0 && before != 0) {
                threadsAfterRedelivery.incrementAndGet();
            } else if (mine[0] != 0 && before == 0) {
                threadsAfterRedelivery.decrementAndGet();
            }
            mine[0] = before;
        }

        /** How many times the message this thread took last has been delivered, that time included. */
        int deliveryCount() {
            return 1 + deliveredBefore.get()[0];
        }

        /** This process's slot in the consumers' debts of a joinable queue (none if the table is full). */
        int debtSlot() {
            return debtSlot.get();
        }

        /**
         * A non-blocking poll cannot sleep through a wait slice: it looks for a slot abandoned by
         * a dead producer itself, and a message a dead consumer holds ({@link #redeliverHeldMessage}
         * by the thread of {@code entry}), at most every 10 ms; true if it turned one into a
         * skipped slot or published one again.
         */
        boolean recoverNowAndThen(ThreadEntry entry) {
            long now = System.nanoTime();
            if (now - lastRecoveryCheck > RECOVERY_CHECK_NANOS) {
                lastRecoveryCheck = now;
                return slots.recoverAbandonedProducerSlot() || redeliverHeldMessage(entry);
            }
            return false;
        }

        @Override
        public void wakeAll() {
            slots.wakeAll();
        }

        @Override
        public int sleepers() {
            return slots.consumersWaiting() + slots.producersWaiting() + slots.joinersWaiting();
        }

        @Override
        public void detach() {
            synchronized (entries) {
                entries.keySet().forEach(entry -> slots.releaseEntry(entry, token));
                entries.clear();
            }
            synchronized (lent) {
                lent.forEach(entry -> slots.releaseEntry(entry, token));
                lent.clear();
                lendable.clear();
            }
        }

        /** Spills still in a removed queue can never be read: remove them (unless someone reads one now). */
        @Override
        public void nameRemoved(NativePlatform platform) {
            for (String spill : platform.listRegions(QueueSlots.spillPrefix(name))) {
                if (QueueSlots.isSpillOf(name, spill)) {
                    platform.unlinkRegionIfUnused(spill);
                }
            }
        }
    }

    /** Writes {@code value} into a claimed slot (or spill). */
    @FunctionalInterface
    private interface SlotWriter<T> {
        void write(T value, MemorySegment target);
    }

    /** Reads a taken message in place, with {@code argument} (a reader's callback), and returns what the take returns. */
    @FunctionalInterface
    private interface SlotReader<A, R> {
        R read(A argument, MemorySegment message);
    }

    /** Lets the caller's writer fill the slot: stateless, so a zero-copy put allocates nothing for it. */
    private static final SlotWriter<Consumer<MemorySegment>> CALLER_FILLS = (writer, target) -> writer.accept(target);
    private static final SlotReader<Consumer<MemorySegment>, Boolean> CALLER_READS = (reader, message) -> {
        reader.accept(message);
        return Boolean.TRUE;
    };
    private static final SlotReader<MessageHandler, Boolean> HANDLER_READS = (handler, message) -> {
        handler.onMessage(message);
        return Boolean.TRUE;
    };
    /** Messages a {@link #drain} takes between wake-ups of sleeping producers. */
    private static final int DRAIN_WAKE_INTERVAL = 64;

    final transient QueueSlots slots;
    final transient QueueShared shared;
    private final transient Codec<E> codec;
    /** Encodes and decodes a message in place; one each for the handle, so that a put or take allocates nothing for them. */
    private final transient SlotWriter<E> encoder;
    private final transient SlotReader<Void, E> decoder;
    private transient volatile WaitStrategy waitStrategy = WaitStrategy.BACKOFF;

    SharedQueue(Multiproc context, Attachment attachment, boolean createdHere, Codec<E> codec) {
        super(context, attachment, createdHere);
        this.shared = attachment.shared(QueueShared.class, QueueShared::new);
        this.slots = shared.slots;
        this.codec = Objects.requireNonNull(codec, "codec");
        this.encoder = (message, target) -> Encoding.encode(this.codec, message, target);
        this.decoder = (unused, message) -> Encoding.decode(this.codec, message, attachment.name(), "message");
    }

    /**
     * Attaches to the queue named {@code name}, made by any process on this machine.
     *
     * @throws SharedObjectNotFoundException       if there is no such name
     * @throws IncompatibleSharedObjectException if the name is not a queue
     */
    public static <E> SharedQueue<E> attach(String name, Codec<E> codec) {
        Objects.requireNonNull(codec, "codec");
        @SuppressWarnings("unchecked")
        SharedQueue<E> queue = (SharedQueue<E>) Multiproc.context().attach(
                new SharedObjectReference(ObjectKind.QUEUE.code(), name, 0, (Serializable) null), codec);
        return queue;
    }

    @Override
    ObjectKind kind() {
        return ObjectKind.QUEUE;
    }

    @Override
    Serializable referenceExtra() {
        if (!(codec instanceof Serializable serializable)) {
            throw new IllegalArgumentException("queue '" + name() + "' cannot travel: its codec " + codec + " is not Serializable");
        }
        return serializable;
    }

    /** How this handle waits (default {@link WaitStrategy#BACKOFF}). */
    public void setWaitStrategy(WaitStrategy waitStrategy) {
        this.waitStrategy = Objects.requireNonNull(waitStrategy);
    }

    /** The codec this handle encodes and decodes messages with. */
    public Codec<E> codec() {
        return codec;
    }

    /** The most messages the queue holds [maxsize]. */
    public int capacity() {
        return slots.capacity();
    }

    /** Bytes of encoded message that fit a slot; bigger messages spill into their own object. */
    public int slotBytes() {
        return slots.slotData();
    }

    // ------------------------------------------------------------------ producing

    /** Writes one message of {@code size} bytes, {@code value} with {@code writer}; used by every producing method. */
    private <T> boolean produce(int size, SlotWriter<T> writer, T value, long timeoutNanos) throws InterruptedException {
        ensureOpen();
        if (size < 0) {
            throw new IllegalArgumentException("message size must not be negative: " + size);
        }
        if (size > slots.maxMessageBytes()) {
            throw new MessageTooLargeException(name(), size, slots.maxMessageBytes());
        }
        ThreadEntry entry = shared.producerEntry();
        String spill = size > slots.slotData() ? writeSpill(size, writer, value) : null;
        long position;
        try {
            position = claim(entry, timeoutNanos);
        } catch (InterruptedException | RuntimeException e) {
            removeSpill(spill);
            throw e;
        }
        if (position < 0) {
            removeSpill(spill);
            return false;
        }
        try {
            if (spill != null) {
                slots.publish(position, slots.writeSpillName(position, spill), QueueLayout.FLAG_SPILLED);
                return true;
            }
            try {
                writer.write(value, slots.slot(position, size));
            } catch (RuntimeException e) {
                slots.abandon(position);
                throw e;
            }
            slots.publish(position, size, QueueLayout.FLAG_INLINE);
            return true;
        } finally {
            shared.claimEnded(entry);
        }
    }

    private long claim(ThreadEntry entry, long timeoutNanos) throws InterruptedException {
        long position = shared.tryClaimForProducer(entry);
        if (position >= 0 || timeoutNanos == 0) {
            return position;
        }
        for (int spin = briefSpins(timeoutNanos); spin > 0; spin--) {
            Thread.onSpinWait();
            position = shared.tryClaimForProducer(entry);
            if (position >= 0) {
                return position;
            }
        }
        // the clock is read only once a wait is needed: a read costs ~28 ns on a virtual machine's kvm-clock
        long waitStart = System.nanoTime();
        long deadline = waitStart + timeoutNanos;
        WaitEvent wait = EventGate.beginWait();
        try {
            while (true) {
                long remaining = timeoutNanos < 0 ? -1 : deadline - System.nanoTime();
                if (timeoutNanos > 0 && remaining <= 0) {
                    return -1;
                }
                if (!slots.awaitNotFull(remaining, waitStrategy.policy(), whileOpen()) && timeoutNanos > 0) {
                    return shared.tryClaimForProducer(entry);
                }
                position = shared.tryClaimForProducer(entry);
                if (position >= 0) {
                    return position;
                }
            }
        } finally {
            slots.passOnProducerWake();
            endWait(wait, waitStart, true);
        }
    }

    /**
     * How often a put or take that waits as long as it takes re-checks the queue before its wait
     * counts: a wait that ends within a brief spin is not a wait in {@link #metrics()}, since
     * counting it (two clock reads and two atomic adds on a line every side writes) costs more
     * than it did (a round trip's take waits ~0.1 µs; counted, its round trip took 40 % longer).
     * None where the strategy sleeps at once, and none for a timed wait, whose deadline needs the
     * clock anyway.
     */
    private int briefSpins(long timeoutNanos) {
        return timeoutNanos < 0 && waitStrategy.policy() != WaitPolicy.SLEEP ? BRIEF_SPINS : 0;
    }

    /** Counts a put's or take's wait in the queue and records it if it was long. */
    private void endWait(WaitEvent wait, long startNanos, boolean producer) {
        slots.countWait(producer, System.nanoTime() - startNanos);
        EventGate.endWait(wait, name(), kind().label(), producer ? "room in the queue" : "a message");
    }

    /**
     * A message too big for a slot goes into its own object, named after the queue (so it goes
     * with the queue) and this process's token (so no other process, in any PID namespace, can
     * choose the same name).
     */
    private <T> String writeSpill(int size, SlotWriter<T> writer, T value) {
        String spill = QueueSlots.spillPrefix(name()) + Long.toHexString(shared.token) + "-" + SPILLS.incrementAndGet();
        MappedRegion region;
        try {
            region = ObjectHeader.create(platform(), spill, ObjectKind.SPILL, size);
        } catch (NativeCallException e) {
            throw new MultiprocException("no shared memory left for a message of " + size + " bytes in queue '" + name()
                    + "' (" + e.getMessage() + "); nothing was enqueued", e);
        }
        EventGate.record(() -> SpillEvent.record(name(), size, slots.slotData()));
        slots.countSpill();
        try {
            writer.write(value, ObjectHeader.body(region));
            ObjectHeader.publish(region);
        } catch (RuntimeException e) {
            region.close();
            platform().unlinkRegion(spill);
            throw e;
        }
        region.close();
        return spill;
    }

    /** A spilled message, no bigger than the queue accepts (another process wrote it). */
    private MemorySegment spillBody(MappedRegion spill) {
        MemorySegment body = ObjectHeader.body(spill);
        if (body.byteSize() > slots.maxMessageBytes()) {
            throw new CorruptSharedObjectException(spill.name(), "message length", body.byteSize(),
                    "queue '" + name() + "' accepts messages of at most " + slots.maxMessageBytes() + " bytes");
        }
        return body;
    }

    private void removeSpill(String spill) {
        if (spill != null) {
            platform().unlinkRegion(spill);
        }
    }

    private boolean offer(E message, long timeoutNanos) throws InterruptedException {
        Objects.requireNonNull(message, "a SharedQueue holds no null elements");
        return produce(Encoding.size(codec, message), encoder, message, timeoutNanos);
    }

    /** Enqueues if there is room now; false if the queue is full. */
    @Override
    public boolean offer(E message) {
        try {
            return offer(message, 0);
        } catch (InterruptedException impossible) {
            throw new AssertionError(impossible);
        }
    }

    /** Enqueues, waiting at most the timeout for room; false if it stayed full [Full]. */
    @Override
    public boolean offer(E message, long timeout, TimeUnit unit) throws InterruptedException {
        return offer(message, Math.max(1, unit.toNanos(timeout)));
    }

    /** Enqueues, waiting for room as long as it takes. */
    @Override
    public void put(E message) throws InterruptedException {
        offer(message, -1);
    }

    /** Enqueues if there is room now. @throws IllegalStateException if the queue is full */
    @Override
    public boolean add(E message) {
        if (!offer(message)) {
            throw new IllegalStateException("queue '" + name() + "' is full (" + capacity() + " messages)");
        }
        return true;
    }

    /**
     * Zero-copy enqueue: claims a slot (or a spill object) for {@code size} bytes and lets
     * {@code writer} fill it in place; the message is committed when the writer returns, and
     * aborted (never delivered) if it throws. False if the queue is full.
     */
    public boolean offerInPlace(int size, Consumer<MemorySegment> writer) {
        try {
            return produce(size, CALLER_FILLS, Objects.requireNonNull(writer), 0);
        } catch (InterruptedException impossible) {
            throw new AssertionError(impossible);
        }
    }

    /** {@link #offerInPlace} that waits for room as long as it takes. */
    public void putInPlace(int size, Consumer<MemorySegment> writer) throws InterruptedException {
        produce(size, CALLER_FILLS, Objects.requireNonNull(writer), -1);
    }

    /** {@link #offerInPlace} that waits at most the timeout for room; false if the queue stayed full [Full]. */
    public boolean offerInPlace(int size, Consumer<MemorySegment> writer, long timeout, TimeUnit unit) throws InterruptedException {
        return produce(size, CALLER_FILLS, Objects.requireNonNull(writer), Math.max(1, unit.toNanos(timeout)));
    }

    // ------------------------------------------------------------------ consuming

    /**
     * Reads one message with {@code reader} and {@code argument}; used by every consuming
     * method. Returns what the reader returned (never null: a decoded message, or TRUE for
     * in-place readers), or null if no message came in time. Sleeping producers are woken
     * before it returns if {@code wakeProducers}; otherwise the caller must call
     * {@link QueueSlots#wakeProducers()} after its last take.
     */
    private <A, R> R consume(SlotReader<A, R> reader, A argument, long timeoutNanos, boolean wakeProducers)
            throws InterruptedException {
        ensureOpen();
        return consumeAs(shared.consumerEntry(), reader, argument, timeoutNanos, wakeProducers);
    }

    /** {@link #consume} by the thread of intent entry {@code entry}, which holds the consumer's role if the queue has one. */
    private <A, R> R consumeAs(ThreadEntry entry, SlotReader<A, R> reader, A argument, long timeoutNanos, boolean wakeProducers)
            throws InterruptedException {
        // a joinable queue's consumer owes each message it takes until taskDone(); owing before the
        // take means a consumer that dies holding a message always leaves a debt to settle
        int debt = slots.joinable() ? shared.debtSlot() : ParticipantTable.NO_SLOT;
        slots.addDebt(debt, 1);
        int briefSpins = briefSpins(timeoutNanos);
        boolean taken = false;
        boolean released = false;
        WaitEvent wait = null;
        long waitStart = 0;
        boolean waited = false;
        try {
            long deadline = 0;
            while (true) {
                long claimed = shared.tryClaimForConsumer(entry, timeoutNanos != 0);
                if (claimed >= 0) {
                    try {
                        released = true;
                        long position = QueueSlots.claimedPosition(claimed);
                        if (QueueSlots.isSkippedClaim(claimed)) {
                            slots.releaseSkippedQuietly(position);
                            continue;
                        }
                        taken = true;
                        return read(position, slots.lengthAndFlags(position), reader, argument);
                    } finally {
                        shared.claimEnded(entry);
                    }
                }
                if (timeoutNanos == 0) {
                    if (shared.recoverNowAndThen(entry)) {
                        continue;
                    }
                    return null;
                }
                if (briefSpins > 0) {
                    briefSpins--;
                    Thread.onSpinWait();
                    continue;
                }
                if (!waited) {
                    // as in claim: the clock is read only once a wait is needed
                    waitStart = System.nanoTime();
                    deadline = waitStart + timeoutNanos;
                    waited = true;
                    wait = EventGate.beginWait();
                }
                long remaining = timeoutNanos < 0 ? -1 : deadline - System.nanoTime();
                if (timeoutNanos > 0 && remaining <= 0) {
                    return null;
                }
                if (slots.singleConsumer()) {
                    slots.awaitNotEmpty(remaining, waitStrategy.policy(), whileOpen());
                } else {
                    slots.awaitNotEmpty(remaining, waitStrategy.policy(), whileOpen(), shared.consumerRecovery(entry));
                }
            }
        } finally {
            if (waited) {
                slots.passOnConsumerWake();
                endWait(wait, waitStart, false);
            }
            if (!taken) {
                slots.addDebt(debt, -1);
            }
            if (released && wakeProducers) {
                slots.wakeProducers();
            }
        }
    }

    private <A, R> R read(long position, long lengthAndFlags, SlotReader<A, R> reader, A argument) {
        shared.noteDelivery(QueueSlots.redeliveriesOf(lengthAndFlags));
        try {
            if (QueueSlots.flagsOf(lengthAndFlags) == QueueLayout.FLAG_SPILLED) {
                String spill = slots.spillName(position);
                MappedRegion region = ObjectHeader.open(platform(), spill, ObjectKind.SPILL);
                try {
                    return reader.read(argument, spillBody(region));
                } finally {
                    region.close();
                    platform().unlinkRegion(spill);
                }
            }
            return reader.read(argument, slots.slot(position, QueueSlots.lengthOf(lengthAndFlags)));
        } finally {
            slots.releaseQuietly(position);
        }
    }

    private E poll(long timeoutNanos) throws InterruptedException {
        return consume(decoder, null, timeoutNanos, true);
    }

    /**
     * How many times the message this thread took last from this queue — the one a
     * {@link #drain} handler or in-place reader is handling now — has been delivered, this time
     * included: 1, unless consumers died holding it before (it is then delivered again, up to
     * {@value dev.multiproc.internal.shm.queue.QueueLayout#MAX_REDELIVERIES} times more). A
     * consumer killed in a handler may have done part of its work, so a handler whose work must
     * not be done twice checks what it did before when this is above 1. Also 1 before the thread
     * has taken anything.
     */
    public int deliveryCount() {
        return shared.deliveryCount();
    }

    /** Dequeues the head, or returns null if the queue is empty [Empty]. */
    @Override
    public E poll() {
        try {
            return poll(0);
        } catch (InterruptedException impossible) {
            throw new AssertionError(impossible);
        }
    }

    /** Dequeues, waiting at most the timeout; null if nothing came [Empty]. */
    @Override
    public E poll(long timeout, TimeUnit unit) throws InterruptedException {
        return poll(Math.max(1, unit.toNanos(timeout)));
    }

    /** Dequeues, waiting as long as it takes. */
    @Override
    public E take() throws InterruptedException {
        return poll(-1);
    }

    @Override
    public E remove() {
        E head = poll();
        if (head == null) {
            throw new NoSuchElementException("queue '" + name() + "' is empty");
        }
        return head;
    }

    /**
     * Zero-copy dequeue: gives the next message's bytes to {@code reader}, as a view valid only
     * during the call. False if the queue is empty. The reader may use this queue as a
     * {@link #drain} handler may.
     */
    public boolean pollInPlace(Consumer<MemorySegment> reader) {
        Objects.requireNonNull(reader);
        try {
            return consume(CALLER_READS, reader, 0, true) != null;
        } catch (InterruptedException impossible) {
            throw new AssertionError(impossible);
        }
    }

    /** {@link #pollInPlace} that waits for a message as long as it takes. */
    public void takeInPlace(Consumer<MemorySegment> reader) throws InterruptedException {
        Objects.requireNonNull(reader);
        consume(CALLER_READS, reader, -1, true);
    }

    /** {@link #pollInPlace} that waits at most the timeout for a message; false if none came [Empty]. */
    public boolean pollInPlace(Consumer<MemorySegment> reader, long timeout, TimeUnit unit) throws InterruptedException {
        Objects.requireNonNull(reader);
        return consume(CALLER_READS, reader, Math.max(1, unit.toNanos(timeout)), true) != null;
    }

    /**
     * Zero-copy batch dequeue: gives {@code handler} each message there is now, oldest first, up
     * to {@code maxMessages}, as a view valid only during its call, and returns how many. Slots
     * go back to producers as each message is read, with one wake-up of sleeping producers per
     * {@value #DRAIN_WAKE_INTERVAL} messages instead of one per message. A message whose handler
     * throws counts as taken (as with {@link #pollInPlace}); the exception ends the drain and the
     * messages after it stay in the queue. The handler may put into this queue, and (with many
     * consumers) take from it; a single consumer (mode MPSC or SPSC) taking from it inside the
     * handler gets {@link IllegalStateException}. The message's slot stays the handler's until it
     * returns, so a put inside it that comes round the ring to that slot waits until then: there,
     * {@code offer} rather than {@code put}.
     */
    public int drain(MessageHandler handler, int maxMessages) {
        Objects.requireNonNull(handler, "handler");
        return drainWith(HANDLER_READS, handler, maxMessages, null);
    }

    /**
     * Takes up to {@code maxMessages} messages now in the queue, oldest first; each call takes
     * what there is and never waits.
     */
    private <A> int drainWith(SlotReader<A, ?> reader, A argument, int maxMessages, Consumer<Object> sink) {
        if (maxMessages < 0) {
            throw new IllegalArgumentException("maxMessages must not be negative: " + maxMessages);
        }
        ensureOpen();
        ThreadEntry entry = shared.consumerEntry();
        int drained = 0;
        try {
            while (drained < maxMessages) {
                Object message = consumeAs(entry, reader, argument, 0, false);
                if (message == null) {
                    break;
                }
                drained++;
                if (sink != null) {
                    sink.accept(message);
                }
                if (drained % DRAIN_WAKE_INTERVAL == 0) {
                    slots.wakeProducers();
                }
            }
        } catch (InterruptedException impossible) {
            throw new AssertionError(impossible);
        } finally {
            slots.wakeProducers();
        }
        return drained;
    }

    @Override
    public int drainTo(Collection<? super E> target) {
        return drainTo(target, Integer.MAX_VALUE);
    }

    @Override
    public int drainTo(Collection<? super E> target, int maxElements) {
        Objects.requireNonNull(target);
        if (target == this) {
            throw new IllegalArgumentException("cannot drain a queue into itself");
        }
        @SuppressWarnings("unchecked")
        Consumer<Object> sink = message -> target.add((E) message);
        return drainWith(decoder, null, Math.max(0, maxElements), sink);
    }

    // ------------------------------------------------------------------ looking without taking

    /** The messages in the queue now, oldest first, without removing them (weakly consistent). */
    private List<E> snapshot(int limit) {
        ensureOpen();
        List<E> messages = new ArrayList<>();
        long tail = slots.tail();
        // never more than one lap, whatever head and tail say
        long head = Math.max(slots.head(), tail - slots.capacity());
        for (long position = head; position < tail && messages.size() < limit; position++) {
            try {
                if (!slots.holds(position)) {
                    continue;
                }
                int flags = slots.flags(position);
                int length = slots.length(position);
                E message;
                if (flags == QueueLayout.FLAG_SPILLED) {
                    String spill = slots.spillName(position);
                    MappedRegion region = ObjectHeader.open(platform(), spill, ObjectKind.SPILL);
                    try {
                        message = codec.decode(spillBody(region));
                    } finally {
                        region.close();
                    }
                } else {
                    byte[] copy = slots.slot(position, length).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                    message = codec.decode(MemorySegment.ofArray(copy));
                }
                if (slots.holds(position)) {
                    messages.add(message);
                }
            } catch (RuntimeException consumedMeanwhile) {
                // a consumer took the message while we read it: it is no longer in the queue
            }
        }
        return messages;
    }

    /** The head without removing it, or null if empty. */
    @Override
    public E peek() {
        List<E> head = snapshot(1);
        return head.isEmpty() ? null : head.getFirst();
    }

    @Override
    public E element() {
        E head = peek();
        if (head == null) {
            throw new NoSuchElementException("queue '" + name() + "' is empty");
        }
        return head;
    }

    @Override
    public boolean contains(Object o) {
        return o != null && snapshot(Integer.MAX_VALUE).contains(o);
    }

    @Override
    public boolean containsAll(Collection<?> c) {
        return snapshot(Integer.MAX_VALUE).containsAll(c);
    }

    /** A snapshot of the messages now; it does not change as the queue does. */
    @Override
    public Iterator<E> iterator() {
        return java.util.Collections.unmodifiableList(snapshot(Integer.MAX_VALUE)).iterator();
    }

    @Override
    public Object[] toArray() {
        return snapshot(Integer.MAX_VALUE).toArray();
    }

    @Override
    public <T> T[] toArray(T[] array) {
        return snapshot(Integer.MAX_VALUE).toArray(array);
    }

    // ------------------------------------------------------------------ counts and bulk

    /**
     * The queue's numbers now, read from shared memory: every process (and {@code multiproc ls})
     * sees the same. Counts are since the queue was made, by all processes.
     */
    public QueueMetrics metrics() {
        ensureOpen();
        QueueSlots.Counters counters = slots.counters();
        return new QueueMetrics(slots.size(), slots.capacity(), counters.put(), counters.taken(), counters.skipped(),
                counters.spills(), counters.producerWaits(), counters.consumerWaits(), counters.waitedNanos(),
                slots.producersWaiting(), slots.consumersWaiting(), slots.joinable() ? slots.unfinished() : 0);
    }

    /** Messages in the queue at this moment (claimed by producers, not yet taken). */
    @Override
    public int size() {
        ensureOpen();
        return (int) slots.size();
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    @Override
    public int remainingCapacity() {
        return capacity() - size();
    }

    @Override
    public boolean addAll(Collection<? extends E> messages) {
        if (messages == this) {
            throw new IllegalArgumentException("cannot add a queue to itself");
        }
        boolean changed = false;
        for (E message : messages) {
            changed |= add(message);
        }
        return changed;
    }

    /** Takes and drops every message now in the queue. */
    @Override
    public void clear() {
        while (poll() != null) {
            Thread.onSpinWait();
        }
    }

    @Override
    public boolean remove(Object o) {
        throw new UnsupportedOperationException("a shared queue removes from its head only (poll, take)");
    }

    @Override
    public boolean removeAll(Collection<?> c) {
        throw new UnsupportedOperationException("a shared queue removes from its head only (poll, take)");
    }

    @Override
    public boolean retainAll(Collection<?> c) {
        throw new UnsupportedOperationException("a shared queue removes from its head only (poll, take)");
    }
}
