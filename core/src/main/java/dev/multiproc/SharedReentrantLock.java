package dev.multiproc;

import dev.multiproc.internal.objects.Attachment;
import dev.multiproc.internal.shm.header.ObjectKind;

/**
 * A reentrant lock shared by processes: Python's {@code multiprocessing.RLock}. The holding
 * thread of the holding process may lock again (a hold count); only it may unlock, and it must
 * unlock as many times as it locked.
 *
 * <p>Memory effects and dead-owner recovery as for {@link SharedLock}; a hold taken over from a
 * dead owner starts at a count of one.
 */
public final class SharedReentrantLock extends AbstractSharedLock {
    @java.io.Serial
    private static final long serialVersionUID = 1L;

    SharedReentrantLock(Multiproc context, Attachment attachment, boolean createdHere) {
        super(context, attachment, createdHere);
    }

    @Override
    ObjectKind kind() {
        return ObjectKind.REENTRANT_LOCK;
    }

    @Override
    boolean heldByCaller() {
        return word.owner() == processToken && word.ownerThread() == Thread.currentThread().threadId();
    }

    /** Whether the calling thread holds the lock. */
    public boolean isHeldByCurrentThread() {
        ensureOpen();
        return heldByCaller();
    }

    /** How many times the calling thread holds the lock (0 if it does not). */
    public int getHoldCount() {
        ensureOpen();
        return heldByCaller() ? word.holds() : 0;
    }

    @Override
    public void lock() {
        if (reenter()) {
            return;
        }
        super.lock();
    }

    @Override
    public void lockInterruptibly() throws InterruptedException {
        if (reenter()) {
            return;
        }
        super.lockInterruptibly();
    }

    @Override
    public boolean tryLock(long time, java.util.concurrent.TimeUnit unit) throws InterruptedException {
        return reenter() || super.tryLock(time, unit);
    }

    @Override
    public boolean tryLock() {
        ensureOpen();
        if (reenter()) {
            return true;
        }
        if (word.tryAcquire(processToken, Thread.currentThread().threadId())) {
            onAcquired();
            return true;
        }
        return false;
    }

    private boolean reenter() {
        ensureOpen();
        if (heldByCaller()) {
            word.setHolds(word.holds() + 1);
            return true;
        }
        return false;
    }

    @Override
    void onAcquired() {
        word.setHolds(1);
    }

    /**
     * Releases one hold; the last one frees the lock.
     *
     * @throws IllegalMonitorStateException if the calling thread does not hold the lock
     */
    @Override
    public void unlock() {
        ensureOpen();
        if (!heldByCaller()) {
            throw new IllegalMonitorStateException("unlock of reentrant lock '" + name() + "' by a thread that does not hold it"
                    + ownerPid().stream().mapToObj(pid -> " (held by process " + pid + ")").findFirst().orElse(" (it is free)"));
        }
        int holds = word.holds() - 1;
        word.setHolds(holds);
        if (holds == 0) {
            word.release();
        }
    }

    @Override
    int releaseForWait() {
        if (!heldByCaller()) {
            throw new IllegalMonitorStateException("await on a condition of reentrant lock '" + name()
                    + "' by a thread that does not hold it");
        }
        int holds = word.holds();
        word.setHolds(0);
        word.release();
        return holds;
    }

    @Override
    void reacquireAfterWait(int saved) {
        super.lock();
        word.setHolds(saved);
    }
}
