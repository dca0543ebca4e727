package dev.multiproc.remote;

import dev.multiproc.Connection;
import dev.multiproc.SharedQueue;

import java.io.EOFException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * A {@link SharedQueue} served to other hosts ({@link Remote#exportQueue}): every client that
 * connects ({@link Remote#remoteQueue}) puts into it and takes from it. A client's first frame
 * says which its connection is for ({@link QueueWire}); each connection gets a thread.
 *
 * <p>A producer's: the thread takes each message off the connection and puts it into the queue as
 * its bytes came (the client encoded it with the queue's codec), waiting while the queue is full —
 * so a full queue holds the remote producers back through the connection — and tells the client
 * how many of its messages are in the queue (an 8-byte count) whenever it has put all that had
 * arrived. A consumer's: an {@link ExportedConsumer} answers its requests.
 */
public final class QueueExport implements AutoCloseable {
    /** How long the accepting thread waits before looking whether the export is closed. */
    private static final Duration LOOK_INTERVAL = Duration.ofMillis(200);

    private final SharedQueue<?> queue;
    private final RemoteListener<byte[]> listener;
    private volatile boolean closed;
    private final LongAdder delivered = new LongAdder();

    QueueExport(SharedQueue<?> queue, RemoteListener<byte[]> listener) {
        this.queue = queue;
        this.listener = listener;
        Thread acceptor = new Thread(this::acceptClients, "multiproc-remote-export " + listener.channel());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The channel clients connect to. */
    public String channel() {
        return listener.channel();
    }

    /**
     * How many messages remote consumers have taken and acknowledged holding: theirs now, as a
     * message taken from a local queue is its taker's. A message taken out of the queue for a
     * client and not yet acknowledged is still this process's (it goes back into the queue if the
     * client's connection ends first; {@link #close} ends it), so a program that means to close
     * the export once its messages are consumed waits for this count, not for the queue to be
     * empty.
     */
    public long delivered() {
        return delivered.sum();
    }

    /** Stops serving the queue: clients' connections end (puts not yet confirmed stay unconfirmed). */
    @Override
    public void close() {
        closed = true;
        listener.close();
    }

    private void acceptClients() {
        try {
            while (!closed) {
                Connection<byte[]> client = listener.accept(LOOK_INTERVAL);
                if (client != null) {
                    Thread server = new Thread(() -> serve(client), "multiproc-remote-export-client " + listener.channel());
                    server.setDaemon(true);
                    server.start();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void serve(Connection<byte[]> client) {
        try (client) {
            byte[] role = client.recvBytes();
            if (role.length == 1 && role[0] == QueueWire.ROLE_CONSUMER) {
                new ExportedConsumer(queue, client, () -> closed, delivered).serve();
            } else if (role.length == 1 && role[0] == QueueWire.ROLE_PRODUCER) {
                putAll(client);
            }
        } catch (EOFException | IllegalStateException gone) {
            // the client left before it said what for, or the connection was closed under the thread
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void putAll(Connection<byte[]> client) {
        long put = 0;
        ByteBuffer confirmation = ByteBuffer.allocate(Long.BYTES);
        try {
            while (!closed) {
                byte[] message = client.recvBytes();
                Consumer<MemorySegment> writer = slot -> MemorySegment.copy(message, 0, slot, ValueLayout.JAVA_BYTE, 0,
                        message.length);
                if (!queue.offerInPlace(message.length, writer)) {
                    // full: confirm what is in before waiting for room, so that the client's count is never behind the queue's
                    client.sendBytes(confirmation.putLong(0, put).array());
                    while (!queue.offerInPlace(message.length, writer, LOOK_INTERVAL.toNanos(), TimeUnit.NANOSECONDS)) {
                        if (closed) {
                            return;
                        }
                    }
                }
                put++;
                if (!client.poll()) {
                    client.sendBytes(confirmation.putLong(0, put).array());
                }
            }
        } catch (EOFException clientClosed) {
            // the client closed after its last put, which has been confirmed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IllegalStateException gone) {
            // the queue or the connection was closed under the thread
        }
    }
}
