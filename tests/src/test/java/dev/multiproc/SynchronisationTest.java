package dev.multiproc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;

import static dev.multiproc.Children.*;
import static org.junit.jupiter.api.Assertions.*;

/** Locks, conditions, semaphores, events and barriers across real child JVMs. */
@Timeout(180)
class SynchronisationTest extends ContextPerTest {
    /** A plain read-modify-write: only mutual exclusion makes the total exact. */
    static void incrementUnderLock(java.util.concurrent.locks.Lock lock, SharedMemory counter, int times) {
        for (int i = 0; i < times; i++) {
            lock.lock();
            try {
                set(counter, 0, get(counter, 0) + 1);
            } finally {
                lock.unlock();
            }
        }
    }

    @Test
    void threeProcessesIncrementingUnderTheLockTotalExactly() throws Exception {
        try (SharedLock lock = mp.lock(); SharedMemory counter = mp.sharedMemory(64)) {
            List<JvmProcess> children = start(mp,
                    () -> incrementUnderLock(lock, counter, 100_000),
                    () -> incrementUnderLock(lock, counter, 100_000),
                    () -> incrementUnderLock(lock, counter, 100_000));
            joinAll(children, 0);
            assertEquals(300_000L, get(counter, 0));
            assertFalse(lock.isLocked());
        }
    }

    @Test
    void threeProcessesReenteringTheReentrantLockTotalExactly() throws Exception {
        try (SharedReentrantLock lock = mp.reentrantLock(); SharedMemory counter = mp.sharedMemory(64)) {
            SerializableRunnable work = () -> {
                for (int i = 0; i < 30_000; i++) {
                    lock.lock();
                    lock.lock();
                    try {
                        if (lock.getHoldCount() != 2) {
                            System.exit(9);
                        }
                        set(counter, 0, get(counter, 0) + 1);
                    } finally {
                        lock.unlock();
                        lock.unlock();
                    }
                }
            };
            joinAll(start(mp, work, work, work), 0);
            assertEquals(90_000L, get(counter, 0));
        }
    }

    /** A one-slot buffer: offset 0 holds the value, offset 8 is 1 when full. */
    static void produce(SharedLock lock, Condition notFull, Condition notEmpty, SharedMemory slot, int count) {
        for (int value = 1; value <= count; value++) {
            lock.lock();
            try {
                while (get(slot, 8) == 1) {
                    notFull.awaitUninterruptibly();
                }
                set(slot, 0, value);
                set(slot, 8, 1);
                notEmpty.signal();
            } finally {
                lock.unlock();
            }
        }
    }

    @Test
    void conditionsCarryAProducerConsumerHandOffAcrossProcesses() throws Exception {
        try (SharedLock lock = mp.lock(); SharedMemory slot = mp.sharedMemory(64)) {
            Condition notFull = lock.newCondition();
            Condition notEmpty = lock.newCondition();
            int count = 2_000;
            List<JvmProcess> producer = start(mp, () -> produce(lock, notFull, notEmpty, slot, count));
            long sum = 0;
            long previous = 0;
            for (int i = 0; i < count; i++) {
                lock.lock();
                try {
                    while (get(slot, 8) == 0) {
                        assertTrue(notEmpty.await(30, TimeUnit.SECONDS) || get(slot, 8) == 1, "producer stalled");
                    }
                    long value = get(slot, 0);
                    assertEquals(previous + 1, value, "values arrive in order, none lost");
                    previous = value;
                    sum += value;
                    set(slot, 8, 0);
                    notFull.signal();
                } finally {
                    lock.unlock();
                }
            }
            joinAll(producer, 0);
            assertEquals((long) count * (count + 1) / 2, sum);
        }
    }

