package dev.multiproc.remote;

import dev.multiproc.Connection;
import dev.multiproc.SharedQueue;

import java.io.EOFException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A {@link SharedQueue} served to other hosts ({@link Remote#exportQueue}): every client that
 * connects ({@link Remote#remoteQueue}) puts into it. A thread per client takes each message off
 * the connection and puts it into the queue as its bytes came (the client encoded it with the
 * queue's codec), waiting while the queue is full — so a full queue holds the remote producers
 * back through the connection — and tells the client how many of its messages are in the queue
 * (an 8-byte count) whenever it has put all that had arrived.
 */
public final class QueueExport implements AutoCloseable {
    /** How long the accepting thread waits before looking whether the export is closed. */
    private static final Duration LOOK_INTERVAL = Duration.ofMillis(200);

    private final SharedQueue<?> queue;
    private final RemoteListener<byte[]> listener;
    private volatile boolean closed;

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
                    Thread putter = new Thread(() -> putAll(client), "multiproc-remote-export-client " + listener.channel());
                    putter.setDaemon(true);
                    putter.start();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void putAll(Connection<byte[]> client) {
        long put = 0;
        ByteBuffer confirmation = ByteBuffer.allocate(Long.BYTES);
        try (client) {
            while (!closed) {
                byte[] message = client.recvBytes();
                Consumer<MemorySegment> writer = slot -> MemorySegment.copy(message, 0, slot, ValueLayout.JAVA_BYTE, 0,
                        message.length);
                if (!queue.offerInPlace(message.length, writer)) {
                    // full: confirm what is in before waiting for room, so that the client's count is never behind the queue's
                    client.sendBytes(confirmation.putLong(0, put).array());
                    queue.putInPlace(message.length, writer);
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
