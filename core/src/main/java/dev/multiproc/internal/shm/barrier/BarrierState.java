package dev.multiproc.internal.shm.barrier;

import dev.multiproc.internal.shm.ProtocolFailures;
import dev.multiproc.internal.shm.wait.WaitPolicy;
import dev.multiproc.jfr.BarrierBrokenEvent;
import dev.multiproc.internal.shm.header.ObjectHeader;
import dev.multiproc.internal.shm.header.ObjectHeaderLayout;
import dev.multiproc.internal.shm.table.ParticipantTable;
import dev.multiproc.internal.shm.wait.WaitPoint;
import dev.multiproc.internal.shm.wait.Waiters;
import dev.multiproc.jfr.EventGate;
import dev.multiproc.spi.Liveness;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NativePlatform;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static dev.multiproc.internal.shm.Words.INT;
import static dev.multiproc.internal.shm.Words.LONG;
import static dev.multiproc.internal.shm.barrier.BarrierLayout.*;

/**
 * A cyclic barrier in one state word (see {@link BarrierLayout}), changed only by CAS. A party
 * arrives by incrementing {@code arrived}; the last party of a generation moves the word to the
 * next generation (arrived 0) and wakes everyone; waiters return when the generation changes.
 * Breaking sets the broken flag in the current generation; it stays broken until a reset moves
 * to a fresh generation.
 *
 * <p>Processes that hold the barrier are listed in a participant table; a waiter that finds one
 * of them dead (once per wait slice) breaks the barrier instead of waiting for a party that
 * cannot come.
 *
 * <p>Memory effects: what a party wrote before arriving (CAS, volatile) is visible to every party
 * after the trip.
 */
public final class BarrierState implements Waiters {
    /** How a wait ended. */
    public enum Outcome { PASSED, BROKEN, TIMED_OUT }

    private final String name;
    private final Liveness liveness;
    private final MemorySegment body;
    private final WaitPoint waitPoint;
    private final ParticipantTable participants;

    public BarrierState(NativePlatform platform, MappedRegion region) {
        this.name = region.name();
        this.liveness = region.liveness();
        this.body = ObjectHeader.body(region, LENGTH);
        this.waitPoint = new WaitPoint(platform, region, ObjectHeaderLayout.LENGTH + WAIT_POINT_OFFSET);
        this.participants = new ParticipantTable(body, PARTICIPANTS_OFFSET);
    }

    public void initialise(int parties) {
        INT.set(body, PARTIES_OFFSET, parties);
    }

    /** The parties a trip needs: at least one, else the barrier is corrupt. */
    public int parties() {
        int parties = (int) INT.get(body, PARTIES_OFFSET);
        if (parties <= 0) {
            throw ProtocolFailures.corrupt(name, "parties", parties, "a barrier has at least one party");
        }
        return parties;
    }

    private long state() {
        return (long) LONG.getVolatile(body, STATE_OFFSET);
    }

    private static int generation(long state) {
        return (int) (state >>> 32);
    }

    public boolean isBroken() {
        return (state() & BROKEN_BIT) != 0;
    }

    public int waiting() {
        return (int) (state() & ARRIVED_MASK);
    }

    /**
     * Records that this process holds a handle (so that its death breaks the barrier); returns its
     * slot. A table full of slots of processes that have died (which the next waiter would find,
     * breaking the barrier) is settled first, breaking the current generation as that waiter
     * would; {@link ParticipantTable#NO_SLOT} if live processes hold every slot.
     */
    public int join(long token) {
        int slot = participants.claim(token);
        if (slot == ParticipantTable.NO_SLOT && reclaimDeadParticipants()) {
            breakCurrent();
            slot = participants.claim(token);
        }
        if (slot != ParticipantTable.NO_SLOT) {
            participants.add(slot, 1);
        }
        return slot;
    }

