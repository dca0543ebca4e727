package dev.multiproc.remote;

import dev.multiproc.Connection;
import dev.multiproc.MultiprocException;
import dev.multiproc.codec.Codec;

import java.io.EOFException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;

/**
 * The producer's side of a queue another host exports ({@link Remote#remoteQueue}): {@link #put}
 * sends a message to land in that queue, waiting while the exporter holds producers back (its
 * queue is full).
 *
 * <p>Delivery: each put lands in the exported queue at most once, in the order put (Aeron's
 * ordered, duplicate-free delivery on one connection). The exporter confirms what it has put;
 * {@link #flush} waits until every put is confirmed, and {@link #confirmed()} says how many are.
 * If the exporter dies or becomes unreachable, {@code flush} and later puts throw
 * {@link MultiprocException} naming how many puts were sent and not confirmed — those may or may
 * not be in the queue (at most once: nothing is sent twice). Not a {@code BlockingQueue}: a
 * remote producer cannot take, peek or count what is in another host's queue. One thread puts at
 * a time, as on a {@link Connection}.
 *
 * @param <T> the type of the messages (encoded with the codec the exported queue was made with)
 */
public final class RemoteQueue<T> implements AutoCloseable {
    private final String channel;
    private final Codec<T> codec;
    private final Connection<byte[]> connection;
    private final Duration peerTimeout;
    private final Object confirmations = new Object();
    private long sent;
    /** Guarded by {@link #confirmations}. */
    private long confirmed;
    /** Guarded by {@link #confirmations}: the exporter is gone. */
    private boolean ended;

    RemoteQueue(String channel, Codec<T> codec, Connection<byte[]> connection, Duration peerTimeout) {
        this.channel = channel;
        this.codec = Objects.requireNonNull(codec, "codec");
        this.connection = connection;
        this.peerTimeout = peerTimeout;
        Thread reader = new Thread(this::readConfirmations, "multiproc-remote-queue " + channel);
        reader.setDaemon(true);
        reader.start();
    }

    /** Sends {@code message} to the exported queue, waiting while the exporter holds producers back. */
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
     * Flushes (up to the peer timeout), then closes the connection. Puts not confirmed by then —
     * the exporter gone, or its queue full for that long — stay unconfirmed ({@link #confirmed()}).
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
