package dev.multiproc.remote;

import dev.multiproc.Connection;
import dev.multiproc.PipeOptions;
import io.aeron.FragmentAssembler;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.EOFException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * One remote connection: a local pipe whose far end the user holds (so that it is a
 * {@link Connection} like any other: {@code recv}, {@code poll}, {@code waitAny}), and two pumps
 * between the near end and Aeron — messages the user sends go out as DATA frames (or, several
 * waiting at once, one BATCH frame) on the publication, frames from the peer's image come in as
 * messages.
 *
 * <p>Closing is a handshake, as TCP's: the user closing its end makes the out pump send what is
 * left, then CLOSE, and wait (up to the peer timeout) for the peer's CLOSE; a peer receiving CLOSE
 * answers with CLOSE and ends — its user reads what came before, then {@code EOFException}. The
 * answer means the peer has read everything sent before the CLOSE, so a JVM that closes its
 * connections and its {@link Remote} and exits loses nothing in flight. The connection also ends
 * when the peer's image goes (it died, or was unreachable for the peer timeout) or nothing can be
 * sent to it for that long. The last pump to stop closes the near end and the link's Aeron
 * resources.
 */
final class Link {
    /** How often a pump blocked on the local pipe looks whether the link is ending. */
    private static final Duration LOOK_INTERVAL = Duration.ofMillis(100);
    private static final int FRAGMENTS_PER_POLL = 64;
    /** A BATCH frame is closed once it holds this many bytes (a message already taken still goes in). */
    private static final int BATCH_BYTES = 8 * 1024;
    /** Where a BATCH frame's first message starts: after the kind and its length. */
    private static final int BATCH_FIRST_MESSAGE = 1 + Integer.BYTES;
    /** Where a DATA frame starts in the out pump's buffer: its kind right before the message. */
    private static final int DATA_FRAME_START = BATCH_FIRST_MESSAGE - 1;

    private final String description;
    private final String pipeName;
    private final long startedMillis = System.currentTimeMillis();
    /** Runs once both pumps have stopped (the connection is over). */
    private volatile Runnable finishedAction = () -> { };
    private final Publication out;
    private final Image in;
    private final Connection<?> near;
    private final long peerTimeoutNanos;
    private final AutoCloseable resources;
    private final AtomicInteger pumpsRunning = new AtomicInteger(2);
    private final CountDownLatch finished = new CountDownLatch(1);
    /** The Remote is closing: both pumps stop at once. */
    private volatile boolean stopping;
    /** The peer sent CLOSE: nothing more comes; the out pump answers with CLOSE. */
    private volatile boolean peerClosed;
    /** The in pump has stopped (CLOSE received, the image gone, or stopping). */
    private volatile boolean inDone;
    /** The user closed its end: the out pump has sent, or is sending, CLOSE and waits for the answer. */
    private volatile boolean closing;
    /** Out pump: where in its buffer the frame {@link #batch} built starts. */
    private int frameStart;
    /** In pump: the PART frames of a long message so far. */
    private final ExpandableArrayBuffer parts = new ExpandableArrayBuffer(0);
    private int partsLength;
    /** The user's end is closed: what still arrives is dropped. */
    private boolean userGone;
    /** In pump: where a message goes through when its buffer shows neither an array nor memory of its own. */
    private byte[] scratch = new byte[256];
    /** In pump: the buffer {@link #segmentOf} made its segment of last, and that segment. */
    private ByteBuffer lastBuffer;
    private MemorySegment lastSegment;
    /** Whether the Remote is closing, as the out pump's offers ask (made once: a lambda per offer would allocate). */
    private final StopCondition stopped = () -> stopping;

    Link(String description, Publication out, Image in, Connection<?> near, long peerTimeoutNanos, AutoCloseable resources) {
        this.description = description;
        this.pipeName = near.name();
        this.out = out;
        this.in = in;
        this.near = near;
        this.peerTimeoutNanos = peerTimeoutNanos;
        this.resources = resources;
    }

