package dev.multiproc.internal.shm.semaphore;

import dev.multiproc.internal.shm.wait.WaitPolicy;
import dev.multiproc.jfr.EventGate;
import dev.multiproc.jfr.TakeOverEvent;
import dev.multiproc.internal.shm.header.ObjectHeader;
import dev.multiproc.internal.shm.header.ObjectHeaderLayout;
import dev.multiproc.internal.shm.table.ParticipantTable;
import dev.multiproc.internal.shm.wait.WaitPoint;
import dev.multiproc.internal.shm.wait.Waiters;
import dev.multiproc.spi.Liveness;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NativePlatform;

import java.lang.foreign.MemorySegment;

import static dev.multiproc.internal.shm.Words.INT;
import static dev.multiproc.internal.shm.Words.LONG;
import static dev.multiproc.internal.shm.semaphore.SemaphoreLayout.*;

/**
 * The counting of {@link SemaphoreLayout}. Acquiring CASes the permit count down, then adds to
 * the acquirer's slot in the holder table; releasing takes from the slot, then CASes the count
 * up and wakes waiters. A process may release permits it never acquired (a semaphore used as a
 * signal): its slot goes negative, and only positive holdings count as held.
 *
 * <p>Recovery, when {@code recover} is set (bounded semaphores): processes record what they
 * hold, and the permits held (net) by a process that died are added back to the count by
 * whoever reclaims its slot ({@link #recoverDeadHolders}); waiters do so by themselves before
 * sleeping and once per wait slice. A process killed between the CAS on the count and the
 * update of its slot (a few instructions) loses one permit. Without {@code recover} (plain
 * semaphores, which may be signals acquired and never released) nothing is recorded, and a
 * dead holder's permits are lost, as with a POSIX semaphore.
 *
 * <p>Memory effects: a release (CAS, volatile) happens-before the acquire (CAS) that takes the
 * permit, in any process.
 */
public final class SemaphoreState implements Waiters {
    private final String name;
    private final Liveness liveness;
    private final MemorySegment body;
    private final WaitPoint waitPoint;
    private final ParticipantTable holders;

    public SemaphoreState(NativePlatform platform, MappedRegion region) {
        this.name = region.name();
        this.liveness = region.liveness();
        this.body = ObjectHeader.body(region, LENGTH);
        this.waitPoint = new WaitPoint(platform, region, ObjectHeaderLayout.LENGTH + WAIT_POINT_OFFSET);
        this.holders = new ParticipantTable(body, HOLDERS_OFFSET);
    }

    /** Creator: initial permits, bound (0 = none) and whether waiters recover dead holders' permits. */
    public void initialise(int permits, int bound, boolean recover) {
        INT.set(body, PERMITS_OFFSET, permits);
        INT.set(body, INITIAL_PERMITS_OFFSET, permits);
        INT.set(body, BOUND_OFFSET, bound);
        INT.set(body, RECOVER_OFFSET, recover ? 1 : 0);
    }

    /** Whether holders are recorded and a dead holder's permits come back (bounded semaphores). */
    public boolean recoversDeadHolders() {
        return (int) INT.get(body, RECOVER_OFFSET) == 1;
    }

    /** The permits the semaphore was made with. */
    public int initialPermits() {
        return (int) INT.get(body, INITIAL_PERMITS_OFFSET);
    }

    public int bound() {
        return (int) INT.get(body, BOUND_OFFSET);
    }

    public int available() {
        return (int) INT.getVolatile(body, PERMITS_OFFSET);
    }

    /**
     * The holder-table slot of a process, claimed on its first acquire or release. A table full
     * of slots of processes that have died (reclaimed otherwise only by a waiter) is recovered
     * first; {@link ParticipantTable#NO_SLOT} if live processes hold every slot.
     */
    public int claimSlot(long token) {
        int slot = holders.claim(token);
        if (slot == ParticipantTable.NO_SLOT) {
            recoverDeadHolders();
            slot = holders.claim(token);
        }
        return slot;
    }

