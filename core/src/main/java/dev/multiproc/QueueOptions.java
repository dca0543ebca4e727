package dev.multiproc;

import dev.multiproc.internal.shm.queue.QueueLayout;

import java.util.Objects;

/**
 * How a {@link SharedQueue} is made [Queue(maxsize)]. Shared memory is reserved up front:
 * {@code capacity} slots of {@code slotBytes} each (about {@code capacity * (slotBytes + 16)}
 * bytes); a message bigger than a slot spills into an object of its own.
 *
 * @param capacity        the most messages the queue holds, 1 to 2^28
 * @param slotBytes       bytes of encoded message a slot holds (at least {@value QueueLayout#MIN_SLOT_DATA})
 * @param maxMessageBytes the largest message the queue accepts: a bigger one is refused when it is
 *                        put ({@link MessageTooLargeException}), and a consumer never reads or
 *                        allocates more for one message, whatever another process wrote
 * @param waitStrategy    how the handles this process gets from the factory wait for room or a
 *                        message (each handle may change it: {@link SharedQueue#setWaitStrategy})
 * @param mode            whether producers and consumers may be many or only one thread each
 *                        (part of the queue: every process that opens it by name must give the same)
 */
public record QueueOptions(int capacity, int slotBytes, long maxMessageBytes, WaitStrategy waitStrategy, QueueMode mode) {
    /** The default of {@link #maxMessageBytes}: 64 MiB. */
    public static final long DEFAULT_MAX_MESSAGE_BYTES = 64L << 20;

    public QueueOptions {
        if (capacity <= 0 || capacity > QueueLayout.MAX_CAPACITY) {
            throw new IllegalArgumentException("queue capacity must be 1 to " + QueueLayout.MAX_CAPACITY + ", got " + capacity);
        }
        if (slotBytes < QueueLayout.MIN_SLOT_DATA) {
            throw new IllegalArgumentException("queue slots must hold at least " + QueueLayout.MIN_SLOT_DATA + " bytes, got " + slotBytes);
        }
        if (maxMessageBytes <= 0) {
            throw new IllegalArgumentException("maxMessageBytes must be positive, got " + maxMessageBytes);
        }
        Objects.requireNonNull(waitStrategy, "waitStrategy");
        Objects.requireNonNull(mode, "mode");
    }

    /**
     * {@code capacity} slots of {@value QueueLayout#DEFAULT_SLOT_DATA} bytes, messages up to 64 MiB,
     * {@link WaitStrategy#BACKOFF}, {@link QueueMode#MPMC}.
     */
    public static QueueOptions of(int capacity) {
        return new QueueOptions(capacity, QueueLayout.DEFAULT_SLOT_DATA, DEFAULT_MAX_MESSAGE_BYTES, WaitStrategy.BACKOFF, QueueMode.MPMC);
    }

    public QueueOptions withSlotBytes(int bytes) {
        return new QueueOptions(capacity, bytes, maxMessageBytes, waitStrategy, mode);
    }

    public QueueOptions withMaxMessageBytes(long bytes) {
        return new QueueOptions(capacity, slotBytes, bytes, waitStrategy, mode);
    }

    public QueueOptions withWaitStrategy(WaitStrategy strategy) {
        return new QueueOptions(capacity, slotBytes, maxMessageBytes, strategy, mode);
    }

    public QueueOptions withMode(QueueMode queueMode) {
        return new QueueOptions(capacity, slotBytes, maxMessageBytes, waitStrategy, queueMode);
    }
}
