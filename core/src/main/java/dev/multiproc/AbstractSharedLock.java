package dev.multiproc;

import dev.multiproc.internal.MultiprocLog;
import dev.multiproc.internal.objects.Attachment;
import dev.multiproc.internal.shm.lock.LockWord;
import dev.multiproc.jfr.EventGate;
import dev.multiproc.jfr.TakeOverEvent;
import dev.multiproc.jfr.WaitEvent;

import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * What {@link SharedLock} and {@link SharedReentrantLock} share: the lock word in shared
 * memory, waiting (with the handle's {@link WaitStrategy}), taking a dead owner's lock over,
 * and conditions. They differ in who holds the lock and who may release it.
 */
public abstract sealed class AbstractSharedLock extends SharedObject implements Lock
        permits SharedLock, SharedReentrantLock {
    @java.io.Serial
    private static final long serialVersionUID = 1L;

    final transient LockWord word;
    final transient long processToken;
    private transient volatile WaitStrategy waitStrategy = WaitStrategy.BACKOFF;

    AbstractSharedLock(Multiproc context, Attachment attachment, boolean createdHere) {
        super(context, attachment, createdHere);
        this.word = attachment.shared(LockWord.class, shared -> new LockWord(shared.platform, shared.region));
        this.processToken = attachment.token();
    }

    /** How this handle waits for the lock (default {@link WaitStrategy#BACKOFF}). */
    public void setWaitStrategy(WaitStrategy waitStrategy) {
        this.waitStrategy = Objects.requireNonNull(waitStrategy);
    }

    public WaitStrategy waitStrategy() {
        return waitStrategy;
    }

    /** Whether the calling thread (or, for {@link SharedLock}, process) holds the lock. */
    abstract boolean heldByCaller();

    /** The local part of taking the lock once the word is ours: hold counts. */
    abstract void onAcquired();

    /** Releases fully before a condition wait; returns what {@link #reacquireAfterWait} restores. */
    abstract int releaseForWait();

    /** Takes the lock again after a condition wait, uninterruptibly, restoring {@code saved}. */
    abstract void reacquireAfterWait(int saved);

    /**
     * Takes the word (negative timeout: forever).
     *
     * @return whether the lock was taken
     */
    final boolean acquireWord(long timeoutNanos, boolean interruptible) throws InterruptedException {
        ensureOpen();
        long threadId = Thread.currentThread().threadId();
        if (word.tryAcquire(processToken, threadId)) {
            onAcquired();
            return true;
        }
        long deadline = System.nanoTime() + timeoutNanos;
        boolean interrupted = false;
        WaitEvent wait = EventGate.beginWait();
        try {
            while (true) {
                long remaining = timeoutNanos < 0 ? -1 : Math.max(0, deadline - System.nanoTime());
                long outcome;
                try {
                    outcome = word.acquire(processToken, threadId, remaining, waitStrategy.policy(), whileOpen());
                } catch (InterruptedException e) {
                    if (interruptible) {
                        throw e;
                    }
                    interrupted = true;
                    continue;
                }
                if (outcome == LockWord.TIMED_OUT) {
                    return false;
                }
                if (outcome != LockWord.ACQUIRED) {
                    String dead = region.liveness().describe(outcome);
                    MultiprocLog.get().log(System.Logger.Level.WARNING, "{0} ''{1}'' was held by {2}, which died; "
                            + "this process (pid {3}) took it over: the data it guards may be half-updated",
                            kind().label(), name(), dead, ProcessHandle.current().pid());
                    EventGate.record(() -> TakeOverEvent.record(name(), kind().label(), dead, 1));
                }
                onAcquired();
                return true;
            }
        } finally {
            EventGate.endWait(wait, name(), kind().label(), "the lock");
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void lock() {
        try {
            acquireWord(-1, false);
        } catch (InterruptedException impossible) {
            throw new AssertionError(impossible);
        }
    }

    @Override
    public void lockInterruptibly() throws InterruptedException {
        acquireWord(-1, true);
    }

    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        return acquireWord(Math.max(0, unit.toNanos(time)), true);
    }

    /**
     * Whether the current hold was taken over from a process that died holding the lock. True
     * from that acquisition until the lock is released; the data the lock guards may be
     * half-updated and need repair.
     */
    public boolean recoveredFromDeadOwner() {
        return heldByCaller() && word.recovered();
    }

    /** The lock's numbers now, read from shared memory: every process sees the same. */
    public LockMetrics metrics() {
        ensureOpen();
        long owner = word.owner();
        return new LockMetrics(owner != 0, owner == 0 ? 0 : region.liveness().pid(owner).orElse(0), word.sleepers(), word.recoveries());
    }

    /** Whether some process holds the lock now. */
    public boolean isLocked() {
        ensureOpen();
        return word.owner() != 0;
    }

    /**
     * The pid of the process that holds the lock, if any, as that process sees it (in another PID
     * namespace the number means another process here).
     */
    public OptionalLong ownerPid() {
        ensureOpen();
        long owner = word.owner();
        return owner == 0 ? OptionalLong.empty() : region.liveness().pid(owner);
    }

    /** A new condition bound to this lock, shared across processes (it travels like any shared object). */
    @Override
    public Condition newCondition() {
        ensureOpen();
        return context.condition(this);
    }

}