    /** What the connection is: "to CHANNEL" for a client's, "from ADDRESS on CHANNEL" for an accepted one. */
    String description() {
        return description;
    }

    /** The local pipe whose other end the user holds. */
    String pipeName() {
        return pipeName;
    }

    long startedMillis() {
        return startedMillis;
    }

    /** Runs {@code action} when the connection is over; set before {@link #start()}. */
    void whenFinished(Runnable action) {
        finishedAction = action;
    }

    void start() {
        pump("out", this::sendLoop);
        pump("in", this::receiveLoop);
    }

    /**
     * Ends the link for a closing {@link Remote}: one its user closed gets until {@code grace}
     * for the peer to answer its CLOSE (so that everything sent before arrives); any other stops
     * at once. A pump that does not stop is waiting on the near end (the in pump for room while
     * its user does not read, holding a frame that lies in Aeron's log): the near end is closed
     * under it, so that it ends before the {@code Remote} unmaps that log.
     *
     * @return whether both pumps have ended
     */
    boolean stop(Duration grace) throws InterruptedException {
        if (closing || userClosedItsEnd()) {
            finished.await(grace.toNanos(), TimeUnit.NANOSECONDS);
        }
        stopping = true;
        if (finished.await(LOOK_INTERVAL.toNanos() * 10, TimeUnit.NANOSECONDS)) {
            return true;
        }
        near.close();
        return finished.await(LOOK_INTERVAL.toNanos() * 10, TimeUnit.NANOSECONDS);
    }

    /** Whether the user's end is closed (its messages may still be on their way through the pump). */
    private boolean userClosedItsEnd() {
        try {
            return near.metrics().peerFinished();
        } catch (IllegalStateException nearClosed) {
            return false;
        }
    }

    boolean isFinished() {
        return finished.getCount() == 0;
    }

    private void pump(String direction, Runnable loop) {
        Thread thread = new Thread(() -> {
            try {
                loop.run();
            } catch (RuntimeException | Error unexpected) {
                // the other pump must not go on alone: the user gets end-of-file instead of a link half gone
                stopping = true;
                throw unexpected;
            } finally {
                if (pumpsRunning.decrementAndGet() == 0) {
                    near.close();
                    Remote.closeQuietly(resources);
                    finished.countDown();
                    finishedAction.run();
                }
            }
        }, "multiproc-remote-" + direction + " " + description);
        thread.setDaemon(true);
        thread.start();
    }

