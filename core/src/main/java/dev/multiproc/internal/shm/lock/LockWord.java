package dev.multiproc.internal.shm.lock;

import dev.multiproc.internal.shm.wait.WaitPolicy;
import dev.multiproc.internal.shm.header.ObjectHeader;
import dev.multiproc.internal.shm.header.ObjectHeaderLayout;
import dev.multiproc.internal.shm.wait.WaitPoint;
import dev.multiproc.internal.shm.wait.Waiters;
import dev.multiproc.spi.Liveness;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NativePlatform;

import java.lang.foreign.MemorySegment;

import static dev.multiproc.internal.shm.Words.INT;
import static dev.multiproc.internal.shm.Words.LONG;
import static dev.multiproc.internal.shm.lock.LockLayout.*;

/**
 * The mutual exclusion of {@link LockLayout}: an owner word taken by CAS from 0 to the
 * acquirer's process token and given back with a release store of 0, plus a wait point for
 * processes that wait.
 *
 * <p>Memory effects: everything a holder wrote before releasing (release store) is visible to
 * the next holder after its acquiring CAS (volatile), in any process.
 *
 * <p>A dead owner: every waiter checks, once per wait slice (50 ms) and before it first sleeps,
 * whether the owner's process is alive (its liveness token, see {@code spec/liveness.md}); if not, it CASes the owner word from the dead token to
 * its own. Exactly one waiter wins; it sets {@code recovered} so that it can tell, and counts
 * the recovery. The hold count and thread id are the winner's to reset.
 */
public final class LockWord implements Waiters {
    private final Liveness liveness;
    private final MemorySegment body;
    private final WaitPoint waitPoint;

    /** The lock of a lock object (its body, checked to be large enough). */
    public LockWord(NativePlatform platform, MappedRegion region) {
        this(platform, region, bodyOffset(region));
    }

    private static long bodyOffset(MappedRegion region) {
        ObjectHeader.body(region, LENGTH);
        return ObjectHeaderLayout.LENGTH;
    }

    /** A lock word embedded at {@code offset} of {@code region} (a map stripe's lock). */
    public LockWord(NativePlatform platform, MappedRegion region, long offset) {
        this.liveness = region.liveness();
        this.body = region.segment().asSlice(offset, LENGTH);
        this.waitPoint = new WaitPoint(platform, region, offset + WAIT_POINT_OFFSET);
    }

    /** Takes the lock if it is free; on success the caller owns it (not recovered). */
    public boolean tryAcquire(long token, long threadId) {
        if (LONG.compareAndSet(body, OWNER_OFFSET, 0L, token)) {
            LONG.setOpaque(body, OWNER_THREAD_OFFSET, threadId);
            INT.set(body, RECOVERED_OFFSET, 0);
            return true;
        }
        return false;
    }

    /**
     * Takes the lock over if its owner's process is dead.
     *
     * @return the dead owner's token, or 0 if the lock was not taken over
     */
    public long tryRecover(long token, long threadId) {
        long owner = owner();
        if (owner == 0 || owner == token || liveness.isAlive(owner)) {
            return 0;
        }
        if (LONG.compareAndSet(body, OWNER_OFFSET, owner, token)) {
            LONG.setOpaque(body, OWNER_THREAD_OFFSET, threadId);
            INT.set(body, HOLDS_OFFSET, 0);
            INT.set(body, RECOVERED_OFFSET, 1);
            LONG.getAndAdd(body, RECOVERIES_OFFSET, 1L);
            return owner;
        }
        return 0;
    }

    /** {@link #acquire} gave up waiting. */
    public static final long TIMED_OUT = -1;
    /** {@link #acquire} took a free lock. */
    public static final long ACQUIRED = 0;

    /**
     * Waits for the lock (negative timeout: forever), taking it over from a dead owner if need be;
     * {@code sliceCheck} runs once per wait slice besides.
     *
     * @return {@link #ACQUIRED}, {@link #TIMED_OUT}, or the dead owner's token when taken over
     * @throws InterruptedException if interrupted while waiting
     */
    public long acquire(long token, long threadId, long timeoutNanos, WaitPolicy policy, WaitPoint.SliceCheck sliceCheck)
            throws InterruptedException {
        if (tryAcquire(token, threadId)) {
            return ACQUIRED;
        }
        long[] recoveredFrom = {tryRecover(token, threadId)};
        if (recoveredFrom[0] != 0) {
            return recoveredFrom[0];
        }
        boolean got = waitPoint.await(() -> recoveredFrom[0] != 0 || tryAcquire(token, threadId), timeoutNanos, policy,
                () -> {
                    sliceCheck.check();
                    recoveredFrom[0] = tryRecover(token, threadId);
                });
        if (!got) {
            return TIMED_OUT;
        }
        return recoveredFrom[0];
    }

    /** Frees the lock (the caller has checked it may) and wakes one waiter. */
    public void release() {
        LONG.setVolatile(body, OWNER_OFFSET, 0L);
        waitPoint.wakeOneAfterVolatileWrite();
    }

    /** The owner's token, or 0 when free. */
    public long owner() {
        return (long) LONG.getVolatile(body, OWNER_OFFSET);
    }

    public long ownerThread() {
        return (long) LONG.getOpaque(body, OWNER_THREAD_OFFSET);
    }

    /** Hold count of a reentrant lock, for its holder. */
    public int holds() {
        return (int) INT.get(body, HOLDS_OFFSET);
    }

    public void setHolds(int holds) {
        INT.set(body, HOLDS_OFFSET, holds);
    }

    /** Whether the current hold was taken from a dead owner. */
    public boolean recovered() {
        return (int) INT.getVolatile(body, RECOVERED_OFFSET) == 1;
    }

    public long recoveries() {
        return (long) LONG.getVolatile(body, RECOVERIES_OFFSET);
    }

    @Override
    public int sleepers() {
        return waitPoint.sleepers();
    }

    /** Wakes every waiter of this process and others, so that they re-check (used when a handle closes). */
    @Override
    public void wakeAll() {
        waitPoint.wakeAll();
    }
}
