package dev.multiproc;

import dev.multiproc.codec.Codec;
import dev.multiproc.internal.objects.Attachment;

import java.time.Duration;

/**
 * A {@link SharedQueue} that counts unfinished tasks: Python's
 * {@code multiprocessing.JoinableQueue}. Every message put adds one; every
 * {@link #taskDone()} takes one; {@link #join()} waits, in any process, until none is left.
 *
 * <p>Deaths never leave {@link #join()} waiting for ever. A producer killed after it claimed a
 * slot and before it published the message: the slot is skipped and the task never counted. A
 * consumer killed after it took a message and before its {@code taskDone()}: its debt counts as
 * done once the death is noticed (within one wait slice of a waiting {@code join()}); a message it
 * was still reading is delivered again (see {@link SharedQueue}) and counts as a task once more.
 * ({@code join()} delivers it again itself, with many consumers, before it counts the debt.) So
 * {@code join()} returns when every message put has been marked done or was lost with a process
 * that died. The count of a process is its takes less its {@code taskDone()} calls: if one
 * process takes a message and another marks it done, and the taker dies holding other messages,
 * {@code join()} may return that many tasks early. Up to 64 consumer processes at once are
 * tracked (see {@code spec/queue.md}).
 *
 * @param <E> the type of the messages
 */
public final class JoinableQueue<E> extends SharedQueue<E> {
    @java.io.Serial
    private static final long serialVersionUID = 1L;

    JoinableQueue(Multiproc context, Attachment attachment, boolean createdHere, Codec<E> codec) {
        super(context, attachment, createdHere, codec);
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
        slots.addDebt(shared.debtSlot(), -1);
    }

    /** Tasks put and not yet marked done (nor lost with a consumer that died). */
    public long unfinishedTasks() {
        ensureOpen();
        slots.forgiveDeadConsumers();
        return Math.max(0, slots.unfinished());
    }

    /** Waits until every message put has been marked done (or lost with a process that died). */
    public void join() throws InterruptedException {
        ensureOpen();
        slots.awaitAllDone(-1, WaitStrategy.BLOCKING.policy(), whileOpen(), shared.redeliveryBeforeJoin());
    }

    /** Waits at most {@code timeout}; returns whether every message was marked done (or lost with a dead process). */
    public boolean join(Duration timeout) throws InterruptedException {
        ensureOpen();
        return slots.awaitAllDone(Math.max(0, timeout.toNanos()), WaitStrategy.BLOCKING.policy(), whileOpen(), shared.redeliveryBeforeJoin());
    }
}
