package dev.multiproc.internal.shm;

import dev.multiproc.internal.shm.wait.WaitPolicy;
import dev.multiproc.internal.shm.barrier.BarrierLayout;
import dev.multiproc.internal.shm.barrier.BarrierState;
import dev.multiproc.internal.shm.table.ParticipantTable;
import dev.multiproc.internal.shm.table.ParticipantTableLayout;
import dev.multiproc.internal.shm.wait.WaitPoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;

import static dev.multiproc.internal.shm.ProtocolThreads.*;
import static org.junit.jupiter.api.Assertions.*;

/** The barrier's protocol (spec/barrier.md) with participants that die on the test's word, in one JVM. */
@Timeout(60)
class BarrierProtocolTest {
    private static final long A = 21;
    private static final long B = 22;
    private final TestParticipants participants = new TestParticipants();
    private final BarrierState barrier = new BarrierState(TestParticipants.PLATFORM, participants.object(BarrierLayout.LENGTH));

    private BarrierState.Outcome await(BarrierState.Arrival arrival) throws InterruptedException {
        return barrier.await(arrival.generation(), -1, WaitPolicy.SLEEP, WaitPoint.NO_CHECK);
    }

    @Test
    void theLastPartyTripsTheBarrierForTheOneWaiting() throws Exception {
        barrier.initialise(2);
        BarrierState.Arrival first = barrier.arrive();
        assertEquals(1, first.index());
        CompletableFuture<BarrierState.Outcome> waiting = start("first party", () -> await(first));
        awaitState("the first party sleeps", () -> barrier.sleepers() == 1);
        BarrierState.Arrival last = barrier.arrive();
        assertEquals(0, last.index(), "the last to arrive");
        assertEquals(BarrierState.Outcome.PASSED, result(waiting));
        assertEquals(0, barrier.waiting(), "the next generation starts empty");
    }

    @Test
    void aPartyThatDiesBreaksTheBarrierForTheOneWaitingAndForLaterArrivals() throws Exception {
        barrier.initialise(2);
        barrier.join(A);
        barrier.join(B);
        BarrierState.Arrival first = barrier.arrive();
        CompletableFuture<BarrierState.Outcome> waiting = start("party A", () -> await(first));
        awaitState("party A sleeps", () -> barrier.sleepers() == 1);
        participants.kill(B);
        assertEquals(BarrierState.Outcome.BROKEN, result(waiting), "a waiter looks at the parties once a wait slice");
        assertTrue(barrier.isBroken());
        assertEquals(-1, barrier.arrive().index(), "broken until reset");
        barrier.reset();
        assertFalse(barrier.isBroken());
        assertEquals(1, barrier.arrive().index(), "a reset starts a fresh generation");
    }

    /**
     * Only a waiter used to reclaim the slots of dead participants: after 64 processes had opened
     * the barrier and died with nobody waiting, a 65th went untracked, and its death left the
     * parties waiting for it for good.
     */
    @Test
    void aProcessFindingTheTableFullOfTheDeadBreaksTheBarrierAsAWaiterWouldAndIsTracked() throws Exception {
        barrier.initialise(2);
        for (long dead = 1_000; dead < 1_000 + ParticipantTableLayout.SLOTS; dead++) {
            assertNotEquals(ParticipantTable.NO_SLOT, barrier.join(dead));
            participants.kill(dead);
        }
        assertNotEquals(ParticipantTable.NO_SLOT, barrier.join(B), "the dead's slots were reclaimed and one given to the latecomer");
        assertTrue(barrier.isBroken(), "the dead break the barrier, as the next waiter would have found");
        barrier.reset();
        BarrierState.Arrival first = barrier.arrive();
        CompletableFuture<BarrierState.Outcome> waiting = start("party A", () -> await(first));
        awaitState("party A sleeps", () -> barrier.sleepers() == 1);
        participants.kill(B);
        assertEquals(BarrierState.Outcome.BROKEN, result(waiting), "the latecomer, tracked, breaks the barrier by dying");
    }

    @Test
    void aWaiterOfAGenerationResetUnderItIsToldItBroke() throws Exception {
        barrier.initialise(3);
        BarrierState.Arrival first = barrier.arrive();
        CompletableFuture<BarrierState.Outcome> waiting = start("first party", () -> await(first));
        awaitState("the first party sleeps", () -> barrier.sleepers() == 1);
        barrier.reset();
        assertEquals(BarrierState.Outcome.BROKEN, result(waiting));
        assertFalse(barrier.isBroken(), "the new generation is whole");
    }
}
