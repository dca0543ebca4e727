package dev.multiproc;

import dev.multiproc.internal.shm.ring.RingLayout;

/**
 * How a {@link Pipe} is made [Pipe(duplex)].
 *
 * @param duplex          both ends send and receive; else {@code first()} only receives and {@code second()} only sends
 * @param capacityBytes   bytes of ring per direction (rounded up to a power of two, at least
 *                        {@value RingLayout#MIN_CAPACITY}); messages of any size pass, bigger ones in pieces
 * @param maxMessageBytes the largest message the pipe carries: a bigger one is refused when it is
 *                        sent ({@link MessageTooLargeException}), and a receiver never allocates more
 *                        for one message, whatever the other end announces
 */
public record PipeOptions(boolean duplex, int capacityBytes, long maxMessageBytes) {
    /** Bytes of ring per direction unless given: room for bursts without holding much memory. */
    public static final int DEFAULT_CAPACITY_BYTES = 128 * 1024;
    /** The default of {@link #maxMessageBytes}: 64 MiB. */
    public static final long DEFAULT_MAX_MESSAGE_BYTES = QueueOptions.DEFAULT_MAX_MESSAGE_BYTES;

    public PipeOptions {
        if (capacityBytes <= 0) {
            throw new IllegalArgumentException("pipe capacity must be positive, got " + capacityBytes);
        }
        if (maxMessageBytes <= 0 || maxMessageBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxMessageBytes must be 1 to " + (Integer.MAX_VALUE - 8)
                    + " (a message arrives as one Java array), got " + maxMessageBytes);
        }
    }

    /** A duplex pipe of 128 KiB per direction, messages up to 64 MiB. */
    public static PipeOptions duplexPipe() {
        return new PipeOptions(true, DEFAULT_CAPACITY_BYTES, DEFAULT_MAX_MESSAGE_BYTES);
    }

    /** A one-way pipe: {@code first()} receives, {@code second()} sends. */
    public static PipeOptions oneWay() {
        return new PipeOptions(false, DEFAULT_CAPACITY_BYTES, DEFAULT_MAX_MESSAGE_BYTES);
    }

    public PipeOptions withCapacityBytes(int bytes) {
        return new PipeOptions(duplex, bytes, maxMessageBytes);
    }

    public PipeOptions withMaxMessageBytes(long bytes) {
        return new PipeOptions(duplex, capacityBytes, bytes);
    }
}
