package dev.multiproc.remote;

import dev.multiproc.Connection;
import dev.multiproc.MultiprocException;
import dev.multiproc.codec.Codec;

import java.io.EOFException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.AbstractQueue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * A queue another host exports ({@link Remote#exportQueue}), as a {@link BlockingQueue}: what is
 * put here lands in that queue, what is taken here comes out of it.
 *
 * <p>Putting: {@link #put} sends a message and returns without waiting for an answer, waiting
 * only while the exporter holds producers back (its queue is full). Each put lands in the
 * exported queue at most once, in the order put (Aeron's ordered, duplicate-free delivery on one
 * connection). The exporter confirms what it has put; {@link #flush} waits until every put is
 * confirmed, and {@link #confirmed()} says how many are. If the exporter dies or becomes
 * unreachable, {@code flush} and later puts throw {@link MultiprocException} naming how many puts
 * were sent and not confirmed — those may or may not be in the queue (at most once: nothing is
 * sent twice). One thread puts at a time ({@code put} and {@code offer}), as on a {@link Connection}.
 *
 * <p>Everything else asks the exporter and waits for its answer, over a second connection made at
 * the first such call; any number of threads may ask, one at a time. {@link #offer(Object)} first
 * waits for the puts before it to be confirmed, so that it lands after them. {@link #take} and
 * {@link #poll(long, TimeUnit)} wait at the exporter; interrupted, they ask it to stop and get its
 * answer all the same — if a message came with it, it is returned with the thread's interrupt
 * status set, else {@link InterruptedException} is thrown — so no message is left between them.
 * {@link #peek}, {@link #iterator}, {@link #size} and {@link #remainingCapacity} tell the queue
 * as it was when the exporter answered.
 *
 * <p>Taking is at least once: the exporter keeps each message it sends until this side says it
 * holds it (before handing it out), and puts it back into the queue — at its tail, after the
 * messages put meanwhile — if the connection ends first: this process killed, closed or cut off
 * while the message travels. A message handed out here is this process's, as one taken from a
 * local queue is. For a {@link dev.multiproc.JoinableQueue}, {@link #taskDone()} marks one
 * message taken here done; what this side took and has not marked done when its connection ends
 * counts as done, as a dead local consumer's debt does. If the exporter dies or becomes
 * unreachable, these calls throw {@link MultiprocException}, and a message it had taken for this
 * side and not yet sent is lost with it.
 *
 * @param <T> the type of the messages (encoded with the codec the exported queue was made with)
 */
public final class RemoteQueue<T> extends AbstractQueue<T> implements BlockingQueue<T>, AutoCloseable {
    private final String channel;
    private final Codec<T> codec;
    private final Connection<byte[]> connection;
    private final Supplier<Connection<byte[]>> consumerConnector;
    private final Duration peerTimeout;
    private final Object confirmations = new Object();
    private long sent;
    /** Guarded by {@link #confirmations}. */
    private long confirmed;
    /** Guarded by {@link #confirmations}: the exporter is gone. */
    private boolean ended;
    /** One request to the exporter at a time. */
    private final ReentrantLock requests = new ReentrantLock();
    /** The connection requests go over, made at the first; guarded by {@link #requests} (read without it to close). */
    private volatile Connection<byte[]> consumer;
    /** Guarded by {@link #requests}: the consumer's connection ended. */
    private boolean consumerEnded;

    RemoteQueue(String channel, Codec<T> codec, Connection<byte[]> connection, Supplier<Connection<byte[]>> consumerConnector,
                Duration peerTimeout) {
        this.channel = channel;
        this.codec = Objects.requireNonNull(codec, "codec");
        this.connection = connection;
        this.consumerConnector = consumerConnector;
        this.peerTimeout = peerTimeout;
        connection.sendBytes(QueueWire.op(QueueWire.ROLE_PRODUCER));
        Thread reader = new Thread(this::readConfirmations, "multiproc-remote-queue " + channel);
        reader.setDaemon(true);
        reader.start();
    }

    /** Sends {@code message} to the exported queue, waiting while the exporter holds producers back. */
    @Override
    public void put(T message) {
        Objects.requireNonNull(message, "a queue holds no null messages");
        synchronized (confirmations) {
            if (ended) {
                throw exporterGone();
            }
        }
        byte[] bytes = new byte[codec.encodedSize(message)];
        codec.encode(message, MemorySegment.ofArray(bytes));
        try {
            connection.sendBytes(bytes);
        } catch (IllegalStateException gone) {
            throw exporterGone();
        }
        sent++;
    }

    /** Puts sent so far. */
    public long sent() {
        return sent;
    }

    /** Puts the exporter has confirmed are in its queue. */
    public long confirmed() {
        synchronized (confirmations) {
            return confirmed;
        }
    }

    /**
     * Waits until every put so far is in the exported queue.
     *
     * @throws MultiprocException if the exporter went away first, or {@code timeout} passed
     */
    public void flush(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (confirmations) {
            while (confirmed < sent) {
                if (ended) {
                    throw exporterGone();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new MultiprocException("queue at " + channel + ": " + (sent - confirmed) + " of " + sent
                            + " puts not confirmed within " + timeout);
                }
                confirmations.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /**
     * Flushes (up to the peer timeout), then closes the connections. Puts not confirmed by then —
     * the exporter gone, or its queue full for that long — stay unconfirmed ({@link #confirmed()}).
     * A take waiting meanwhile throws {@link MultiprocException}; a message the exporter had sent
     * it goes back into the queue.
     */
    @Override
    public void close() {
        try {
            flush(peerTimeout);
        } catch (MultiprocException unconfirmed) {
            // reported by confirmed(); closing goes on
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            connection.close();
            Connection<byte[]> asking = consumer;
            if (asking != null) {
                asking.close();
            }
        }
    }

    // ------------------------------------------------------------------ asking the exporter

    /** Takes the oldest message, waiting at the exporter as long as it takes. */
    @Override
    public T take() throws InterruptedException {
        return takeOne(-1, true);
    }

    /** Takes the oldest message, waiting at the exporter at most the timeout; null if none came. */
    @Override
    public T poll(long timeout, TimeUnit unit) throws InterruptedException {
        return takeOne(Math.max(0, unit.toNanos(timeout)), true);
    }

    /** Takes the oldest message if there is one at the exporter now; null if not. */
    @Override
    public T poll() {
        try {
            return takeOne(0, false);
        } catch (InterruptedException impossible) {
            throw new AssertionError(impossible);
        }
    }

    @Override
    public int drainTo(Collection<? super T> target) {
        return drainTo(target, Integer.MAX_VALUE);
    }

    /** Takes up to {@code maxElements} messages there are at the exporter now, oldest first, a batch an answer. */
    @Override
    public int drainTo(Collection<? super T> target, int maxElements) {
        Objects.requireNonNull(target, "target");
        if (target == this) {
            throw new IllegalArgumentException("cannot drain a queue into itself");
        }
        int drained = 0;
        try {
            while (drained < maxElements) {
                List<T> batch = takeAnswer(0, maxElements - drained, false);
                if (batch.isEmpty()) {
                    break;
                }
                target.addAll(batch);
                drained += batch.size();
            }
        } catch (InterruptedException impossible) {
            throw new AssertionError(impossible);
        }
        return drained;
    }

    /** Puts {@code message} if the exported queue has room now (after the puts before it landed). */
    @Override
    public boolean offer(T message) {
        try {
            return offerAsking(message, 0, false);
        } catch (InterruptedException impossible) {
            throw new AssertionError(impossible);
        }
    }

    /** Puts {@code message}, waiting at the exporter at most the timeout for room (after the puts before it landed). */
    @Override
    public boolean offer(T message, long timeout, TimeUnit unit) throws InterruptedException {
        return offerAsking(message, Math.max(0, unit.toNanos(timeout)), true);
    }

    /** The oldest message, not taken; null if the exported queue is empty. */
    @Override
    public T peek() {
        List<T> oldest = decode(messagesAnswer(QueueWire.look(1)));
        return oldest.isEmpty() ? null : oldest.getFirst();
    }

    /** A copy of the messages in the exported queue when the exporter answered (up to a MiB of them). */
    @Override
    public Iterator<T> iterator() {
        return Collections.unmodifiableList(decode(messagesAnswer(QueueWire.look(Integer.MAX_VALUE)))).iterator();
    }

    /** Messages in the exported queue when the exporter answered. */
    @Override
    public int size() {
        return ByteBuffer.wrap(counts()).getInt(QueueWire.COUNTS_SIZE_OFFSET);
    }

    @Override
    public int remainingCapacity() {
        ByteBuffer counts = ByteBuffer.wrap(counts());
        return counts.getInt(QueueWire.COUNTS_CAPACITY_OFFSET) - counts.getInt(QueueWire.COUNTS_SIZE_OFFSET);
    }

    /**
     * Marks one message taken here done, for {@link dev.multiproc.JoinableQueue#join()} on the
     * exported queue.
     *
     * @throws IllegalStateException if that queue is not joinable, or every message taken here is done
     */
    public void taskDone() {
        if (!QueueWire.yes(askUninterruptibly(QueueWire.op(QueueWire.DONE)))) {
            throw new IllegalStateException("taskDone() on the queue at " + channel
                    + ": the queue is not joinable, or every message taken here is marked done already");
        }
    }

    @Override
    public String toString() {
        return "RemoteQueue[" + channel + "]";
    }

    private T takeOne(long waitNanos, boolean interruptible) throws InterruptedException {
        List<T> taken = takeAnswer(waitNanos, 1, interruptible);
        return taken.isEmpty() ? null : taken.getFirst();
    }

    /** A TAKE's messages, acknowledged; an interrupted wait that brought none throws. */
    private List<T> takeAnswer(long waitNanos, int maxMessages, boolean interruptible) throws InterruptedException {
        lock(interruptible);
        try {
            List<byte[]> messages = QueueWire.messages(ask(QueueWire.take(waitNanos, maxMessages)));
            if (!messages.isEmpty()) {
                send(consumer, QueueWire.op(QueueWire.ACK));
            } else if (interruptible && Thread.interrupted()) {
                throw new InterruptedException("interrupted while taking from the queue at " + channel);
            }
            return decode(messages);
        } catch (IllegalArgumentException malformed) {
            throw new MultiprocException("the exporter of the queue at " + channel + " answered a take wrongly", malformed);
        } finally {
            requests.unlock();
        }
    }

    private boolean offerAsking(T message, long waitNanos, boolean interruptible) throws InterruptedException {
        Objects.requireNonNull(message, "a queue holds no null messages");
        byte[] bytes = new byte[codec.encodedSize(message)];
        codec.encode(message, MemorySegment.ofArray(bytes));
        if (sent > confirmed()) {
            flush(peerTimeout);
        }
        lock(interruptible);
        try {
            boolean put = QueueWire.yes(ask(QueueWire.offer(waitNanos, bytes)));
            if (!put && interruptible && Thread.interrupted()) {
                throw new InterruptedException("interrupted while offering to the queue at " + channel);
            }
            return put;
        } finally {
            requests.unlock();
        }
    }

    private byte[] counts() {
        byte[] counts = askUninterruptibly(QueueWire.op(QueueWire.COUNT));
        if (counts.length != QueueWire.COUNTS_LENGTH) {
            throw new MultiprocException("the exporter of the queue at " + channel + " answered a count with " + counts.length + " bytes");
        }
        return counts;
    }

    private List<byte[]> messagesAnswer(byte[] request) {
        try {
            return QueueWire.messages(askUninterruptibly(request));
        } catch (IllegalArgumentException malformed) {
            throw new MultiprocException("the exporter of the queue at " + channel + " answered wrongly", malformed);
        }
    }

    private List<T> decode(List<byte[]> messages) {
        List<T> decoded = new ArrayList<>(messages.size());
        for (byte[] message : messages) {
            decoded.add(codec.decode(MemorySegment.ofArray(message)));
        }
        return decoded;
    }

    private byte[] askUninterruptibly(byte[] request) {
        requests.lock();
        try {
            return ask(request);
        } catch (InterruptedException impossible) {
            throw new AssertionError(impossible);
        } finally {
            requests.unlock();
        }
    }

    private void lock(boolean interruptible) throws InterruptedException {
        if (interruptible) {
            requests.lockInterruptibly();
        } else {
            requests.lock();
        }
    }

    /**
     * Sends {@code request} and waits for the answer; interrupted meanwhile, sends a STOP, waits for
     * the answer all the same and returns it with the thread's interrupt status set. Holds
     * {@link #requests}.
     */
    private byte[] ask(byte[] request) throws InterruptedException {
        Connection<byte[]> asking = consumerConnection();
        send(asking, request);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return asking.recvBytes();
                } catch (InterruptedException e) {
                    if (!interrupted) {
                        send(asking, QueueWire.op(QueueWire.STOP));
                    }
                    interrupted = true;
                }
            }
        } catch (EOFException | IllegalStateException gone) {
            consumerEnded = true;
            throw new MultiprocException("the exporter of the queue at " + channel + " is gone (or this queue was closed)", gone);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Connection<byte[]> consumerConnection() {
        if (consumerEnded) {
            throw new MultiprocException("the exporter of the queue at " + channel + " is gone (or this queue was closed)");
        }
        if (consumer == null) {
            Connection<byte[]> made = consumerConnector.get();
            made.sendBytes(QueueWire.op(QueueWire.ROLE_CONSUMER));
            consumer = made;
        }
        return consumer;
    }

    private void send(Connection<byte[]> asking, byte[] frame) {
        try {
            asking.sendBytes(frame);
        } catch (IllegalStateException gone) {
            consumerEnded = true;
            throw new MultiprocException("the exporter of the queue at " + channel + " is gone (or this queue was closed)", gone);
        }
    }

    private MultiprocException exporterGone() {
        long unconfirmed;
        synchronized (confirmations) {
            unconfirmed = sent - confirmed;
        }
        return new MultiprocException("the exporter of the queue at " + channel + " is gone: " + unconfirmed + " of " + sent
                + " puts were not confirmed (each is in the queue at most once)");
    }

    private void readConfirmations() {
        try {
            while (true) {
                long count = ByteBuffer.wrap(connection.recvBytes()).getLong();
                synchronized (confirmations) {
                    confirmed = Math.max(confirmed, count);
                    confirmations.notifyAll();
                }
            }
        } catch (EOFException | IllegalStateException gone) {
            // the exporter closed or died, or this side closed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            synchronized (confirmations) {
                ended = true;
                confirmations.notifyAll();
            }
        }
    }
}
