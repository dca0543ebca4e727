package dev.multiproc;

import dev.multiproc.internal.objects.Attachment;
import dev.multiproc.internal.shm.barrier.BarrierState;
import dev.multiproc.internal.shm.header.ObjectKind;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A cyclic barrier for threads of any process: Python's {@code multiprocessing.Barrier}, with
 * {@link java.util.concurrent.CyclicBarrier}'s methods and exceptions. {@link #await()} returns
 * the arrival index ({@code parties() - 1} for the first to arrive, 0 for the last); a timeout,
 * an interrupt or a {@link #reset()} breaks the barrier for the others
 * ({@link BrokenBarrierException}), and it stays broken until reset.
 *
 * <p>A party that dies: every process holding a handle is recorded; a waiting party that finds
 * one of them dead (within 50 ms) breaks the barrier, so the others get
 * {@link BrokenBarrierException} instead of waiting for ever. Processes that close their
 * handle (or exit normally) are no longer recorded.
 */
public final class SharedBarrier extends SharedObject {
    @java.io.Serial
    private static final long serialVersionUID = 1L;

    /**
     * The barrier's state in one attachment: the process joins the participant table once, when it
     * first attaches, and leaves when its last handle closes.
     */
    static final class BarrierShared implements Attachment.Shared {
        final BarrierState state;
        private final long token;
        private final int participantSlot;

        BarrierShared(Attachment attachment) {
            this.state = new BarrierState(attachment.platform, attachment.region);
            this.token = attachment.token();
            this.participantSlot = state.join(token);
        }

        @Override
        public void wakeAll() {
            state.wakeAll();
        }

        @Override
        public int sleepers() {
            return state.sleepers();
        }

        @Override
        public void detach() {
            state.leave(participantSlot, token);
        }
    }

    private final transient BarrierState state;
    private transient volatile WaitStrategy waitStrategy = WaitStrategy.BACKOFF;

    SharedBarrier(Multiproc context, Attachment attachment, boolean createdHere) {
        super(context, attachment, createdHere);
        this.state = attachment.shared(BarrierShared.class, BarrierShared::new).state;
    }

    @Override
    ObjectKind kind() {
        return ObjectKind.BARRIER;
    }

    public void setWaitStrategy(WaitStrategy waitStrategy) {
        this.waitStrategy = Objects.requireNonNull(waitStrategy);
    }

    public int parties() {
        return state.parties();
    }

    /** Parties waiting now. */
    public int waiting() {
        ensureOpen();
        return state.waiting();
    }

    public boolean isBroken() {
        ensureOpen();
        return state.isBroken();
    }

    public int await() throws InterruptedException, BrokenBarrierException {
        try {
            return await0(-1);
        } catch (TimeoutException impossible) {
            throw new AssertionError(impossible);
        }
    }

    public int await(long timeout, TimeUnit unit) throws InterruptedException, BrokenBarrierException, TimeoutException {
        return await0(Math.max(0, unit.toNanos(timeout)));
    }

    public int await(Duration timeout) throws InterruptedException, BrokenBarrierException, TimeoutException {
        return await0(Math.max(0, timeout.toNanos()));
    }

    private int await0(long timeoutNanos) throws InterruptedException, BrokenBarrierException, TimeoutException {
        ensureOpen();
        if (Thread.interrupted()) {
            state.breakCurrent();
            throw new InterruptedException();
        }
        BarrierState.Arrival arrival = state.arrive();
        if (arrival.index() < 0) {
            throw new BrokenBarrierException();
        }
        if (arrival.index() == 0) {
            return 0;
        }
        BarrierState.Outcome outcome;
        try {
            outcome = state.await(arrival.generation(), timeoutNanos, waitStrategy.policy(), whileOpen());
        } catch (InterruptedException e) {
            state.breakGeneration(arrival.generation());
            throw e;
        } catch (IllegalStateException closed) {
            state.breakGeneration(arrival.generation());
            throw closed;
        }
        return switch (outcome) {
            case PASSED -> arrival.index();
            case BROKEN -> throw new BrokenBarrierException();
            case TIMED_OUT -> {
                state.breakGeneration(arrival.generation());
                throw new TimeoutException("barrier '" + name() + "' not tripped within the timeout; it is now broken");
            }
        };
    }

    /** Breaks the barrier for the parties waiting now, and makes it usable again. */
    public void reset() {
        ensureOpen();
        state.reset();
    }

}
