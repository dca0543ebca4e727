package dev.multiproc;

import dev.multiproc.codec.Codec;
import dev.multiproc.spi.MappedRegion;

import java.time.Duration;

/**
 * A {@link SharedQueue} that counts unfinished tasks: Python's
 * {@code multiprocessing.JoinableQueue}. Every message put adds one; every
 * {@link #taskDone()} takes one; {@link #join()} waits, in any process, until none is left.
 *
 * @param <E> the type of the messages
 */
public final class JoinableQueue<E> extends SharedQueue<E> {
    @java.io.Serial
    private static final long serialVersionUID = 1L;

    JoinableQueue(Multiproc context, MappedRegion region, boolean createdHere, Codec<E> codec) {
        super(context, region, createdHere, codec);
    }

    /**
     * Marks one message as processed.
     *
     * @throws IllegalStateException if called more times than messages were put
     */
    public void taskDone() {
        ensureOpen();
        if (!slots.taskDone()) {
            throw new IllegalStateException("taskDone() called more times than there were messages in queue '" + name() + "'");
        }
    }

    /** Tasks put and not yet marked done. */
    public long unfinishedTasks() {
        ensureOpen();
        return slots.unfinished();
    }

    /** Waits until every message put has been marked done. */
    public void join() throws InterruptedException {
        ensureOpen();
        slots.awaitAllDone(-1, WaitStrategy.BLOCKING);
    }

    /** Waits at most {@code timeout}; returns whether every message was marked done. */
    public boolean join(Duration timeout) throws InterruptedException {
        ensureOpen();
        return slots.awaitAllDone(Math.max(0, timeout.toNanos()), WaitStrategy.BLOCKING);
    }
}
