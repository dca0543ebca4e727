package dev.multiproc;

import dev.multiproc.internal.objects.Attachment;
import dev.multiproc.internal.shm.header.ObjectKind;

/**
 * A lock shared by processes: Python's {@code multiprocessing.Lock}. Not reentrant (a thread
 * that locks twice waits for itself, as in Python); any process or thread with a handle may
 * unlock it, as Python allows; unlocking a free lock throws {@link IllegalMonitorStateException}.
 *
 * <p>Memory effects: what a process wrote before {@link #unlock()} is visible to the process
 * that acquires the lock next.
 *
 * <p>A holder that dies: the next process to wait for the lock takes it over within one wait
 * slice (50 ms) of the death, {@link #lock()} returns normally, {@link #recoveredFromDeadOwner()}
 * is true for that hold, and a WARNING naming the dead process goes to {@code System.Logger}
 * "dev.multiproc". See {@code spec/lock.md}.
 */
public final class SharedLock extends AbstractSharedLock {
    @java.io.Serial
    private static final long serialVersionUID = 1L;

    SharedLock(Multiproc context, Attachment attachment, boolean createdHere) {
        super(context, attachment, createdHere);
    }

    @Override
    ObjectKind kind() {
        return ObjectKind.LOCK;
    }

    @Override
    public boolean tryLock() {
        ensureOpen();
        return word.tryAcquire(processToken, Thread.currentThread().threadId());
    }

    @Override
    void onAcquired() {
    }

    /** The lock is held by this process (any of its threads may release it). */
    @Override
    boolean heldByCaller() {
        return word.owner() == processToken;
    }

    /**
     * Releases the lock, whoever holds it.
     *
     * @throws IllegalMonitorStateException if it is not locked
     */
    @Override
    public void unlock() {
        ensureOpen();
        if (word.owner() == 0) {
            throw new IllegalMonitorStateException("unlock of lock '" + name() + "', which is not locked");
        }
        word.release();
    }

    @Override
    int releaseForWait() {
        if (!heldByCaller()) {
            throw new IllegalMonitorStateException("await on a condition of lock '" + name() + "', which this process does not hold");
        }
        word.release();
        return 1;
    }

    @Override
    void reacquireAfterWait(int saved) {
        lock();
    }
}
