package dev.multiproc.internal.shm;

import dev.multiproc.internal.shm.wait.WaitPolicy;
import dev.multiproc.internal.shm.lock.LockLayout;
import dev.multiproc.internal.shm.lock.LockWord;
import dev.multiproc.internal.shm.wait.WaitPoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.multiproc.internal.shm.ProtocolThreads.*;
import static org.junit.jupiter.api.Assertions.*;

/** The lock word's protocol (spec/lock.md) with participants that die on the test's word, in one JVM. */
@Timeout(60)
class LockProtocolTest {
    private static final long A = 11;
    private static final long B = 12;
    private static final long C = 13;
    private final TestParticipants participants = new TestParticipants();
    private final LockWord lock = new LockWord(TestParticipants.PLATFORM, participants.object(LockLayout.LENGTH));

    private long acquire(long token, long timeoutNanos) throws InterruptedException {
        return lock.acquire(token, token, timeoutNanos, WaitPolicy.SLEEP, WaitPoint.NO_CHECK);
    }

    @Test
    void aFreeLockIsTakenByOneAndGivenBack() {
        assertTrue(lock.tryAcquire(A, 1));
        assertEquals(A, lock.owner());
        assertFalse(lock.tryAcquire(B, 2), "held");
        lock.release();
        assertEquals(0, lock.owner());
        assertTrue(lock.tryAcquire(B, 2));
        assertFalse(lock.recovered(), "taken free, not over");
    }

    @Test
    void aLiveOwnerIsNeverTakenOver() throws InterruptedException {
        assertTrue(lock.tryAcquire(A, 1));
        assertEquals(0, lock.tryRecover(B, 2));
        assertEquals(LockWord.TIMED_OUT, acquire(B, TimeUnit.MILLISECONDS.toNanos(120)), "waits out a slice and more, then gives up");
        assertEquals(A, lock.owner());
        assertEquals(0, lock.recoveries());
    }

    @Test
    void aDeadOwnersLockGoesToExactlyOneTakerWhichKnowsItTookItOver() {
        assertTrue(lock.tryAcquire(A, 1));
        lock.setHolds(3);
        participants.kill(A);
        assertEquals(A, lock.tryRecover(B, 2), "the dead owner's token comes back to the one that took over");
        assertEquals(0, lock.tryRecover(C, 3), "the new owner is alive: nobody else takes it");
        assertEquals(B, lock.owner());
        assertTrue(lock.recovered());
        assertEquals(0, lock.holds(), "the dead owner's holds are not the taker's");
        assertEquals(1, lock.recoveries());
    }

    @Test
    void aWaiterAsleepWhenTheOwnerDiesTakesTheLockOverWithinASlice() throws Exception {
        assertTrue(lock.tryAcquire(A, 1));
        CompletableFuture<Long> waiter = start("waiter", () -> acquire(B, -1));
        awaitState("the waiter sleeps on the lock", () -> lock.sleepers() == 1);
        participants.kill(A);
        assertEquals(A, result(waiter), "a sleeping waiter looks at the owner once a wait slice");
        assertEquals(B, lock.owner());
        assertEquals(1, lock.recoveries());
    }

    @Test
    void aReleaseWakesTheWaiterAsleep() throws Exception {
        assertTrue(lock.tryAcquire(A, 1));
        CompletableFuture<Long> waiter = start("waiter", () -> acquire(B, -1));
        awaitState("the waiter sleeps on the lock", () -> lock.sleepers() == 1);
        lock.release();
        assertEquals(LockWord.ACQUIRED, result(waiter));
        assertEquals(B, lock.owner());
        assertEquals(0, lock.recoveries());
    }
}
