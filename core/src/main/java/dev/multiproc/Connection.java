package dev.multiproc;

import dev.multiproc.codec.Codec;
import dev.multiproc.internal.objects.Attachment;
import dev.multiproc.internal.objects.Encoding;
import dev.multiproc.internal.shm.header.ObjectKind;
import dev.multiproc.internal.shm.pipe.PipeEnds;
import dev.multiproc.internal.shm.ring.ByteRing;
import dev.multiproc.internal.shm.ring.RingLayout;
import dev.multiproc.internal.shm.wait.WaitPoint;
import dev.multiproc.jfr.EventGate;
import dev.multiproc.jfr.PeerDiedEvent;
import dev.multiproc.jfr.WaitEvent;
import dev.multiproc.spi.NativePlatform;

import java.io.EOFException;
import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One end of a {@link Pipe}: Python's {@code multiprocessing.connection.Connection}. Messages
 * go through a single-producer single-consumer ring in shared memory per direction; a message
 * that fits a quarter of the ring is written and read in place (encoded straight into the ring,
 * decoded straight out of it), a bigger one streams through in pieces and arrives whole.
 *
 * <p>End-of-file: {@link #recv()} throws {@link EOFException} once the other end is closed —
 * or its process has died — and everything sent before is read. A send to a closed end throws
 * {@link IllegalStateException}.
 *
 * <p>Travelling: an end captured by a child's target <em>moves</em> to the child when the child
 * attaches it; the handle left here is detached (using it throws {@link IllegalStateException}
 * naming the new holder, closing it does nothing), so Python's idiom of closing your copy after
 * {@code start()} works. If the child ends without attaching it, the end is closed. An end is
 * meant for one process at a time; like Python's, it is not safe for several threads at once.
 *
 * @param <E> the type of the messages
 */
public final class Connection<E> extends SharedObject {
    @java.io.Serial
    private static final long serialVersionUID = 1L;
    private static final int TOTAL_LENGTH_PREFIX = Long.BYTES;

    /**
     * What all the handles of this process on one pipe share: its rings (a ring's producer state
     * belongs to one end, its consumer state to the other) and, per end, how many handles are open
     * here and whether one was sent away. An end closes — or goes in transit to the process it was
     * sent to — when the last handle of it here closes.
     */
    static final class PipeShared implements Attachment.Shared {
        final PipeEnds ends;
        final long token;
        private final ByteRing[] rings;
        private final String name;
        private final NativePlatform platform;
        /** Guarded by this. */
        private final int[] handles = new int[2];
        /** Guarded by this. */
        private final boolean[] sentAway = new boolean[2];

        PipeShared(Attachment attachment) {
            this.ends = new PipeEnds(attachment.region);
            this.token = attachment.token();
            this.name = attachment.name();
            this.platform = attachment.platform;
            this.rings = ends.rings(attachment.platform, attachment.region);
        }

        /** The ring end {@code end} receives from, or null if it only sends. */
        ByteRing receiving(int end) {
            return rings.length == 2 || end == 0 ? rings[end] : null;
        }

        /** The ring end {@code end} sends into, or null if it only receives. */
        ByteRing sending(int end) {
            return rings.length == 2 ? rings[1 - end] : end == 1 ? rings[0] : null;
        }

        synchronized void opened(int end) {
            handles[end]++;
        }

        synchronized void sentAway(int end) {
            sentAway[end] = true;
        }

        /** This process holds {@code end} again (it came back, or this process connected to its own listener). */
        synchronized void attached(int end) {
            sentAway[end] = false;
        }

        /**
         * A handle of {@code end} closed; the last one closes the end (or leaves it in transit for
         * the process it was sent to), and the pipe's name goes once both ends are closed.
         */
        void closed(int end) {
            boolean away;
            synchronized (this) {
                if (--handles[end] > 0) {
                    return;
                }
                away = sentAway[end];
            }
            boolean wasHolder = away ? ends.markInTransit(end, token) || ends.close(end, token) : ends.close(end, token);
            if (wasHolder) {
                wakeAll();
            }
            if (ends.closed(end) && ends.closed(1 - end)) {
                platform.unlinkRegion(name);
            }
        }

        @Override
        public void wakeAll() {
            for (ByteRing ring : rings) {
                ring.wakeAll();
            }
        }

        @Override
        public int sleepers() {
            int sleepers = 0;
            for (ByteRing ring : rings) {
                sleepers += ring.sleepers();
            }
            return sleepers;
        }
    }

    private final transient PipeShared shared;
    private final transient PipeEnds ends;
    private final transient int end;
    private final transient int peer;
    private final transient ByteRing receiving;
    private final transient ByteRing sending;
    private final transient Codec<E> codec;
    private final transient long processToken;
    private transient volatile WaitStrategy waitStrategy = WaitStrategy.BACKOFF;
    /** A whole message that did not fit a caller's buffer; the next receive returns it. */
    private transient byte[] pending;
    /** Whether this end has recorded that its peer died (one event per connection, however often it is read). */
    private transient boolean peerDeathRecorded;
    // the slice checks of sends and receives that wait, made once so that a wait allocates nothing
    private final transient WaitPoint.SliceCheck whileOpenAndPeerReading;
    private final transient WaitPoint.SliceCheck whileOpenAndPeerWriting;

    Connection(Multiproc context, Attachment attachment, boolean createdHere, int end, Codec<E> codec) {
        super(context, attachment, createdHere);
        keepNameOnClose();
        this.shared = attachment.shared(PipeShared.class, PipeShared::new);
        this.ends = shared.ends;
        this.end = end;
        this.peer = 1 - end;
        this.codec = Objects.requireNonNull(codec, "codec");
        this.processToken = shared.token;
        this.receiving = shared.receiving(end);
        this.sending = shared.sending(end);
        shared.opened(end);
        PipeShared pipe = shared;
        onClose(() -> pipe.closed(end));
        this.whileOpenAndPeerReading = whileOpen(() -> {
            if (ends.finished(peer)) {
                throw brokenPipe();
            }
        });
        this.whileOpenAndPeerWriting = whileOpen(() -> {
            if (ends.finished(peer)) {
                throw new PeerFinished();
            }
        });
    }

    /**
     * Attaches end {@code end} (0 for {@code first()}, 1 for {@code second()}) of the pipe named
     * {@code pipeName}: this process becomes the end's holder, as when the end travels here.
     *
     * @throws SharedObjectNotFoundException       if there is no such pipe
     * @throws IncompatibleSharedObjectException if the name is not a pipe
     */
    public static <E> Connection<E> attach(String pipeName, int end, Codec<E> codec) {
        if (end != 0 && end != 1) {
            throw new IllegalArgumentException("a pipe has ends 0 and 1, not " + end);
        }
        @SuppressWarnings("unchecked")
        Connection<E> connection = (Connection<E>) Multiproc.context().attach(
                new SharedObjectReference(ObjectKind.PIPE.code(), pipeName, end, (Serializable) null), Objects.requireNonNull(codec));
        return connection;
    }

    /** Which end of its pipe this is: 0 ({@code first()}) or 1 ({@code second()}). */
    public int end() {
        return end;
    }

    /** Attaching in another process: this process becomes the end's holder. */
    void attachHere() {
        if (ends.attach(end, processToken)) {
            shared.attached(end);
        } else {
            close();
        }
    }

    @Override
    ObjectKind kind() {
        return ObjectKind.PIPE;
    }

    @Override
    int referenceDetail() {
        return end;
    }

    @Override
    Serializable referenceExtra() {
        if (!(codec instanceof Serializable serializable)) {
            throw new IllegalArgumentException("pipe end '" + name() + "' cannot travel: its codec " + codec
                    + " is not Serializable");
        }
        return serializable;
    }

    @Override
    void onSerialised() {
        shared.sentAway(end);
        List<Sent> capture = CAPTURE.get();
        if (capture != null) {
            capture.add(new Sent(name(), end));
        }
    }

    /**
     * Whether a message of {@code messageBytes} would be sent now, whole, without waiting for the
     * other end to read: a sender that must not block can ask before it sends.
     */
    public boolean canSendWithoutWaiting(long messageBytes) {
        return sending.hasRoomFor(messageBytes);
    }

    /** The liveness token of the process that holds the other end (its creator until someone attaches it). */
    long peerHolder() {
        return ends.holder(peer);
    }

    /**
     * Gives this end to a process that will attach it by name (the listener of a connection): the
     * end is in transit until it does, and this handle closes.
     */
    void handOver() {
        shared.sentAway(end);
        close();
    }

    /** The pipe ends serialised by this thread while a child's target is being serialised. */
    static final ThreadLocal<List<Sent>> CAPTURE = new ThreadLocal<>();

    /** How this end waits (default {@link WaitStrategy#BACKOFF}). */
    public void setWaitStrategy(WaitStrategy waitStrategy) {
        this.waitStrategy = Objects.requireNonNull(waitStrategy);
    }

    /** Whether this end can send (false for the first end of a one-way pipe). */
    public boolean writable() {
        return sending != null;
    }

    /** Whether this end can receive (false for the second end of a one-way pipe). */
    public boolean readable() {
        return receiving != null;
    }

    private void checkHeld() {
        ensureOpen();
        long holder = ends.holder(end);
        if (holder != processToken) {
            throw new IllegalStateException("end " + end + " of pipe '" + name() + "' has moved to "
                    + region.liveness().describe(holder) + "; this handle is detached");
        }
    }

    private ByteRing sendRing() {
        checkHeld();
        if (sending == null) {
            throw new IllegalStateException("end " + end + " of one-way pipe '" + name() + "' can only receive");
        }
        if (ends.closed(peer)) {
            throw brokenPipe();
        }
        return sending;
    }

    private ByteRing receiveRing() {
        checkHeld();
        if (receiving == null) {
            throw new IllegalStateException("end " + end + " of one-way pipe '" + name() + "' can only send");
        }
        return receiving;
    }

    /**
     * This end's numbers now, read from the pipe's shared memory (the other end's process sees
     * the same from its side). Ring bytes include each message's 16-byte record header and
     * padding to 8 bytes.
     */
    public ConnectionMetrics metrics() {
        ensureOpen();
        return new ConnectionMetrics(sending == null ? 0 : sending.written(), receiving == null ? 0 : receiving.consumed(),
                sending == null ? 0 : sending.bytesInFlight(), receiving == null ? 0 : receiving.bytesInFlight(), ends.finished(peer));
    }

    private IllegalStateException brokenPipe() {
        return new IllegalStateException("the other end of pipe '" + name() + "' is closed or its process has ended: "
                + "nothing will read this message");
    }

    // ------------------------------------------------------------------ sending

    /**
     * Sends one message; blocks while the pipe is full.
     *
     * @throws IllegalStateException if this end cannot send, is closed or detached, or the other end is closed
     */
    public void send(E message) {
        Objects.requireNonNull(message, "message");
        ByteRing ring = sendRing();
        int size = checkSize(Encoding.size(codec, message));
        if (size <= ring.maxFragment()) {
            long offset = claim(ring, size);
            Encoding.encode(codec, message, ring.data().asSlice(offset, size));
            ring.commit(size, RingLayout.FLAG_BEGIN | RingLayout.FLAG_END);
        } else {
            byte[] encoded = new byte[size];
            Encoding.encode(codec, message, MemorySegment.ofArray(encoded));
            sendFragments(ring, MemorySegment.ofArray(encoded));
        }
    }

    /** A message's size, refused if it is more than the pipe carries. */
    private int checkSize(long size) {
        if (size > ends.maxMessageBytes()) {
            throw new MessageTooLargeException(name(), size, ends.maxMessageBytes());
        }
        return (int) size;
    }

    /** Sends {@code length} bytes of {@code buffer} from {@code offset} as one message. */
    public void sendBytes(byte[] buffer, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, buffer.length);
        ByteRing ring = sendRing();
        checkSize(length);
        if (length <= ring.maxFragment()) {
            // copied from the array itself: a segment wrapping it would be an allocation per message where this is not inlined
            long at = claim(ring, length);
            MemorySegment.copy(buffer, offset, ring.data(), ValueLayout.JAVA_BYTE, at, length);
            ring.commit(length, RingLayout.FLAG_BEGIN | RingLayout.FLAG_END);
        } else {
            sendFragments(ring, MemorySegment.ofArray(buffer).asSlice(offset, length));
        }
    }

    /** Sends all of {@code buffer} as one message. */
    public void sendBytes(byte[] buffer) {
        sendBytes(buffer, 0, buffer.length);
    }

    /** Sends the bytes of {@code message} (any segment, heap or native) as one message. */
    public void sendBytes(MemorySegment message) {
        sendBytes(message, 0, message.byteSize());
    }

    /**
     * Sends {@code length} bytes of {@code buffer} (any segment) from {@code offset} as one
     * message, without a slice of it (where this is not inlined, a slice per message would be an
     * allocation per message).
     */
    public void sendBytes(MemorySegment buffer, long offset, long length) {
        Objects.checkFromIndexSize(offset, length, buffer.byteSize());
        ByteRing ring = sendRing();
        checkSize(length);
        if (length <= ring.maxFragment()) {
            int size = (int) length;
            long at = claim(ring, size);
            MemorySegment.copy(buffer, offset, ring.data(), at, size);
            ring.commit(size, RingLayout.FLAG_BEGIN | RingLayout.FLAG_END);
        } else {
            sendFragments(ring, buffer.asSlice(offset, length));
        }
    }

    /** Streams a message bigger than a record: the first record starts with the total length. */
    private void sendFragments(ByteRing ring, MemorySegment message) {
        long total = message.byteSize();
        long sent = 0;
        boolean first = true;
        while (first || sent < total) {
            int prefix = first ? TOTAL_LENGTH_PREFIX : 0;
            int chunk = (int) Math.min(total - sent, ring.maxFragment() - prefix);
            long offset = claim(ring, chunk + prefix);
            if (first) {
                ring.data().set(ValueLayout.JAVA_LONG_UNALIGNED, offset, total);
            }
            MemorySegment.copy(message, sent, ring.data(), offset + prefix, chunk);
            sent += chunk;
            int flags = (first ? RingLayout.FLAG_BEGIN : 0) | (sent == total ? RingLayout.FLAG_END : 0);
            ring.commit(chunk + prefix, flags);
            first = false;
        }
    }

    private long claim(ByteRing ring, int payloadLength) {
        while (true) {
            long offset = ring.tryClaim(payloadLength);
            if (offset >= 0) {
                return offset;
            }
            try {
                ring.awaitRoom(payloadLength, -1, waitStrategy.policy(), whileOpenAndPeerReading);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for room in pipe '" + name() + "'", e);
            }
        }
    }

    // ------------------------------------------------------------------ receiving

    /** Signals, from inside a wait, that the other end has finished. */
    private static final class PeerFinished extends RuntimeException {
        @java.io.Serial
        private static final long serialVersionUID = 1L;

        PeerFinished() {
            super(null, null, false, false);
        }
    }

    /**
     * Waits for a record (negative timeout: forever).
     *
     * @return whether one is there; false on timeout
     * @throws EOFException when the other end has finished and nothing is left
     */
    private boolean awaitRecord(ByteRing ring, long timeoutNanos) throws EOFException, InterruptedException {
        if (ring.peek()) {
            return true;
        }
        WaitEvent wait = EventGate.beginWait();
        try {
            if (ring.awaitRecord(timeoutNanos, waitStrategy.policy(), whileOpenAndPeerWriting)) {
                return true;
            }
        } catch (PeerFinished finished) {
            // fall through: the check below reads what is left
        } finally {
            EventGate.endWait(wait, name(), "pipe", "a message");
        }
        if (ends.finished(peer) && !ring.peek()) {
            if (!ends.closed(peer) && !peerDeathRecorded) {
                peerDeathRecorded = true;
                EventGate.record(() -> PeerDiedEvent.record(name(), peer));
            }
            throw new EOFException("the other end of pipe '" + name() + "' is closed (or its process ended) and nothing is left to read");
        }
        return ring.peek();
    }

    /**
     * Receives the next message, waiting for one.
     *
     * @throws EOFException          once the other end is closed (or dead) and nothing is left
     * @throws InterruptedException  if interrupted while waiting
     * @throws IllegalStateException if this end cannot receive, is closed or detached
     */
    public E recv() throws EOFException, InterruptedException {
        ByteRing ring = receiveRing();
        if (pending != null) {
            byte[] message = pending;
            pending = null;
            return decode(MemorySegment.ofArray(message));
        }
        awaitRecord(ring, -1);
        if (isWhole(ring)) {
            E value = decode(ring.data().asSlice(ring.peekedOffset(), ring.peekedLength()));
            ring.advance();
            return value;
        }
        return decode(MemorySegment.ofArray(assemble(ring)));
    }

    /** Receives the next message as bytes. */
    public byte[] recvBytes() throws EOFException, InterruptedException {
        ByteRing ring = receiveRing();
        return nextMessageBytes(ring);
    }

    /**
     * Receives the next message into {@code buffer}; returns its length.
     *
     * @throws BufferTooShortException if it does not fit (it stays for the next receive)
     */
    public int recvBytesInto(byte[] buffer) throws EOFException, InterruptedException {
        ByteRing ring = receiveRing();
        int length = awaitWholeFitting(ring, buffer.length);
        if (length >= 0) {
            // into the array itself: a segment wrapping it would be an allocation per message where this is not inlined
            MemorySegment.copy(ring.data(), ValueLayout.JAVA_BYTE, ring.peekedOffset(), buffer, 0, length);
            ring.advance();
            return length;
        }
        return recvBytesInto(MemorySegment.ofArray(buffer));
    }

    /**
     * Waits for the next record (unless a message is pending); the length of the message it holds
     * if it is whole and fits {@code capacity} bytes, else -1: the message is then read the
     * general way.
     */
    private int awaitWholeFitting(ByteRing ring, long capacity) throws EOFException, InterruptedException {
        if (pending != null) {
            return -1;
        }
        awaitRecord(ring, -1);
        return isWhole(ring) && ring.peekedLength() <= capacity ? ring.peekedLength() : -1;
    }

    /**
     * Receives the next message into {@code buffer} (any segment); returns its length.
     *
     * @throws BufferTooShortException if it does not fit (it stays for the next receive)
     */
    public int recvBytesInto(MemorySegment buffer) throws EOFException, InterruptedException {
        return recvBytesInto(buffer, 0);
    }

    /**
     * Receives the next message into {@code buffer} from {@code offset} on (Python's
     * {@code recv_bytes_into(buffer, offset)}); returns its length.
     *
     * @throws BufferTooShortException   if it does not fit the room after {@code offset} (it stays
     *                                   for the next receive)
     * @throws IndexOutOfBoundsException if {@code offset} is negative or past the buffer's end
     */
    public int recvBytesInto(MemorySegment buffer, long offset) throws EOFException, InterruptedException {
        Objects.checkIndex(offset, buffer.byteSize() + 1);
        long room = buffer.byteSize() - offset;
        ByteRing ring = receiveRing();
        int length = awaitWholeFitting(ring, room);
        if (length >= 0) {
            MemorySegment.copy(ring.data(), ring.peekedOffset(), buffer, offset, length);
            ring.advance();
            return length;
        }
        byte[] message = nextMessageBytes(ring);
        if (message.length > room) {
            pending = message;
            throw new BufferTooShortException(message, (int) Math.min(Integer.MAX_VALUE, room));
        }
        MemorySegment.copy(MemorySegment.ofArray(message), 0, buffer, offset, message.length);
        return message.length;
    }

    private byte[] nextMessageBytes(ByteRing ring) throws EOFException, InterruptedException {
        if (pending != null) {
            byte[] message = pending;
            pending = null;
            return message;
        }
        awaitRecord(ring, -1);
        if (isWhole(ring)) {
            byte[] message = ring.data().asSlice(ring.peekedOffset(), ring.peekedLength()).toArray(ValueLayout.JAVA_BYTE);
            ring.advance();
            return message;
        }
        return assemble(ring);
    }

    /** Whether the peeked record is a whole message (checked to be within the pipe's limit). */
    private boolean isWhole(ByteRing ring) {
        boolean whole = (ring.peekedFlags() & (RingLayout.FLAG_BEGIN | RingLayout.FLAG_END)) == (RingLayout.FLAG_BEGIN | RingLayout.FLAG_END);
        if (whole && ring.peekedLength() > ends.maxMessageBytes()) {
            throw corrupt("message length", ring.peekedLength(), "the pipe carries messages of at most " + ends.maxMessageBytes() + " bytes");
        }
        return whole;
    }

    /**
     * Reads a message that came in several records: the first (begin) starts with the total
     * length, checked against the pipe's limit before anything is allocated; each piece must fit
     * what is left, none but the first may begin a message, and the last must complete it.
     */
    private byte[] assemble(ByteRing ring) throws EOFException, InterruptedException {
        if ((ring.peekedFlags() & RingLayout.FLAG_BEGIN) == 0) {
            throw corrupt("record flags", ring.peekedFlags(), "a message's first record has the begin flag");
        }
        if (ring.peekedLength() < TOTAL_LENGTH_PREFIX) {
            throw corrupt("first record length", ring.peekedLength(), "a streamed message's first record holds its 8-byte length");
        }
        long total = ring.data().get(ValueLayout.JAVA_LONG_UNALIGNED, ring.peekedOffset());
        int chunk = ring.peekedLength() - TOTAL_LENGTH_PREFIX;
        if (total < chunk || total > ends.maxMessageBytes()) {
            throw corrupt("message length", total, "it must cover its first record (" + chunk + " bytes) and stay within the pipe's limit of "
                    + ends.maxMessageBytes() + " bytes");
        }
        byte[] message = new byte[(int) total];
        MemorySegment target = MemorySegment.ofArray(message);
        MemorySegment.copy(ring.data(), ring.peekedOffset() + TOTAL_LENGTH_PREFIX, target, 0, chunk);
        long received = chunk;
        boolean last = (ring.peekedFlags() & RingLayout.FLAG_END) != 0;
        ring.advance();
        while (!last) {
            awaitRecord(ring, -1);
            chunk = ring.peekedLength();
            if ((ring.peekedFlags() & RingLayout.FLAG_BEGIN) != 0 || chunk > total - received) {
                throw corrupt("record length", chunk, "the pieces of a message continue it (no begin flag) and add up to its "
                        + total + " bytes (" + received + " received)");
            }
            MemorySegment.copy(ring.data(), ring.peekedOffset(), target, received, chunk);
            received += chunk;
            last = (ring.peekedFlags() & RingLayout.FLAG_END) != 0;
            ring.advance();
        }
        if (received != total) {
            throw corrupt("message length", total, "its pieces add up to " + received + " bytes");
        }
        return message;
    }

    private E decode(MemorySegment message) {
        return Encoding.decode(codec, message, name(), "message");
    }

    private CorruptSharedObjectException corrupt(String field, long value, String rule) {
        return new CorruptSharedObjectException(name(), field, value, rule);
    }

    /**
     * Whether a receive would not block: a message is there, or the other end has finished
     * (Python's {@code poll()}).
     */
    public boolean poll() {
        return ready(true);
    }

    /** A message is there, or the other end is closed, or (if asked, a look at the process table) its holder died. */
    private boolean ready(boolean checkHolderAlive) {
        ByteRing ring = receiveRing();
        return pending != null || ring.peek() || ends.closed(peer) || checkHolderAlive && ends.finished(peer);
    }

    /** Waits at most {@code timeout} for {@link #poll()} to become true. */
    public boolean poll(Duration timeout) throws InterruptedException {
        ByteRing ring = receiveRing();
        if (pending != null) {
            return true;
        }
        try {
            return awaitRecord(ring, Math.max(0, timeout.toNanos()));
        } catch (EOFException finished) {
            return true;
        }
    }

    /**
     * The connections among {@code connections} that are ready to receive (a message, or end of
     * file), waiting at most {@code timeout} (null: forever) for at least one [connection.wait].
     * Any number of connections; none returns an empty list once the timeout has passed, as
     * Python's {@code wait([], timeout)} does.
     *
     * @throws IllegalArgumentException for no connections and no timeout: such a wait would never end
     */
    public static List<Connection<?>> waitAny(List<? extends Connection<?>> connections, Duration timeout) throws InterruptedException {
        if (connections.isEmpty()) {
            if (timeout == null) {
                throw new IllegalArgumentException("waitAny on no connections without a timeout would never return");
            }
            Thread.sleep(timeout.isNegative() ? Duration.ZERO : timeout);
            return List.of();
        }
        List<WaitPoint> points = new ArrayList<>(connections.size());
        for (Connection<?> connection : connections) {
            points.add(connection.receiveRing().readable());
        }
        List<Connection<?>> ready = new ArrayList<>();
        // cheap checks on every wake; whether a holder died (a question to the kernel each) once per wait slice
        boolean[] checkHolders = {true};
        WaitPoint.awaitAny(points, () -> {
            ready.clear();
            for (Connection<?> connection : connections) {
                if (connection.ready(checkHolders[0])) {
                    ready.add(connection);
                }
            }
            checkHolders[0] = false;
            return !ready.isEmpty();
        }, timeout == null ? -1 : Math.max(0, timeout.toNanos()), () -> {
            for (Connection<?> connection : connections) {
                connection.ensureOpen();
            }
            checkHolders[0] = true;
        });
        return List.copyOf(ready);
    }

    // ------------------------------------------------------------------ closing

    /**
     * Called when a child that was sent end {@code end} of pipe {@code name} has ended: if the
     * child never attached it, the end closes (so its peer reads end-of-file instead of waiting
     * for a process that will never use it).
     */
    static void closeIfNeverAttached(Multiproc context, String name, int end) {
        Attachment attachment;
        try {
            attachment = Attachment.open(context.platform(), name, ObjectKind.PIPE);
        } catch (SharedObjectNotFoundException gone) {
            return;
        }
        try {
            PipeShared pipe = attachment.shared(PipeShared.class, PipeShared::new);
            if (pipe.ends.closeInTransit(end, pipe.token)) {
                pipe.wakeAll();
            }
        } finally {
            attachment.release();
        }
    }

    /** A pipe end recorded while a child's target was serialised. */
    record Sent(String name, int end) {
    }
}
