package dev.multiproc.internal.shm;

import dev.multiproc.internal.shm.semaphore.SemaphoreLayout;
import dev.multiproc.internal.shm.semaphore.SemaphoreState;
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

    @Test
    void aReleaseBeyondTheBoundIsRefusedAndNothingChanges() {
        semaphore.initialise(1, 1, true);
        int a = semaphore.claimSlot(A);
        assertEquals(SemaphoreState.Released.OVER_BOUND, semaphore.release(1, a));
        assertEquals(1, semaphore.available());
        assertEquals(0, semaphore.held(a));
    }
}
