package dev.multiproc.internal.shm.condition;

import dev.multiproc.internal.shm.ProtocolFailures;
import dev.multiproc.internal.shm.wait.WaitPolicy;
import dev.multiproc.internal.shm.header.ObjectHeader;
import dev.multiproc.internal.shm.header.ObjectHeaderLayout;
import dev.multiproc.internal.shm.wait.WaitPoint;
import dev.multiproc.internal.shm.wait.Waiters;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NativePlatform;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

import static dev.multiproc.internal.shm.Words.INT;
import static dev.multiproc.internal.shm.Words.LONG;
import static dev.multiproc.internal.shm.condition.ConditionLayout.*;

/**
 * Waiting and signalling of {@link ConditionLayout}. The state word holds two counts that
 * change together by CAS: a waiter registers ({@code waiting + 1}) before it releases the
 * lock; a signal moves one waiter to a permit ({@code waiting - 1, permits + 1}), a signal-all
 * moves them all; a waiter returns when it takes a permit ({@code permits - 1}). A waiter that
 * times out takes itself back from {@code waiting}, or, if a signal already moved it, takes its
 * permit: no signal is lost and none is counted twice.
 *
 * <p>Memory effects: the caller holds the lock around registering and signalling, and the lock
 * orders everything else; the state word is only read volatile and changed by CAS.
 */
public final class ConditionState implements Waiters {
    private static final long ONE_WAITER = 1L << 32;
    private static final long PERMITS_MASK = 0xFFFF_FFFFL;

    private final String name;
    private final MemorySegment body;
    private final WaitPoint waitPoint;

    public ConditionState(NativePlatform platform, MappedRegion region) {
        this.name = region.name();
        this.body = ObjectHeader.body(region, LENGTH);
        this.waitPoint = new WaitPoint(platform, region, ObjectHeaderLayout.LENGTH + WAIT_POINT_OFFSET);
    }

    /** Creator: records the lock's kind and name, before the header is published. */
    public void initialise(int lockKind, String lockName) {
        byte[] bytes = lockName.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > LOCK_NAME_CAPACITY) {
            throw new IllegalArgumentException("lock name longer than " + LOCK_NAME_CAPACITY + " bytes: " + lockName);
        }
        MemorySegment.copy(bytes, 0, body, ValueLayout.JAVA_BYTE, LOCK_NAME_OFFSET, bytes.length);
        INT.set(body, LOCK_NAME_LENGTH_OFFSET, bytes.length);
        INT.set(body, LOCK_KIND_OFFSET, lockKind);
    }

    public int lockKind() {
        return (int) INT.get(body, LOCK_KIND_OFFSET);
    }

    /** The lock's name as stored: at most {@link ConditionLayout#LOCK_NAME_CAPACITY} bytes, else the condition is corrupt. */
    public String lockName() {
        int length = (int) INT.get(body, LOCK_NAME_LENGTH_OFFSET);
        if (length <= 0 || length > LOCK_NAME_CAPACITY) {
            throw ProtocolFailures.corrupt(name, "lock name length", length, "it must be 1 to " + LOCK_NAME_CAPACITY);
        }
        return new String(body.asSlice(LOCK_NAME_OFFSET, length).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    /** Called with the lock held, before releasing it. */
    public void register() {
        LONG.getAndAdd(body, STATE_OFFSET, ONE_WAITER);
    }

    /**
     * Waits (lock released) until signalled or {@code timeoutNanos} pass (negative: forever).
     *
     * @return whether a signal was taken; false on timeout (the registration is withdrawn)
     * @throws InterruptedException if interrupted; the registration is withdrawn, or the signal
     *                              already received is passed on to another waiter (the same when
     *                              {@code sliceCheck} throws)
     */
    public boolean await(long timeoutNanos, WaitPolicy policy, WaitPoint.SliceCheck sliceCheck) throws InterruptedException {
        boolean signalled;
        try {
            signalled = waitPoint.await(this::takePermit, timeoutNanos, policy, sliceCheck);
        } catch (InterruptedException | RuntimeException e) {
            if (!withdraw()) {
                signal(false);
            }
            throw e;
        }
        return signalled || !withdraw();
    }

    private boolean takePermit() {
        while (true) {
            long state = (long) LONG.getVolatile(body, STATE_OFFSET);
            if ((state & PERMITS_MASK) == 0) {
                return false;
            }
            if (LONG.compareAndSet(body, STATE_OFFSET, state, state - 1)) {
                return true;
            }
        }
    }

    /**
     * Takes this waiter back out of {@code waiting}; if a signal moved it already, takes the
     * permit instead.
     *
     * @return true if withdrawn (not signalled), false if the permit was taken (signalled)
     */
    private boolean withdraw() {
        while (true) {
            long state = (long) LONG.getVolatile(body, STATE_OFFSET);
            if ((state >>> 32) > 0) {
                if (LONG.compareAndSet(body, STATE_OFFSET, state, state - ONE_WAITER)) {
                    return true;
                }
            } else if ((state & PERMITS_MASK) > 0) {
                if (LONG.compareAndSet(body, STATE_OFFSET, state, state - 1)) {
                    return false;
                }
            } else {
                return true;
            }
        }
    }

    /** Moves one waiter (or all) to a permit and wakes; returns how many were moved. Called with the lock held. */
    public long signal(boolean all) {
        while (true) {
            long state = (long) LONG.getVolatile(body, STATE_OFFSET);
            long waiting = state >>> 32;
            if (waiting == 0) {
                return 0;
            }
            long moved = all ? waiting : 1;
            long next = ((waiting - moved) << 32) | ((state & PERMITS_MASK) + moved);
            if (LONG.compareAndSet(body, STATE_OFFSET, state, next)) {
                if (all) {
                    waitPoint.wakeAll();
                } else {
                    waitPoint.wakeOne();
                }
                return moved;
            }
        }
    }

    /** Threads registered and not yet signalled. */
    public int waiting() {
        return (int) ((long) LONG.getVolatile(body, STATE_OFFSET) >>> 32);
    }

    @Override
    public void wakeAll() {
        waitPoint.wakeAll();
    }

    @Override
    public int sleepers() {
        return waitPoint.sleepers();
    }
}