    /** Takes {@code count} permits if they are free now, recording them against {@code slot}. */
    public boolean tryAcquire(int count, int slot) {
        while (true) {
            int permits = (int) INT.getVolatile(body, PERMITS_OFFSET);
            if (permits < count) {
                return false;
            }
            if (INT.compareAndSet(body, PERMITS_OFFSET, permits, permits - count)) {
                if (slot != ParticipantTable.NO_SLOT) {
                    holders.add(slot, count);
                }
                return true;
            }
        }
    }

    /**
     * Waits for {@code count} permits (negative timeout: forever); {@code sliceCheck} runs once per
     * wait slice besides.
     *
     * @return whether they were taken; false on timeout
     */
    public boolean acquire(int count, int slot, long timeoutNanos, WaitPolicy policy, WaitPoint.SliceCheck sliceCheck)
            throws InterruptedException {
        if (tryAcquire(count, slot)) {
            return true;
        }
        boolean recover = recoversDeadHolders();
        if (recover && recoverDeadHolders() > 0 && tryAcquire(count, slot)) {
            return true;
        }
        return waitPoint.await(() -> tryAcquire(count, slot), timeoutNanos, policy, () -> {
            sliceCheck.check();
            if (recover) {
                recoverDeadHolders();
            }
        });
    }

    /** Outcome of {@link #release}. */
    public enum Released { RELEASED, OVER_BOUND }

    /** Gives back {@code count} permits (refusing to exceed the bound), and wakes waiters. */
    public Released release(int count, int slot) {
        int bound = bound();
        while (true) {
            int permits = (int) INT.getVolatile(body, PERMITS_OFFSET);
            if (bound > 0 && permits + count > bound) {
                return Released.OVER_BOUND;
            }
            if (permits + count < permits) {
                throw new ArithmeticException("semaphore permit count would overflow");
            }
            if (slot != ParticipantTable.NO_SLOT) {
                holders.add(slot, -count);
            }
            if (INT.compareAndSet(body, PERMITS_OFFSET, permits, permits + count)) {
                waitPoint.wakeAllAfterVolatileWrite();
                return Released.RELEASED;
            }
            if (slot != ParticipantTable.NO_SLOT) {
                holders.add(slot, count);
            }
        }
    }

    /** Takes every free permit; returns how many. */
    public int drain(int slot) {
        while (true) {
            int permits = (int) INT.getVolatile(body, PERMITS_OFFSET);
            if (permits <= 0 || INT.compareAndSet(body, PERMITS_OFFSET, permits, 0)) {
                if (permits > 0 && slot != ParticipantTable.NO_SLOT) {
                    holders.add(slot, permits);
                }
                return Math.max(permits, 0);
            }
        }
    }

    /** Permits this slot's process holds (net). */
    public long held(int slot) {
        return holders.count(slot);
    }

    /** Adds back the permits held by processes that died; returns how many. */
    public int recoverDeadHolders() {
        int recovered = 0;
        for (ParticipantTable.Reclaimed dead : holders.reclaimDead(liveness)) {
            if (dead.count() > 0) {
                int count = (int) dead.count();
                EventGate.record(() -> TakeOverEvent.record(name, "semaphore", liveness.describe(dead.token()), count));
                int bound = bound();
                while (true) {
                    int permits = (int) INT.getVolatile(body, PERMITS_OFFSET);
                    int next = bound > 0 ? Math.min(bound, permits + count) : permits + count;
                    if (INT.compareAndSet(body, PERMITS_OFFSET, permits, next)) {
                        recovered += next - permits;
                        break;
                    }
                }
            }
        }
        if (recovered > 0) {
            LONG.getAndAdd(body, RECOVERED_TOTAL_OFFSET, (long) recovered);
            waitPoint.wakeAll();
        }
        return recovered;
    }

    public long recoveredTotal() {
        return (long) LONG.getVolatile(body, RECOVERED_TOTAL_OFFSET);
    }

    @Override
    public int sleepers() {
        return waitPoint.sleepers();
    }

    @Override
    public void wakeAll() {
        waitPoint.wakeAll();
    }
}
