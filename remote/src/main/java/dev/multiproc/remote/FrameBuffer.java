package dev.multiproc.remote;

import dev.multiproc.BufferTooShortException;
import dev.multiproc.Connection;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.EOFException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Where the out pump builds its frames: native memory that messages are received into straight
 * from the connection's local pipe (receiving an array and copying it into the frame cost a copy
 * and an array per message), seen by the publication through an Agrona buffer. It starts at
 * {@value #INITIAL_BYTES} bytes (at most a frame) and grows, doubling, as longer messages come, up
 * to the longest frame the publication takes. Used by the out pump's thread only.
 */
final class FrameBuffer {
    static final int INITIAL_BYTES = 64 * 1024;

    private final int maxFrame;
    /** Kept reachable for as long as {@link #view} points into it (the automatic arena frees it after). */
    private MemorySegment memory;
    private final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);

    FrameBuffer(int maxFrame) {
        this.maxFrame = maxFrame;
        allocate(Math.min(INITIAL_BYTES, maxFrame));
    }

    /** The frame's bytes, for writing kinds and lengths and for the publication's offer. */
    UnsafeBuffer view() {
        return view;
    }

    /**
     * Receives the next message at {@code offset}, growing the buffer if it needs more room;
     * returns its length, or -1 if the message is too long for a frame at that offset (it stays
     * in the pipe, for {@link Connection#recvBytes()}).
     */
    int receive(Connection<?> near, int offset) throws EOFException, InterruptedException {
        while (true) {
            try {
                return near.recvBytesInto(memory, offset);
            } catch (BufferTooShortException longer) {
                long needed = (long) offset + longer.neededLength();
                if (needed > maxFrame) {
                    return -1;
                }
                grow((int) needed);
            }
        }
    }

    /**
     * Receives the next message at {@code offset} if it fits the room there is; else returns -1
     * and leaves it in the pipe (to start the next frame), the buffer grown for it.
     */
    int receiveIfRoom(Connection<?> near, int offset) throws EOFException, InterruptedException {
        try {
            return near.recvBytesInto(memory, offset);
        } catch (BufferTooShortException longer) {
            grow((int) Math.min(maxFrame, (long) longer.neededLength() + offset));
            return -1;
        }
    }

    /** Makes room for {@code bytes} (at most a frame) at once. */
    void ensure(int bytes) {
        if (bytes > memory.byteSize()) {
            grow(bytes);
        }
    }

    private void grow(int needed) {
        long doubled = Math.max(needed, 2 * memory.byteSize());
        MemorySegment previous = memory;
        allocate((int) Math.min(maxFrame, doubled));
        // what the frame holds so far (kind, lengths, the messages before) stays
        MemorySegment.copy(previous, 0, memory, 0, previous.byteSize());
    }

    private void allocate(int bytes) {
        memory = Arena.ofAuto().allocate(bytes, Long.BYTES);
        view.wrap(memory.address(), bytes);
    }
}
