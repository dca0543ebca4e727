package dev.multiproc;

import dev.multiproc.codec.Codec;
import dev.multiproc.shm.header.ObjectHeader;
import dev.multiproc.shm.header.ObjectKind;
import dev.multiproc.shm.queue.QueueLayout;
import dev.multiproc.shm.queue.QueueSlots;
import dev.multiproc.spi.MappedRegion;

import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A bounded first-in first-out queue shared by any number of producer and consumer processes
 * (and threads in each): Python's {@code multiprocessing.Queue} as a {@link BlockingQueue}.
 * With several producers, each producer's messages keep their order.
 *
 * <p>Messages live in fixed slots in shared memory. A message that fits its slot is encoded
 * straight into it and decoded straight out of it; a bigger one is written into a separate
 * shared-memory object whose name goes through the slot (see {@code spec/queue.md}), so any
 * size fits that memory allows. {@link #offerInPlace} and {@link #pollInPlace} give the raw
 * slot to a callback, for zero-copy producers and consumers.
 *
 * <p>Memory effects: actions of a producer before it enqueues a message happen-before the
 * actions of the consumer after it dequeues that message, in any process.
 *
 * <p>Death: a producer killed after claiming a slot and before filling it does not block the
 * consumers: within one wait slice (50 ms) a waiting consumer finds that only dead threads
 * meant to claim that position and skips it; every message that was committed is delivered
 * exactly once. A consumer killed while reading a message loses that message; a waiting
 * producer gives its slot back. {@link #size()} stays exact for the survivors.
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

    final transient QueueSlots slots;
    private final transient Codec<E> codec;
    private final transient long processToken;
    private final transient ThreadLocal<Integer> threadEntry = new ThreadLocal<>();
    private final transient Map<Integer, WeakReference<Thread>> localEntries = new HashMap<>();
    private final transient AtomicLong spillCounter = new AtomicLong();
    private transient volatile WaitStrategy waitStrategy = WaitStrategy.BACKOFF;
    private transient volatile long lastRecoveryCheck;

    SharedQueue(Multiproc context, MappedRegion region, boolean createdHere, Codec<E> codec) {
        super(context, region, createdHere);
        this.slots = new QueueSlots(context.platform(), region);
        this.codec = Objects.requireNonNull(codec, "codec");
        this.processToken = context.platform().currentProcess().token();
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

    /** The most messages the queue holds [maxsize]. */
    public int capacity() {
        return slots.capacity();
    }

    /** Bytes of encoded message that fit a slot; bigger messages spill into their own object. */
    public int slotBytes() {
        return slots.slotData();
    }

    /** This thread's entry in the queue's intent table, claimed on its first use of the queue. */
    private int entry() {
        Integer entry = threadEntry.get();
        if (entry != null) {
            return entry;
        }
        synchronized (localEntries) {
            localEntries.entrySet().removeIf(local -> {
                Thread thread = local.getValue().get();
                if (thread == null || !thread.isAlive()) {
                    slots.releaseEntry(local.getKey(), processToken);
                    return true;
                }
                return false;
            });
            int claimed = slots.claimEntry(processToken);
            if (claimed < 0) {
                throw new MultiprocException("queue '" + name() + "' is used by " + QueueLayout.INTENT_ENTRIES
                        + " live threads already (across all processes), its limit");
            }
            localEntries.put(claimed, new WeakReference<>(Thread.currentThread()));
            threadEntry.set(claimed);
            return claimed;
        }
    }

    // ------------------------------------------------------------------ producing

    /** Writes one message of {@code size} bytes with {@code writer}; used by every producing method. */
    private boolean produce(int size, Consumer<MemorySegment> writer, long timeoutNanos) throws InterruptedException {
        ensureOpen();
        if (size < 0) {
            throw new IllegalArgumentException("message size must not be negative: " + size);
        }
        int entry = entry();
        String spill = size > slots.slotData() ? writeSpill(size, writer) : null;
        boolean joinable = slots.joinable();
        if (joinable) {
            slots.addUnfinished(1);
        }
        long position;
        try {
            position = claim(entry, timeoutNanos);
        } catch (InterruptedException | RuntimeException e) {
            undo(joinable, spill);
            throw e;
        }
        if (position < 0) {
            undo(joinable, spill);
            return false;
        }
        if (spill != null) {
            slots.publish(position, slots.writeSpillName(position, spill), QueueLayout.FLAG_SPILLED);
            return true;
        }
        try {
            writer.accept(slots.slot(position, size));
        } catch (RuntimeException e) {
            slots.publish(position, 0, QueueLayout.FLAG_SKIPPED);
            undo(joinable, null);
            throw e;
        }
        slots.publish(position, size, QueueLayout.FLAG_INLINE);
        return true;
    }

    private void undo(boolean joinable, String spill) {
        if (joinable) {
            slots.addUnfinished(-1);
        }
        if (spill != null) {
            platform().unlinkRegion(spill);
        }
    }

    private long claim(int entry, long timeoutNanos) throws InterruptedException {
        long position = slots.tryClaimForProducer(entry);
        if (position >= 0 || timeoutNanos == 0) {
            return position;
        }
        // the clock is read only once a wait is needed: a read costs ~28 ns on a virtual machine's kvm-clock
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            long remaining = timeoutNanos < 0 ? -1 : deadline - System.nanoTime();
            if (timeoutNanos > 0 && remaining <= 0) {
                return -1;
            }
            if (!slots.awaitNotFull(entry, remaining, waitStrategy, this::removeSpill) && timeoutNanos > 0) {
                return slots.tryClaimForProducer(entry);
            }
            position = slots.tryClaimForProducer(entry);
            if (position >= 0) {
                return position;
            }
        }
    }

    /** A message too big for a slot goes into its own object, named after the queue so it is collected with it. */
    private String writeSpill(int size, Consumer<MemorySegment> writer) {
        String spill = name() + "-s" + platform().currentProcess().pid() + "-" + spillCounter.incrementAndGet();
        MappedRegion region;
        try {
            region = ObjectHeader.create(platform(), spill, ObjectKind.SPILL, size);
        } catch (NativeCallException e) {
            throw new MultiprocException("no shared memory left for a message of " + size + " bytes in queue '" + name()
                    + "' (" + e.getMessage() + "); nothing was enqueued", e);
        }
        try {
            writer.accept(ObjectHeader.body(region));
            ObjectHeader.publish(region);
        } catch (RuntimeException e) {
            region.close();
            platform().unlinkRegion(spill);
            throw e;
        }
        region.close();
        return spill;
    }

    private void removeSpill(String spill) {
        platform().unlinkRegion(spill);
    }

    private boolean offer(E message, long timeoutNanos) throws InterruptedException {
        Objects.requireNonNull(message, "a SharedQueue holds no null elements");
        int size = codec.encodedSize(message);
        return produce(size, target -> codec.encode(message, target), timeoutNanos);
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
            return produce(size, Objects.requireNonNull(writer), 0);
        } catch (InterruptedException impossible) {
            throw new AssertionError(impossible);
        }
    }

    /** {@link #offerInPlace} that waits for room as long as it takes. */
    public void putInPlace(int size, Consumer<MemorySegment> writer) throws InterruptedException {
        produce(size, Objects.requireNonNull(writer), -1);
    }

    // ------------------------------------------------------------------ consuming

    /**
     * Reads one message with {@code reader}; used by every consuming method. Returns what the
     * reader returned (never null: a decoded message, or TRUE for in-place readers), or null if
     * no message came in time.
     */
    private <R> R consume(java.util.function.Function<MemorySegment, R> reader, long timeoutNanos)
            throws InterruptedException {
        ensureOpen();
        int entry = entry();
        long deadline = 0;
        boolean waited = false;
        while (true) {
            long position = slots.tryClaimForConsumer(entry);
            if (position >= 0) {
                int flags = slots.flags(position);
                if (flags == QueueLayout.FLAG_SKIPPED) {
                    slots.releaseSkipped(position);
                    continue;
                }
                return read(position, flags, reader);
            }
            if (timeoutNanos == 0) {
                if (recoverNowAndThen()) {
                    continue;
                }
                return null;
            }
            if (!waited) {
                // as in claim: the clock is read only once a wait is needed
                deadline = System.nanoTime() + timeoutNanos;
                waited = true;
            }
            long remaining = timeoutNanos < 0 ? -1 : deadline - System.nanoTime();
            if (timeoutNanos > 0 && remaining <= 0) {
                return null;
            }
            slots.awaitNotEmpty(remaining, waitStrategy);
        }
    }

    private <R> R read(long position, int flags, java.util.function.Function<MemorySegment, R> reader) {
        try {
            if (flags == QueueLayout.FLAG_SPILLED) {
                String spill = slots.spillName(position);
                MappedRegion region = ObjectHeader.open(platform(), spill, ObjectKind.SPILL);
                try {
                    return reader.apply(ObjectHeader.body(region));
                } finally {
                    region.close();
                    platform().unlinkRegion(spill);
                }
            }
            return reader.apply(slots.slot(position, slots.length(position)));
        } finally {
            slots.release(position);
        }
    }

    /**
     * A non-blocking poll cannot sleep through a wait slice: it looks for a slot abandoned by a
     * dead producer itself, at most every 10 ms; true if it turned one into a skipped slot.
     */
    private boolean recoverNowAndThen() {
        long now = System.nanoTime();
        if (now - lastRecoveryCheck > RECOVERY_CHECK_NANOS) {
            lastRecoveryCheck = now;
            return slots.recoverAbandonedProducerSlot();
        }
        return false;
    }

    private E poll(long timeoutNanos) throws InterruptedException {
        return consume(codec::decode, timeoutNanos);
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
     * during the call. False if the queue is empty.
     */
    public boolean pollInPlace(Consumer<MemorySegment> reader) {
        Objects.requireNonNull(reader);
        try {
            return consume(segment -> {
                reader.accept(segment);
                return Boolean.TRUE;
            }, 0) != null;
        } catch (InterruptedException impossible) {
            throw new AssertionError(impossible);
        }
    }

    /** {@link #pollInPlace} that waits for a message as long as it takes. */
    public void takeInPlace(Consumer<MemorySegment> reader) throws InterruptedException {
        Objects.requireNonNull(reader);
        consume(segment -> {
            reader.accept(segment);
            return Boolean.TRUE;
        }, -1);
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
        int drained = 0;
        E message;
        while (drained < maxElements && (message = poll()) != null) {
            target.add(message);
            drained++;
        }
        return drained;
    }

    // ------------------------------------------------------------------ looking without taking

    /** The messages in the queue now, oldest first, without removing them (weakly consistent). */
    private List<E> snapshot(int limit) {
        ensureOpen();
        List<E> messages = new ArrayList<>();
        long head = slots.head();
        long tail = slots.tail();
        for (long position = head; position < tail && messages.size() < limit; position++) {
            if (!slots.holds(position)) {
                continue;
            }
            int flags = slots.flags(position);
            int length = slots.length(position);
            if (flags == QueueLayout.FLAG_SKIPPED) {
                continue;
            }
            try {
                E message;
                if (flags == QueueLayout.FLAG_SPILLED) {
                    String spill = slots.spillName(position);
                    MappedRegion region = ObjectHeader.open(platform(), spill, ObjectKind.SPILL);
                    try {
                        message = codec.decode(ObjectHeader.body(region));
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

    @Override
    void releaseAttachment() {
        synchronized (localEntries) {
            for (int entry : localEntries.keySet()) {
                slots.releaseEntry(entry, processToken);
            }
            localEntries.clear();
        }
    }

    @Override
    void wakeWaiters() {
        slots.wakeAll();
    }
}
