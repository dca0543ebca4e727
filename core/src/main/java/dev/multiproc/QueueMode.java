package dev.multiproc;

/**
 * Who may use a {@link SharedQueue}, chosen when it is made ({@link QueueOptions#withMode}).
 * A side that only one thread uses at a time moves its position with a release store instead
 * of a compare-and-set, so each message costs it one atomic instruction less.
 *
 * <p>A single side belongs to the first thread that uses it. Another thread that tries gets
 * {@link IllegalStateException} while that thread's process lives and holds the queue; the side
 * passes to the next thread that asks once that thread has ended (in its own process), its
 * process has closed the queue, or its process has died (in any process), so a replacement for
 * a killed consumer simply starts consuming.
 */
public enum QueueMode {
    /** Any number of producers and consumers, in any processes (the default). */
    MPMC,
    /** Any number of producers; one consumer thread at a time. */
    MPSC,
    /** One producer thread and one consumer thread at a time. */
    SPSC;

    boolean singleProducer() {
        return this == SPSC;
    }

    boolean singleConsumer() {
        return this != MPMC;
    }
}
