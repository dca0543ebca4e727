package dev.multiproc.internal.shm;

import dev.multiproc.internal.shm.semaphore.SemaphoreLayout;
import dev.multiproc.internal.shm.semaphore.SemaphoreState;
import dev.multiproc.internal.shm.table.ParticipantTable;
import dev.multiproc.internal.shm.table.ParticipantTableLayout;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The semaphore's protocol (spec/semaphore.md): a dead holder's permits, in one JVM. */
class SemaphoreProtocolTest {
    private static final long A = 31;
    private static final long B = 32;
    private final TestParticipants participants = new TestParticipants();
    private final SemaphoreState semaphore = new SemaphoreState(TestParticipants.PLATFORM, participants.object(SemaphoreLayout.LENGTH));

    @Test
    void thePermitsADeadHolderHeldComeBackOnceAndOnlyThose() {
        semaphore.initialise(3, 3, true);
        int a = semaphore.claimSlot(A);
        int b = semaphore.claimSlot(B);
        assertTrue(semaphore.tryAcquire(2, a));
        assertTrue(semaphore.tryAcquire(1, b));
        assertEquals(0, semaphore.available());
        assertEquals(0, semaphore.recoverDeadHolders(), "both holders live");
        participants.kill(A);
        assertEquals(2, semaphore.recoverDeadHolders(), "A's two permits");
        assertEquals(2, semaphore.available());
        assertEquals(0, semaphore.recoverDeadHolders(), "counted once");
        assertEquals(2, semaphore.recoveredTotal());
        assertEquals(1, semaphore.held(b), "B keeps its permit");
    }

    /**
     * Only a waiter used to reclaim dead holders' slots, and nobody waits while permits are free:
     * once 64 holders had come and died, later ones went untracked and a permit one of them held
     * at its death was lost for good.
     */
    @Test
    void aProcessFindingTheHolderTableFullOfTheDeadRecoversThemAndIsTracked() {
        semaphore.initialise(2, 2, true);
        for (long dead = 1_000; dead < 1_000 + ParticipantTableLayout.SLOTS; dead++) {
            int slot = semaphore.claimSlot(dead);
            assertNotEquals(ParticipantTable.NO_SLOT, slot);
            assertTrue(semaphore.tryAcquire(1, slot));
            assertEquals(SemaphoreState.Released.RELEASED, semaphore.release(1, slot));
            participants.kill(dead);
        }
        int latecomer = semaphore.claimSlot(A);
        assertNotEquals(ParticipantTable.NO_SLOT, latecomer, "the dead's slots were reclaimed and one given to the latecomer");
        assertTrue(semaphore.tryAcquire(2, latecomer));
        participants.kill(A);
        assertEquals(2, semaphore.recoverDeadHolders(), "the latecomer, tracked, died holding both permits: they come back");
        assertEquals(2, semaphore.available());
    }

    @Test
    void aReleaseBeyondTheBoundIsRefusedAndNothingChanges() {
        semaphore.initialise(1, 1, true);
        int a = semaphore.claimSlot(A);
        assertEquals(SemaphoreState.Released.OVER_BOUND, semaphore.release(1, a));
        assertEquals(1, semaphore.available());
        assertEquals(0, semaphore.held(a));
    }
}