    @Test
    void acquiringSeveralPermitsUninterruptiblyWaitsThroughAnInterruptAndKeepsIt() throws Exception {
        try (SharedSemaphore semaphore = mp.semaphore(1)) {
            java.util.concurrent.atomic.AtomicBoolean interruptKept = new java.util.concurrent.atomic.AtomicBoolean();
            Thread waiter = Thread.ofPlatform().start(() -> {
                semaphore.acquireUninterruptibly(2);
                interruptKept.set(Thread.currentThread().isInterrupted());
            });
            // (an interrupt that came before the wait began would be kept through it the same way)
            Thread.sleep(100);
            waiter.interrupt();
            waiter.join(300);
            assertTrue(waiter.isAlive(), "an interrupt does not end the wait");
            assertEquals(1, semaphore.availablePermits(), "nothing taken meanwhile");
            semaphore.release();
            waiter.join(10_000);
            assertFalse(waiter.isAlive());
            assertTrue(interruptKept.get(), "the interrupt status is kept");
            assertEquals(0, semaphore.availablePermits(), "both permits taken at once");
            assertThrows(IllegalArgumentException.class, () -> semaphore.acquireUninterruptibly(0));
        }
    }

    @Test
    void aSemaphoreNeverAdmitsMoreThanItsPermits() throws Exception {
        try (SharedSemaphore semaphore = mp.semaphore(2); SharedMemory stats = mp.sharedMemory(64)) {
            SerializableRunnable worker = () -> {
                for (int i = 0; i < 200; i++) {
                    semaphore.acquireUninterruptibly();
                    try {
                        long active = addVolatile(stats, 0, 1);
                        max(stats.segment(), 8, active);
                        Thread.onSpinWait();
                        addVolatile(stats, 0, -1);
                    } finally {
                        semaphore.release();
                    }
                }
            };
            joinAll(start(mp, worker, worker, worker, worker), 0);
            assertTrue(get(stats, 8) <= 2, "at most 2 holders at once, saw " + get(stats, 8));
            assertTrue(get(stats, 8) >= 1);
            assertEquals(2, semaphore.availablePermits());
        }
    }

    @Test
    void setWakesEveryWaitingProcess() throws Exception {
        try (SharedEvent event = mp.event(); SharedMemory ready = mp.sharedMemory(64)) {
            SerializableRunnable waiter = () -> {
                addVolatile(ready, 0, 1);
                try {
                    System.exit(event.await(60, TimeUnit.SECONDS) ? 0 : 3);
                } catch (InterruptedException e) {
                    System.exit(4);
                }
            };
            List<JvmProcess> waiters = start(mp, waiter, waiter, waiter);
            awaitValue(ready, 0, 3);
            awaitWaiting(event, 3);
            assertFalse(event.isSet());
            event.set();
            assertTrue(event.isSet());
            joinAll(waiters, 0);
            event.clear();
            assertFalse(event.await(Duration.ofMillis(50)));
        }
    }

