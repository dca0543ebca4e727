package dev.multiproc;

import dev.multiproc.internal.objects.Attachment;
import dev.multiproc.internal.shm.condition.ConditionState;
import dev.multiproc.internal.shm.header.ObjectKind;

import java.time.Duration;
import java.util.Date;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;

/**
 * A condition of a {@link SharedLock} or {@link SharedReentrantLock}, shared by processes:
 * Python's {@code multiprocessing.Condition}. Made by {@code lock.newCondition()}; it travels
 * to other processes like any shared object (with its lock).
 *
 * <p>{@link #await()} and the signals require the lock to be held (the calling thread for a
 * reentrant lock, the calling process for a plain one), else {@link IllegalMonitorStateException}.
 * A signal wakes one waiter, in any process; a waiter that times out or is interrupted passes
 * on a signal it had already received. Spurious wake-ups can happen (as the {@link Condition}
 * contract allows): wait in a loop on your predicate. A waiter that dies while waiting leaves
 * one extra wake-up for a later waiter.
 */
public final class SharedCondition extends SharedObject implements Condition {
    @java.io.Serial
    private static final long serialVersionUID = 1L;

    private final transient ConditionState state;
    private final transient AbstractSharedLock lock;
    private transient volatile WaitStrategy waitStrategy = WaitStrategy.BACKOFF;

    SharedCondition(Multiproc context, Attachment attachment, boolean createdHere, AbstractSharedLock lock) {
        super(context, attachment, createdHere);
        this.state = state(attachment);
        this.lock = lock;
    }

    /** The condition's state in an attachment, shared by this process's handles. */
    static ConditionState state(Attachment attachment) {
        return attachment.shared(ConditionState.class, shared -> new ConditionState(shared.platform, shared.region));
    }

    @Override
    ObjectKind kind() {
        return ObjectKind.CONDITION;
    }

    /** The lock this condition belongs to. */
    public AbstractSharedLock lock() {
        return lock;
    }

    public void setWaitStrategy(WaitStrategy waitStrategy) {
        this.waitStrategy = Objects.requireNonNull(waitStrategy);
    }

    /** Threads (in all processes) waiting and not yet signalled. */
    public int waiting() {
        ensureOpen();
        return state.waiting();
    }

    private boolean awaitNanos0(long timeoutNanos, boolean interruptible) throws InterruptedException {
        ensureOpen();
        if (!lock.heldByCaller()) {
            throw new IllegalMonitorStateException("await on condition '" + name() + "' without holding its lock '" + lock.name() + "'");
        }
        if (interruptible && Thread.interrupted()) {
            throw new InterruptedException();
        }
        state.register();
        int saved = lock.releaseForWait();
        boolean interrupted = false;
        try {
            long deadline = System.nanoTime() + timeoutNanos;
            while (true) {
                try {
                    long remaining = timeoutNanos < 0 ? -1 : Math.max(0, deadline - System.nanoTime());
                    return state.await(remaining, waitStrategy.policy(), whileOpen());
                } catch (InterruptedException e) {
                    if (interruptible) {
                        throw e;
                    }
                    interrupted = true;
                    state.register();
                }
            }
        } finally {
            lock.reacquireAfterWait(saved);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void await() throws InterruptedException {
        awaitNanos0(-1, true);
    }

    @Override
    public void awaitUninterruptibly() {
        try {
            awaitNanos0(-1, false);
        } catch (InterruptedException impossible) {
            throw new AssertionError(impossible);
        }
    }

    @Override
    public long awaitNanos(long nanosTimeout) throws InterruptedException {
        long start = System.nanoTime();
        awaitNanos0(Math.max(0, nanosTimeout), true);
        return nanosTimeout - (System.nanoTime() - start);
    }

    @Override
    public boolean await(long time, TimeUnit unit) throws InterruptedException {
        return awaitNanos0(Math.max(0, unit.toNanos(time)), true);
    }

    /** Waits at most {@code timeout}; returns false if it elapsed without a signal. */
    public boolean await(Duration timeout) throws InterruptedException {
        return awaitNanos0(Math.max(0, timeout.toNanos()), true);
    }

    @Override
    public boolean awaitUntil(Date deadline) throws InterruptedException {
        return awaitNanos0(Math.max(0, TimeUnit.MILLISECONDS.toNanos(deadline.getTime() - System.currentTimeMillis())), true);
    }

    private void checkHeld(String what) {
        ensureOpen();
        if (!lock.heldByCaller()) {
            throw new IllegalMonitorStateException(what + " on condition '" + name() + "' without holding its lock '" + lock.name() + "'");
        }
    }

    @Override
    public void signal() {
        checkHeld("signal");
        state.signal(false);
    }

    @Override
    public void signalAll() {
        checkHeld("signalAll");
        state.signal(true);
    }

}
