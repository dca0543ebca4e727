package dev.multiproc.remote;

import dev.multiproc.Connection;
import io.aeron.FragmentAssembler;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.EOFException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One remote connection: a local pipe whose far end the user holds (so that it is a
 * {@link Connection} like any other: {@code recv}, {@code poll}, {@code waitAny}), and two pumps
 * between the near end and Aeron — messages the user sends go out as DATA frames on the
 * publication, frames from the peer's image come in as messages.
 *
 * <p>The connection ends — the user's {@code recv} throws {@code EOFException} once everything
 * before is read — when the peer sends CLOSE (it closed its end), when its image goes (it died or
 * became unreachable for the peer timeout), or when nothing can be sent to it for that long. The
 * user closing its end sends CLOSE. The last pump to stop closes the near end and the link's
 * Aeron resources.
 */
final class Link {
    /** How often a pump blocked on the local pipe looks whether the link has ended. */
    private static final Duration LOOK_INTERVAL = Duration.ofMillis(100);
    private static final int FRAGMENTS_PER_POLL = 64;

    private final String description;
    private final Publication out;
    private final Image in;
    private final Connection<?> near;
    private final long peerTimeoutNanos;
    private final AutoCloseable resources;
    private final AtomicInteger pumpsRunning = new AtomicInteger(2);
    private volatile boolean ended;
    private byte[] scratch = new byte[256];

    Link(String description, Publication out, Image in, Connection<?> near, long peerTimeoutNanos, AutoCloseable resources) {
        this.description = description;
        this.out = out;
        this.in = in;
        this.near = near;
        this.peerTimeoutNanos = peerTimeoutNanos;
        this.resources = resources;
    }

    void start() {
        pump("out", this::sendLoop);
        pump("in", this::receiveLoop);
    }

    /** Ends the link (the remote closing, the user's end closed, the peer gone); the pumps stop within an interval. */
    void end() {
        ended = true;
    }

    private void pump(String direction, Runnable loop) {
        Thread thread = new Thread(() -> {
            try {
                loop.run();
            } finally {
                ended = true;
                if (pumpsRunning.decrementAndGet() == 0) {
                    near.close();
                    Remote.closeQuietly(resources);
                }
            }
        }, "multiproc-remote-" + direction + " " + description);
        thread.setDaemon(true);
        thread.start();
    }

    private void sendLoop() {
        MutableDirectBuffer frame = new ExpandableDirectByteBuffer(256);
        try {
            while (!ended) {
                if (!near.poll(LOOK_INTERVAL)) {
                    continue;
                }
                byte[] message = near.recvBytes();
                frame.putByte(0, Frames.DATA);
                frame.putBytes(1, message);
                if (!offer(out, frame, 1 + message.length, peerTimeoutNanos, () -> ended)) {
                    return;
                }
            }
        } catch (EOFException userClosed) {
            frame.putByte(0, Frames.CLOSE);
            offer(out, frame, 1, peerTimeoutNanos, () -> false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IllegalStateException closed) {
            // the near end was closed under the pump: the link is over
        }
    }

    private void receiveLoop() {
        FragmentAssembler assembler = new FragmentAssembler(this::onFrame);
        IdleStrategy idle = new BackoffIdleStrategy(100, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(200));
        try {
            while (!ended && !in.isClosed()) {
                idle.idle(in.poll(assembler, FRAGMENTS_PER_POLL));
            }
        } catch (IllegalStateException closed) {
            // the user closed its end: nothing more can be delivered
        }
    }

    private void onFrame(DirectBuffer buffer, int offset, int length, Header header) {
        byte kind = buffer.getByte(offset);
        if (kind == Frames.CLOSE) {
            ended = true;
            return;
        }
        if (kind != Frames.DATA) {
            return;
        }
        int bytes = length - 1;
        if (scratch.length < bytes) {
            scratch = new byte[Math.max(bytes, 2 * scratch.length)];
        }
        buffer.getBytes(offset + 1, scratch, 0, bytes);
        near.sendBytes(scratch, 0, bytes);
    }

    /** A condition checked while waiting to send. */
    interface StopCondition {
        boolean stop();
    }

    /**
     * Offers a frame, waiting out back pressure for as long as it lasts; false if the publication
     * closed, the peer stayed unreachable for {@code unreachableNanos}, or {@code stop} says so.
     */
    static boolean offer(Publication publication, DirectBuffer frame, int length, long unreachableNanos, StopCondition stop) {
        IdleStrategy idle = new BackoffIdleStrategy(100, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
        long unreachableSince = 0;
        while (true) {
            long result = publication.offer(frame, 0, length);
            if (result > 0) {
                return true;
            }
            if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED || stop.stop()) {
                return false;
            }
            if (result == Publication.NOT_CONNECTED) {
                long now = System.nanoTime();
                if (unreachableSince == 0) {
                    unreachableSince = now;
                } else if (now - unreachableSince > unreachableNanos) {
                    return false;
                }
            } else {
                unreachableSince = 0;
            }
            idle.idle();
        }
    }
}
