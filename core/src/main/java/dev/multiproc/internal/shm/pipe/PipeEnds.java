package dev.multiproc.internal.shm.pipe;

import dev.multiproc.internal.shm.ProtocolFailures;
import dev.multiproc.internal.shm.header.ObjectHeader;
import dev.multiproc.internal.shm.header.ObjectHeaderLayout;
import dev.multiproc.internal.shm.ring.ByteRing;
import dev.multiproc.internal.shm.ring.RingLayout;
import dev.multiproc.spi.Liveness;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NativePlatform;

import java.lang.foreign.MemorySegment;

import static dev.multiproc.internal.shm.Words.INT;
import static dev.multiproc.internal.shm.Words.LONG;
import static dev.multiproc.internal.shm.pipe.PipeLayout.*;

/**
 * Who holds each end of a pipe, and whether it is open. An end's holder is the process that
 * last attached it (CAS of its token); the peer of an end reads end-of-file once the end is
 * closed, or once its holder's process is dead, and nothing is left to read.
 *
 * <p>Memory effects: the holder's last send happens-before its volatile write of
 * {@code END_CLOSED}, so a reader that sees the end closed and then finds the ring empty has
 * read everything sent.
 */
public final class PipeEnds {
    private final Liveness liveness;
    private final MemorySegment body;
    private final boolean duplex;
    private final int capacity;
    private final long maxMessageBytes;

    /**
     * The ends of a published pipe, its shape checked against the object.
     *
     * @throws RuntimeException from {@link dev.multiproc.internal.shm.ProtocolFailures#corrupt} if the shape is not one a pipe can have, or does not fit
     */
    public PipeEnds(MappedRegion region) {
        this.liveness = region.liveness();
        MemorySegment whole = ObjectHeader.body(region);
        this.body = whole.asSlice(0, Math.min(RINGS_OFFSET, whole.byteSize()));
        String name = region.name();
        if (whole.byteSize() < RINGS_OFFSET) {
            throw ProtocolFailures.corrupt(name, "size", whole.byteSize(), "a pipe needs at least " + RINGS_OFFSET + " bytes");
        }
        int duplexFlag = (int) INT.get(body, DUPLEX_OFFSET);
        this.capacity = (int) INT.get(body, CAPACITY_OFFSET);
        this.maxMessageBytes = (long) LONG.get(body, MAX_MESSAGE_OFFSET);
        if (duplexFlag != 0 && duplexFlag != 1) {
            throw ProtocolFailures.corrupt(name, "duplex flag", duplexFlag, "it must be 0 or 1");
        }
        this.duplex = duplexFlag == 1;
        if (capacity < RingLayout.MIN_CAPACITY || Integer.bitCount(capacity) != 1
                || PipeLayout.length(duplex, capacity) > whole.byteSize()) {
            throw ProtocolFailures.corrupt(name, "ring capacity", capacity, "it must be a power of two of at least "
                    + RingLayout.MIN_CAPACITY + " whose rings fit the object's " + whole.byteSize() + " bytes");
        }
        if (maxMessageBytes <= 0) {
            throw ProtocolFailures.corrupt(name, "message size limit", maxMessageBytes, "it must be positive");
        }
    }

    /** The pipe's rings in {@code region} (this pipe's object): one per direction, the first carrying to end 0. */
    public ByteRing[] rings(NativePlatform platform, MappedRegion region) {
        ByteRing[] rings = new ByteRing[duplex ? 2 : 1];
        for (int ring = 0; ring < rings.length; ring++) {
            rings[ring] = new ByteRing(platform, region, ObjectHeaderLayout.LENGTH + PipeLayout.ringOffset(ring, capacity), capacity);
        }
        return rings;
    }

    /** Creator: the pipe's shape and both ends held by the creator, before the header is published. */
    public static void initialise(MappedRegion region, boolean duplex, int capacity, long maxMessageBytes, long creatorToken) {
        MemorySegment body = ObjectHeader.body(region);
        INT.set(body, DUPLEX_OFFSET, duplex ? 1 : 0);
        INT.set(body, CAPACITY_OFFSET, capacity);
        LONG.set(body, MAX_MESSAGE_OFFSET, maxMessageBytes);
        for (int end = 0; end < 2; end++) {
            LONG.set(body, endOffset(end) + END_HOLDER_OFFSET, creatorToken);
            INT.set(body, endOffset(end) + END_STATE_OFFSET, END_OPEN);
        }
    }

    public boolean duplex() {
        return duplex;
    }

    public int capacity() {
        return capacity;
    }

    /** The largest message the pipe carries; a receiver never allocates more for one. */
    public long maxMessageBytes() {
        return maxMessageBytes;
    }

    public long holder(int end) {
        return (long) LONG.getVolatile(body, endOffset(end) + END_HOLDER_OFFSET);
    }

    public int state(int end) {
        return (int) INT.getVolatile(body, endOffset(end) + END_STATE_OFFSET);
    }

    /**
     * This process becomes the holder of {@code end} (the holder is written before the state,
     * so a parent that closes an end its child never attached cannot close it under the child).
     *
     * @return false if the end was already closed
     */
    public boolean attach(int end, long token) {
        LONG.setVolatile(body, endOffset(end) + END_HOLDER_OFFSET, token);
        INT.compareAndSet(body, endOffset(end) + END_STATE_OFFSET, END_IN_TRANSIT, END_OPEN);
        return state(end) == END_OPEN;
    }

    /** Marks the end in transit, if this process still holds it. */
    public boolean markInTransit(int end, long token) {
        return holder(end) == token && INT.compareAndSet(body, endOffset(end) + END_STATE_OFFSET, END_OPEN, END_IN_TRANSIT);
    }

    /** Closes the end if {@code token} holds it; returns whether it did. */
    public boolean close(int end, long token) {
        if (holder(end) != token) {
            return false;
        }
        INT.setVolatile(body, endOffset(end) + END_STATE_OFFSET, END_CLOSED);
        return true;
    }

    /** Closes an end that is still in transit from {@code token} (its receiver never attached). */
    public boolean closeInTransit(int end, long token) {
        return holder(end) == token && INT.compareAndSet(body, endOffset(end) + END_STATE_OFFSET, END_IN_TRANSIT, END_CLOSED);
    }

    /** Whether nothing more can come from {@code end}: closed, or its holder died. */
    public boolean finished(int end) {
        if (state(end) == END_CLOSED) {
            return true;
        }
        return !liveness.isAlive(holder(end));
    }

    /** Whether {@code end} is closed (without asking the OS whether its holder lives). */
    public boolean closed(int end) {
        return state(end) == END_CLOSED;
    }
}