    @Test
    void aBarrierOfThreeProcessesTripsEveryRound() throws Exception {
        int rounds = 5;
        try (SharedBarrier barrier = mp.barrier(3); SharedMemory indices = mp.sharedMemory(8 * 3 * rounds)) {
            assertEquals(3, barrier.parties());
            SerializableRunnable party = () -> {
                try {
                    for (int round = 0; round < rounds; round++) {
                        int index = barrier.await(60, TimeUnit.SECONDS);
                        addVolatile(indices, 8L * (round * 3 + index), 1);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            joinAll(start(mp, party, party, party), 0);
            for (int round = 0; round < rounds; round++) {
                for (int index = 0; index < 3; index++) {
                    assertEquals(1L, get(indices, 8L * (round * 3 + index)), "round " + round + ": each arrival index exactly once");
                }
            }
            assertFalse(barrier.isBroken());
            assertEquals(0, barrier.waiting());
        }
    }

    /**
     * Starts a child that runs {@code take}, raises {@code flag}, and waits to be killed; returns
     * once the flag is up.
     */
    private JvmProcess startHolding(SharedMemory flag, SerializableRunnable take) throws InterruptedException {
        JvmProcess holder = start(mp, () -> {
            take.run();
            set(flag, 0, 1);
            sleep(120_000);
        }).getFirst();
        awaitValue(flag, 0, 1);
        return holder;
    }

    @Test
    void aKilledLockHoldersLockIsRecoveredWithinTheBound() throws Exception {
        try (SharedLock lock = mp.lock(); SharedMemory flag = mp.sharedMemory(64)) {
            JvmProcess holder = startHolding(flag, lock::lock);
            assertTrue(lock.isLocked());
            assertEquals(holder.pid().orElseThrow(), lock.ownerPid().orElseThrow());
            assertFalse(lock.tryLock(), "held by the child");

            holder.kill();
            assertTrue(holder.join(Duration.ofSeconds(10)));
            long died = System.nanoTime();
            assertTrue(lock.tryLock(10, TimeUnit.SECONDS), "the dead holder's lock is taken over");
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - died);
            try {
                assertTrue(lock.recoveredFromDeadOwner());
                assertTrue(tookMillis < 5_000, "recovered after " + tookMillis + " ms");
            } finally {
                lock.unlock();
            }
            lock.lock();
            try {
                assertFalse(lock.recoveredFromDeadOwner(), "a normal hold is not a recovery");
            } finally {
                lock.unlock();
            }
        }
    }

    @Test
    void aWaiterBlockedOnADeadHoldersLockIsReleased() throws Exception {
        try (SharedReentrantLock lock = mp.reentrantLock(); SharedMemory flag = mp.sharedMemory(64)) {
            JvmProcess holder = startHolding(flag, lock::lock);
            JvmProcess waiter = start(mp, () -> {
                lock.lock();
                System.exit(lock.recoveredFromDeadOwner() && lock.getHoldCount() == 1 ? 42 : 5);
            }).getFirst();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (lock.metrics().waiters() < 1) {
                assertTrue(System.nanoTime() < deadline, "the waiter never went to sleep on the lock");
                Thread.sleep(5);
            }
            assertTrue(waiter.isAlive(), "the waiter sleeps on the lock while the holder lives");
            assertEquals(holder.pid().orElseThrow(), lock.metrics().ownerPid(), "the holder still holds it");
            holder.kill();
            joinAll(List.of(waiter), 42);
        }
    }

    @Test
    void aKilledPartyBreaksTheBarrierForTheOthers() throws Exception {
        try (SharedBarrier barrier = mp.barrier(3); SharedMemory flag = mp.sharedMemory(64)) {
            JvmProcess absent = start(mp, () -> {
                set(flag, 0, 1);
                sleep(120_000);
                System.exit(barrier.parties());
            }).getFirst();
            SerializableRunnable party = () -> {
                try {
                    barrier.await(60, TimeUnit.SECONDS);
                    System.exit(3);
                } catch (BrokenBarrierException e) {
                    System.exit(42);
                } catch (InterruptedException | TimeoutException e) {
                    System.exit(4);
                }
            };
            awaitValue(flag, 0, 1);
            List<JvmProcess> parties = start(mp, party, party);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (barrier.waiting() < 2) {
                assertTrue(System.nanoTime() < deadline, "the parties never arrived");
                Thread.sleep(5);
            }
            absent.kill();
            joinAll(parties, 42);
            assertTrue(barrier.isBroken());
            barrier.reset();
            assertFalse(barrier.isBroken());
        }
    }

    @Test
    void aBoundedSemaphoreGetsADeadHoldersPermitBack() throws Exception {
        try (SharedSemaphore semaphore = mp.boundedSemaphore(1); SharedMemory flag = mp.sharedMemory(64)) {
            JvmProcess holder = startHolding(flag, semaphore::acquireUninterruptibly);
            assertFalse(semaphore.tryAcquire());
            holder.kill();
            assertTrue(holder.join(Duration.ofSeconds(10)));
            assertTrue(semaphore.tryAcquire(10, TimeUnit.SECONDS), "a waiter gets the dead holder's permit back");
            assertEquals(1, semaphore.heldByThisProcess());
            semaphore.release();
            assertThrows(IllegalStateException.class, semaphore::release, "bounded: no release above the bound");
        }
    }

    @Test
    void aPlainSemaphoreLosesADeadHoldersPermitsAsInPython() throws Exception {
        try (SharedSemaphore semaphore = mp.semaphore(3); SharedMemory flag = mp.sharedMemory(64)) {
            JvmProcess holder = startHolding(flag, () -> {
                semaphore.acquireUninterruptibly();
                semaphore.acquireUninterruptibly();
            });
            assertEquals(1, semaphore.availablePermits());
            holder.kill();
            assertTrue(holder.join(Duration.ofSeconds(10)));
            assertFalse(semaphore.tryAcquire(2, 200, TimeUnit.MILLISECONDS), "a plain semaphore records no holders");
            assertEquals(0, semaphore.recoverPermitsOfDeadProcesses());
            assertEquals(1, semaphore.availablePermits());
        }
    }

    @Test
    void aBoundedSemaphoreGetsBackPermitsANormallyEndedProcessKept() throws Exception {
        try (SharedSemaphore semaphore = mp.boundedSemaphore(2)) {
            joinAll(start(mp, () -> semaphore.acquireUninterruptibly()), 0);
            assertEquals(1, semaphore.availablePermits(), "the child ended holding one permit");
            assertEquals(1, semaphore.recoverPermitsOfDeadProcesses());
            assertEquals(2, semaphore.availablePermits());
        }
    }

    /**
     * 65 processes hold permits at once, one more than the holder table had slots; the 65th is
     * killed holding two. Before, it found the table full and went untracked: its permits were
     * lost for good.
     */
    @Test
    void aBoundedSemaphoreGetsBackThePermitsOfA65thLiveHolderThatDies() throws Exception {
        int holders = BEYOND_THE_OLD_TABLE;
        try (SharedSemaphore semaphore = mp.boundedSemaphore(holders + 1); SharedLong ready = mp.sharedLong(0)) {
            List<JvmProcess> children = startAllReady(mp, holders, 16, holder -> {
                int permits = holder == holders - 1 ? 2 : 1;
                return () -> {
                    if (semaphore.tryAcquire(permits)) {
                        ready.incrementAndGet();
                    }
                    sleep(Long.MAX_VALUE);
                };
            }, ready);
            try {
                assertEquals(0, semaphore.availablePermits(), "all held");
                killAndJoin(List.of(children.getLast()));
                assertTrue(semaphore.tryAcquire(2, 10, TimeUnit.SECONDS), "the 65th holder's permits came back");
            } finally {
                killAndJoin(children);
            }
        }
    }

    /**
     * 65 processes have a barrier open at once, one more than the participant table had slots;
     * the 65th is killed. Its death must break the barrier for the party waiting — before, it had
     * found the table full and went untracked, and the party waited for it for good.
     */
    @Test
    void aBarrierBreaksWhenThe65thLiveProcessThatHasItOpenDies() throws Exception {
        try (SharedBarrier barrier = mp.barrier(2); SharedLong ready = mp.sharedLong(0)) {
            SerializableRunnable openAndWait = () -> {
                if (barrier.parties() == 2) {
                    ready.incrementAndGet();
                }
                sleep(Long.MAX_VALUE);
            };
            List<JvmProcess> children = startAllReady(mp, BEYOND_THE_OLD_TABLE, 16, party -> openAndWait, ready);
            try {
                killAndJoin(List.of(children.getLast()));
                assertThrows(BrokenBarrierException.class, () -> barrier.await(10, TimeUnit.SECONDS));
            } finally {
                killAndJoin(children);
            }
        }
    }
}