    /** Withdraws a handle of this process. */
    public void leave(int slot, long token) {
        if (slot != ParticipantTable.NO_SLOT && participants.add(slot, -1) <= 0) {
            participants.release(slot, token);
        }
    }

    /** An arrival: its index (parties - 1 for the first, 0 for the last), its generation, or -1 if broken. */
    public record Arrival(int index, int generation) {
    }

    /** Arrives at the barrier; the last party trips it. */
    public Arrival arrive() {
        int parties = parties();
        while (true) {
            long state = state();
            if ((state & BROKEN_BIT) != 0) {
                return new Arrival(-1, generation(state));
            }
            long arrived = state & ARRIVED_MASK;
            int generation = generation(state);
            if (arrived >= parties) {
                throw ProtocolFailures.corrupt(name, "arrived count", arrived, "fewer than the " + parties
                        + " parties have arrived while the generation lasts");
            }
            if (arrived + 1 == parties) {
                if (LONG.compareAndSet(body, STATE_OFFSET, state, (long) (generation + 1) << 32)) {
                    waitPoint.wakeAll();
                    return new Arrival(0, generation);
                }
            } else if (LONG.compareAndSet(body, STATE_OFFSET, state, state + 1)) {
                return new Arrival((int) (parties - 1 - arrived), generation);
            }
        }
    }

    /** Waits for the trip of {@code generation} (negative timeout: forever); {@code sliceCheck} runs once per slice besides. */
    public Outcome await(int generation, long timeoutNanos, WaitPolicy policy, WaitPoint.SliceCheck sliceCheck)
            throws InterruptedException {
        boolean ended = waitPoint.await(() -> generationEnded(generation), timeoutNanos, policy, () -> {
            sliceCheck.check();
            if (participants.anyDead(liveness)) {
                reclaimDeadParticipants();
                breakGeneration(generation);
            }
        });
        if (!ended) {
            return Outcome.TIMED_OUT;
        }
        long state = state();
        if (generation(state) == generation) {
            return Outcome.BROKEN;
        }
        return (int) INT.getVolatile(body, RESET_BROKEN_OFFSET) == generation + 1 ? Outcome.BROKEN : Outcome.PASSED;
    }

    /** Reclaims the slots of participants that died, recording each death; true if there were any. */
    private boolean reclaimDeadParticipants() {
        List<ParticipantTable.Reclaimed> reclaimed = participants.reclaimDead(liveness);
        for (ParticipantTable.Reclaimed dead : reclaimed) {
            EventGate.record(() -> BarrierBrokenEvent.record(name, liveness.describe(dead.token())));
        }
        return !reclaimed.isEmpty();
    }

    private boolean generationEnded(int generation) {
        long state = state();
        return generation(state) != generation || (state & BROKEN_BIT) != 0;
    }

    /** Breaks the current generation (a party was interrupted before it arrived). */
    public void breakCurrent() {
        breakGeneration(generation(state()));
    }

    /** Breaks {@code generation} if it is still current; waiters of it get BROKEN. */
    public void breakGeneration(int generation) {
        while (true) {
            long state = state();
            if (generation(state) != generation || (state & BROKEN_BIT) != 0) {
                return;
            }
            if (LONG.compareAndSet(body, STATE_OFFSET, state, state | BROKEN_BIT)) {
                waitPoint.wakeAll();
                return;
            }
        }
    }

    /** Breaks the current generation for its waiters, then starts a fresh one. */
    public void reset() {
        participants.reclaimDead(liveness);
        while (true) {
            long state = state();
            int generation = generation(state);
            if ((state & ARRIVED_MASK) > 0 || (state & BROKEN_BIT) != 0) {
                INT.setVolatile(body, RESET_BROKEN_OFFSET, generation + 1);
            }
            if (LONG.compareAndSet(body, STATE_OFFSET, state, (long) (generation + 1) << 32)) {
                waitPoint.wakeAll();
                return;
            }
        }
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