    private void sendLoop() {
        FrameBuffer frames = new FrameBuffer(out.maxMessageLength());
        MutableDirectBuffer frame = frames.view();
        try {
            while (!stopping) {
                if (inDone) {
                    if (peerClosed) {
                        frame.putByte(0, Frames.CLOSE);
                        offer(out, frame, 0, 1, peerTimeoutNanos, stopped);
                    }
                    return;
                }
                if (!near.poll(LOOK_INTERVAL)) {
                    continue;
                }
                int length = batch(frames);
                if (length < 0) {
                    if (!sendInParts(frames, near.recvBytes())) {
                        return;
                    }
                    continue;
                }
                if (!offer(out, frame, frameStart, length, peerTimeoutNanos, stopped)) {
                    return;
                }
            }
        } catch (EOFException userClosed) {
            closing = true;
            frame.putByte(0, Frames.CLOSE);
            if (offer(out, frame, 0, 1, peerTimeoutNanos, stopped)) {
                awaitPeersClose();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IllegalStateException closed) {
            // the near end was closed under the pump: the link is over
        }
    }

    /**
     * Receives the next message into {@code frames} as DATA, or, if more are waiting already, as
     * many as fit {@link #BATCH_BYTES} as one BATCH (the user's sends are never held back for
     * company: only what is there now joins). Returns the frame's length and sets {@link
     * #frameStart}: a DATA frame starts at {@link #DATA_FRAME_START} (its kind just before the
     * message, received where a BATCH's first message goes), a BATCH at 0. -1 if the next message
     * is too long for one frame: it is still in the pipe.
     */
    private int batch(FrameBuffer frames) throws EOFException, InterruptedException {
        MutableDirectBuffer frame = frames.view();
        int first = frames.receive(near, BATCH_FIRST_MESSAGE);
        if (first < 0) {
            return -1;
        }
        if (BATCH_FIRST_MESSAGE + first >= BATCH_BYTES || !near.poll()) {
            frame.putByte(DATA_FRAME_START, Frames.DATA);
            frameStart = DATA_FRAME_START;
            return 1 + first;
        }
        frameStart = 0;
        frame.putByte(0, Frames.BATCH);
        frame.putInt(1, first, ByteOrder.BIG_ENDIAN);
        int length = BATCH_FIRST_MESSAGE + first;
        while (length < BATCH_BYTES && near.poll()) {
            int next;
            try {
                next = frames.receiveIfRoom(near, length + Integer.BYTES);
            } catch (EOFException userClosed) {
                // what the frame holds goes first; the next look finds the end again
                return length;
            }
            if (next < 0) {
                // it starts the next frame
                return length;
            }
            frame.putInt(length, next, ByteOrder.BIG_ENDIAN);
            length += Integer.BYTES + next;
        }
        return length;
    }

    /**
     * A message too long for one frame, as PART frames, the last piece as DATA (the receiver
     * joins them); false if the peer could not be reached.
     */
    private boolean sendInParts(FrameBuffer frames, byte[] message) {
        int piece = out.maxMessageLength() - 1;
        frames.ensure(1 + piece);
        MutableDirectBuffer frame = frames.view();
        for (int at = 0; ; at += piece) {
            int bytes = Math.min(piece, message.length - at);
            boolean last = at + bytes == message.length;
            frame.putByte(0, last ? Frames.DATA : Frames.PART);
            frame.putBytes(1, message, at, bytes);
            if (!offer(out, frame, 0, 1 + bytes, peerTimeoutNanos, stopped)) {
                return false;
            }
            if (last) {
                return true;
            }
        }
    }

    /** After our CLOSE: the peer's CLOSE (it has read everything before ours), its image gone, or the peer timeout. */
    private void awaitPeersClose() {
        long deadline = System.nanoTime() + peerTimeoutNanos;
        while (!inDone && !stopping && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private void receiveLoop() {
        FragmentAssembler assembler = new FragmentAssembler(this::onFrame);
        IdleStrategy idle = new QuietingIdleStrategy();
        try {
            while (!stopping && !peerClosed && !in.isClosed()) {
                idle.idle(in.poll(assembler, FRAGMENTS_PER_POLL));
            }
        } finally {
            inDone = true;
        }
    }

    /**
     * How the in pump waits for frames (Aeron's image cannot be slept on, only polled): while
     * frames keep coming, spin, yield, then park from 1 µs up to {@value #BUSY_MAX_PARK_MICROS} µs;
     * once nothing has come for {@value #QUIET_AFTER_MILLIS} ms, park a millisecond at a time — as
     * often as the media driver itself looks at an idle socket, so a first frame after a quiet spell
     * waits about as long again. An idle connection looked 5,000 times a second before, ~2 % of
     * a core each (20 idle connections: half a core).
     */
    private static final class QuietingIdleStrategy implements IdleStrategy {
        private static final long BUSY_MAX_PARK_MICROS = 200;
        private static final long QUIET_AFTER_MILLIS = 10;
        private static final long QUIET_AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(QUIET_AFTER_MILLIS);
        private static final long QUIET_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

        private final IdleStrategy busy = new BackoffIdleStrategy(100, 10, TimeUnit.MICROSECONDS.toNanos(1),
                TimeUnit.MICROSECONDS.toNanos(BUSY_MAX_PARK_MICROS));
        /** When the polls began to find nothing; 0 while frames come. */
        private long quietSince;

        @Override
        public void idle(int workCount) {
            if (workCount > 0) {
                reset();
            } else {
                idle();
            }
        }

        @Override
        public void idle() {
            long now = System.nanoTime();
            if (quietSince == 0) {
                quietSince = now;
            }
            if (now - quietSince > QUIET_AFTER_NANOS) {
                LockSupport.parkNanos(QUIET_PARK_NANOS);
            } else {
                busy.idle();
            }
        }

        @Override
        public void reset() {
            quietSince = 0;
            busy.reset();
        }

        @Override
        public String alias() {
            return "quieting";
        }
    }

    private void onFrame(DirectBuffer buffer, int offset, int length, Header header) {
        byte kind = buffer.getByte(offset);
        if (kind == Frames.CLOSE) {
            peerClosed = true;
            return;
        }
        if (kind == Frames.PART) {
            if ((long) partsLength + length - 1 > PipeOptions.DEFAULT_MAX_MESSAGE_BYTES) {
                // longer than any message a pipe carries: a peer that breaks the protocol loses its connection
                stopping = true;
                return;
            }
            parts.putBytes(partsLength, buffer, offset + 1, length - 1);
            partsLength += length - 1;
        } else if (kind == Frames.DATA && partsLength > 0) {
            parts.putBytes(partsLength, buffer, offset + 1, length - 1);
            deliver(parts, 0, partsLength + length - 1);
            partsLength = 0;
        } else if (kind == Frames.DATA) {
            deliver(buffer, offset + 1, length - 1);
        } else if (kind == Frames.BATCH) {
            int at = offset + 1;
            int end = offset + length;
            while (at + Integer.BYTES <= end) {
                int bytes = buffer.getInt(at, ByteOrder.BIG_ENDIAN);
                if (bytes < 0 || at + Integer.BYTES + bytes > end) {
                    return;
                }
                deliver(buffer, at + Integer.BYTES, bytes);
                at += Integer.BYTES + bytes;
            }
        }
    }

    /**
     * Writes one message into the near end, for the user to receive, copied once: straight from
     * the array or the memory under {@code buffer} (Aeron's log, the assembler's or our parts
     * buffer) into the pipe. Dropped once the user has closed its end.
     */
    private void deliver(DirectBuffer buffer, int offset, int bytes) {
        if (userGone) {
            return;
        }
        try {
            byte[] array = buffer.byteArray();
            ByteBuffer memory = buffer.byteBuffer();
            if (array != null) {
                near.sendBytes(array, buffer.wrapAdjustment() + offset, bytes);
            } else if (memory != null) {
                near.sendBytes(segmentOf(memory), buffer.wrapAdjustment() + offset, bytes);
            } else {
                if (scratch.length < bytes) {
                    scratch = new byte[Math.max(bytes, 2 * scratch.length)];
                }
                buffer.getBytes(offset, scratch, 0, bytes);
                near.sendBytes(scratch, 0, bytes);
            }
        } catch (IllegalStateException userClosed) {
            userGone = true;
        }
    }

    /** The whole of {@code memory} as a segment, made once per buffer (Aeron's log has a few, used over and over). */
    private MemorySegment segmentOf(ByteBuffer memory) {
        if (memory != lastBuffer) {
            // the whole capacity, whatever the buffer's position and limit say
            lastSegment = MemorySegment.ofBuffer(memory.duplicate().clear());
            lastBuffer = memory;
        }
        return lastSegment;
    }

    /** A condition checked while waiting to send. */
    interface StopCondition {
        boolean stop();
    }

    /**
     * Offers the {@code length} bytes of a frame at {@code offset}, waiting out back pressure for
     * as long as it lasts; false if the publication closed, the peer stayed unreachable for
     * {@code unreachableNanos}, or {@code stop} says so.
     */
    static boolean offer(Publication publication, DirectBuffer frame, int offset, int length, long unreachableNanos, StopCondition stop) {
        long result = publication.offer(frame, offset, length);
        if (result > 0) {
            return true;
        }
        // held back: only now is there anything to wait with
        IdleStrategy idle = new BackoffIdleStrategy(100, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
        long unreachableSince = 0;
        while (true) {
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
            result = publication.offer(frame, offset, length);
        }
    }
}
