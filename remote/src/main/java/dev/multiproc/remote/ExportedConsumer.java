package dev.multiproc.remote;

import dev.multiproc.Connection;
import dev.multiproc.JoinableQueue;
import dev.multiproc.SharedQueue;
import dev.multiproc.codec.Codec;

import java.io.EOFException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The exporter's side of one remote consumer's connection ({@link QueueWire#ROLE_CONSUMER}): it
 * answers the client's requests one at a time, taking from, offering to and looking at the queue
 * for it.
 *
 * <p>Nothing is lost when the client dies: the messages of the last TAKE answer stay this
 * session's until the client acknowledges them (ACK, sent as soon as it holds them); if the
 * connection ends first — the client closed, died or became unreachable — or the client asks
 * for more without acknowledging them, they are put back into the queue, at its tail. For a {@link JoinableQueue} the session also keeps the client's debt,
 * as a local consumer's: each acknowledged message is owed a DONE; what is still owed when the
 * connection ends is counted done, as a dead consumer's debt is, and a message put back is
 * counted done once, since putting it back counts it again.
 */
final class ExportedConsumer {
    /** How long a waiting TAKE or OFFER waits on the queue before it looks for a STOP or the end of the connection. */
    static final long WAIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final SharedQueue<?> queue;
    private final Connection<byte[]> client;
    private final BooleanSupplier exportClosed;
    /** The export's count of messages its clients acknowledged holding, which this adds to. */
    private final LongAdder delivered;
    /** The last TAKE answer's messages, until the client acknowledges them. */
    private List<byte[]> unacknowledged = List.of();
    /** Acknowledged messages of a joinable queue not yet done. */
    private long owed;

    ExportedConsumer(SharedQueue<?> queue, Connection<byte[]> client, BooleanSupplier exportClosed, LongAdder delivered) {
        this.queue = queue;
        this.client = client;
        this.exportClosed = exportClosed;
        this.delivered = delivered;
    }

    /** Answers the client until the connection or the export ends, then gives back what the client did not get. */
    void serve() {
        try {
            while (!exportClosed.getAsBoolean()) {
                answer(client.recvBytes());
            }
        } catch (EOFException | IllegalStateException ended) {
            // the client closed or died, the connection or the queue was closed under the session
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            giveBack();
        }
    }

    private void answer(byte[] request) throws EOFException, InterruptedException {
        if (request.length == 0) {
            throw new IllegalStateException("an empty request");
        }
        switch (request[QueueWire.OP_OFFSET]) {
            case QueueWire.TAKE -> {
                checkLength(request, QueueWire.TAKE_LENGTH);
                // a client that asks again without acknowledging the last answer did not get it
                putBackUnacknowledged();
                ByteBuffer fields = ByteBuffer.wrap(request);
                unacknowledged = take(fields.getLong(QueueWire.WAIT_OFFSET), fields.getInt(QueueWire.TAKE_MAX_OFFSET));
                client.sendBytes(QueueWire.messages(unacknowledged));
            }
            case QueueWire.ACK -> {
                if (queue instanceof JoinableQueue<?>) {
                    owed += unacknowledged.size();
                }
                delivered.add(unacknowledged.size());
                unacknowledged = List.of();
            }
            case QueueWire.OFFER -> {
                checkLength(request, QueueWire.OFFER_MESSAGE_OFFSET);
                long wait = ByteBuffer.wrap(request).getLong(QueueWire.WAIT_OFFSET);
                client.sendBytes(QueueWire.answer(offer(wait, request)));
            }
            case QueueWire.LOOK -> {
                checkLength(request, QueueWire.LOOK_LENGTH);
                client.sendBytes(QueueWire.messages(look(queue, ByteBuffer.wrap(request).getInt(QueueWire.LOOK_MAX_OFFSET))));
            }
            case QueueWire.COUNT -> client.sendBytes(QueueWire.counts(queue.size(), queue.capacity()));
            case QueueWire.DONE -> client.sendBytes(QueueWire.answer(taskDone()));
            case QueueWire.STOP -> {
                // it crossed the answer it asked for
            }
            default -> throw new IllegalStateException("an unknown request " + request[QueueWire.OP_OFFSET]);
        }
    }

    private static void checkLength(byte[] request, int least) {
        if (request.length < least) {
            throw new IllegalStateException("a request of " + request.length + " bytes, shorter than its " + least);
        }
    }

    /** Up to {@code maxMessages} messages, waiting for the first at most {@code waitNanos} (negative: until one comes or a STOP). */
    private List<byte[]> take(long waitNanos, int maxMessages) throws EOFException, InterruptedException {
        List<byte[]> taken = new ArrayList<>();
        Consumer<MemorySegment> copy = slot -> taken.add(slot.toArray(ValueLayout.JAVA_BYTE));
        long deadline = System.nanoTime() + waitNanos;
        boolean got = queue.pollInPlace(copy);
        while (!got && waitNanos != 0) {
            long slice = waitNanos < 0 ? WAIT_SLICE_NANOS : Math.min(WAIT_SLICE_NANOS, deadline - System.nanoTime());
            if (slice <= 0) {
                break;
            }
            got = queue.pollInPlace(copy, slice, TimeUnit.NANOSECONDS);
            if (!got && stopped()) {
                break;
            }
        }
        long bytes = got ? taken.getFirst().length : 0;
        while (got && taken.size() < maxMessages && bytes < QueueWire.MAX_ANSWER_BYTES && queue.pollInPlace(copy)) {
            bytes += taken.getLast().length;
        }
        return taken;
    }

    /** Whether the message in {@code request} went into the queue, waiting for room at most {@code waitNanos}. */
    private boolean offer(long waitNanos, byte[] request) throws EOFException, InterruptedException {
        int length = request.length - QueueWire.OFFER_MESSAGE_OFFSET;
        Consumer<MemorySegment> writer = slot -> MemorySegment.copy(request, QueueWire.OFFER_MESSAGE_OFFSET, slot,
                ValueLayout.JAVA_BYTE, 0, length);
        long deadline = System.nanoTime() + waitNanos;
        boolean put = queue.offerInPlace(length, writer);
        while (!put && waitNanos > 0) {
            long slice = Math.min(WAIT_SLICE_NANOS, deadline - System.nanoTime());
            if (slice <= 0) {
                break;
            }
            put = queue.offerInPlace(length, writer, slice, TimeUnit.NANOSECONDS);
            if (!put && stopped()) {
                break;
            }
        }
        return put;
    }

    /** Whether the client asked to stop waiting (or the export closes); a connection that ended throws. */
    private boolean stopped() throws EOFException, InterruptedException {
        if (exportClosed.getAsBoolean()) {
            return true;
        }
        if (!client.poll()) {
            return false;
        }
        byte[] frame = client.recvBytes();
        if (frame.length != 1 || frame[0] != QueueWire.STOP) {
            throw new IllegalStateException("a request while another waits");
        }
        return true;
    }

    /** Copies of the oldest {@code maxMessages} messages, encoded again with the queue's codec. */
    private static <E> List<byte[]> look(SharedQueue<E> queue, int maxMessages) {
        Codec<E> codec = queue.codec();
        List<byte[]> copies = new ArrayList<>();
        long bytes = 0;
        List<E> messages = maxMessages == 1 ? Collections.singletonList(queue.peek()) : List.copyOf(queue);
        for (E message : messages) {
            if (message == null || copies.size() >= maxMessages || bytes >= QueueWire.MAX_ANSWER_BYTES) {
                break;
            }
            byte[] copy = new byte[codec.encodedSize(message)];
            codec.encode(message, MemorySegment.ofArray(copy));
            copies.add(copy);
            bytes += copy.length;
        }
        return copies;
    }

    private boolean taskDone() {
        if (!(queue instanceof JoinableQueue<?> joinable) || owed == 0) {
            return false;
        }
        joinable.taskDone();
        owed--;
        return true;
    }

    /**
     * Puts the messages of the last answer, not acknowledged, back into the queue; a joinable
     * queue counts each done once, since putting it back counted it again.
     */
    private void putBackUnacknowledged() throws InterruptedException {
        for (byte[] message : unacknowledged) {
            queue.putInPlace(message.length, slot -> MemorySegment.copy(message, 0, slot, ValueLayout.JAVA_BYTE, 0, message.length));
            if (queue instanceof JoinableQueue<?> joinable) {
                joinable.taskDone();
            }
        }
        unacknowledged = List.of();
    }

    /** Puts back what the client did not acknowledge, and counts done what it still owed. */
    private void giveBack() {
        boolean interrupted = Thread.interrupted();
        try {
            putBackUnacknowledged();
            if (queue instanceof JoinableQueue<?> joinable) {
                for (; owed > 0; owed--) {
                    joinable.taskDone();
                }
            }
        } catch (InterruptedException e) {
            interrupted = true;
        } catch (IllegalStateException queueClosed) {
            // the queue was closed in this process: nothing can go back into it from here
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
