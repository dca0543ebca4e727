package dev.multiproc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;

import static org.junit.jupiter.api.Assertions.*;

/** The synchronisation objects with threads of one process: timeouts, misuse, closing. */
@Timeout(60)
class SynchronisationInProcessTest extends ContextPerTest {
    private ExecutorService threads;

    @BeforeEach
    void startThreads() {
        threads = Executors.newCachedThreadPool();
    }

    /** Runs before the context closes (a subclass's @AfterEach comes first). */
    @AfterEach
    void stopThreads() throws InterruptedException {
        threads.shutdownNow();
        assertTrue(threads.awaitTermination(10, TimeUnit.SECONDS));
    }

    private static void assertTookAbout(long expectedMillis, long startNanos) {
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        assertTrue(took >= expectedMillis, "returned early: " + took + " ms");
        assertTrue(took < expectedMillis + 3_000, "returned late: " + took + " ms");
    }

    @Test
    void timedWaitsReturnOnTime() throws Exception {
        try (SharedLock lock = mp.lock(); SharedSemaphore semaphore = mp.semaphore(0);
             SharedEvent event = mp.event(); SharedBarrier barrier = mp.barrier(2)) {
            lock.lock();
            Future<Boolean> other = threads.submit(() -> {
                long start = System.nanoTime();
                boolean got = lock.tryLock(200, TimeUnit.MILLISECONDS);
                assertTookAbout(200, start);
                return got;
            });
            assertFalse(other.get());
            lock.unlock();

            long start = System.nanoTime();
            assertFalse(semaphore.tryAcquire(200, TimeUnit.MILLISECONDS));
            assertTookAbout(200, start);

            start = System.nanoTime();
            assertFalse(event.await(200, TimeUnit.MILLISECONDS));
            assertTookAbout(200, start);

            start = System.nanoTime();
            assertThrows(TimeoutException.class, () -> barrier.await(200, TimeUnit.MILLISECONDS));
            assertTookAbout(200, start);
            assertTrue(barrier.isBroken(), "a timeout breaks the barrier");
            assertThrows(BrokenBarrierException.class, () -> barrier.await(200, TimeUnit.MILLISECONDS));
            barrier.reset();
            assertFalse(barrier.isBroken());

            Condition condition = lock.newCondition();
            lock.lock();
            try {
                start = System.nanoTime();
                assertFalse(condition.await(200, TimeUnit.MILLISECONDS));
                assertTookAbout(200, start);
                assertTrue(lock.isLocked(), "the lock is held again after the wait");
            } finally {
                lock.unlock();
            }
        }
    }

    @Test
    void misuseGetsSpecificExceptions() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> mp.semaphore(-1));
        assertThrows(IllegalArgumentException.class, () -> mp.boundedSemaphore(0));
        assertThrows(IllegalArgumentException.class, () -> mp.barrier(0));
        assertThrows(IllegalArgumentException.class, () -> mp.barrier(-3));

        try (SharedLock lock = mp.lock()) {
            IllegalMonitorStateException free = assertThrows(IllegalMonitorStateException.class, lock::unlock);
            assertTrue(free.getMessage().contains("not locked"), free.getMessage());
            Condition condition = lock.newCondition();
            assertThrows(IllegalMonitorStateException.class, condition::await);
            assertThrows(IllegalMonitorStateException.class, condition::signal);
        }
        try (SharedReentrantLock lock = mp.reentrantLock()) {
            lock.lock();
            Future<?> stranger = threads.submit(lock::unlock);
            ExecutionExceptionAssert.causeIs(IllegalMonitorStateException.class, stranger);
            assertEquals(1, lock.getHoldCount());
            lock.unlock();
            assertThrows(IllegalMonitorStateException.class, lock::unlock);
        }
        try (SharedSemaphore semaphore = mp.semaphore(1)) {
            assertThrows(IllegalArgumentException.class, () -> semaphore.acquire(0));
            assertThrows(IllegalArgumentException.class, () -> semaphore.release(-1));
        }
        SharedLock closed = mp.lock();
        closed.close();
        IllegalStateException afterClose = assertThrows(IllegalStateException.class, closed::lock);
        assertTrue(afterClose.getMessage().contains("closed"), afterClose.getMessage());
        SharedEvent closedEvent = mp.event();
        closedEvent.close();
        assertThrows(IllegalStateException.class, closedEvent::set);
    }

    /** Small helper so that a Future's failure cause can be asserted. */
    static final class ExecutionExceptionAssert {
        static void causeIs(Class<? extends Throwable> type, Future<?> future) {
            java.util.concurrent.ExecutionException failure = assertThrows(java.util.concurrent.ExecutionException.class, future::get);
            assertInstanceOf(type, failure.getCause());
        }
    }

    @Test
    void anyThreadMayUnlockAPlainLockAsInPython() throws Exception {
        try (SharedLock lock = mp.lock()) {
            lock.lock();
            threads.submit(lock::unlock).get();
            assertFalse(lock.isLocked());
            assertTrue(lock.tryLock());
            lock.unlock();
        }
    }

    @Test
    void signalWakesOneWaiterAndSignalAllWakesTheRest() throws Exception {
        try (SharedReentrantLock lock = mp.reentrantLock()) {
            Condition condition = lock.newCondition();
            AtomicInteger woken = new AtomicInteger();
            CountDownLatch waiting = new CountDownLatch(3);
            for (int i = 0; i < 3; i++) {
                threads.submit(() -> {
                    lock.lock();
                    try {
                        waiting.countDown();
                        condition.await();
                        woken.incrementAndGet();
                    } finally {
                        lock.unlock();
                    }
                    return null;
                });
            }
            assertTrue(waiting.await(10, TimeUnit.SECONDS));
            SharedCondition shared = (SharedCondition) condition;
            awaitTrue(() -> shared.waiting() == 3);
            lock.lock();
            try {
                condition.signal();
            } finally {
                lock.unlock();
            }
            awaitTrue(() -> woken.get() == 1);
            Thread.sleep(200);
            assertEquals(1, woken.get(), "signal woke exactly one");
            lock.lock();
            try {
                condition.signalAll();
            } finally {
                lock.unlock();
            }
            awaitTrue(() -> woken.get() == 3);
        }
    }

    @Test
    void aReentrantHoldCountsAndAConditionWaitRestoresIt() throws Exception {
        try (SharedReentrantLock lock = mp.reentrantLock()) {
            Condition condition = lock.newCondition();
            lock.lock();
            lock.lock();
            assertEquals(2, lock.getHoldCount());
            assertTrue(lock.isHeldByCurrentThread());
            Future<Boolean> other = threads.submit(() -> {
                boolean got = lock.tryLock(5, TimeUnit.SECONDS);
                if (got) {
                    lock.unlock();
                }
                return got;
            });
            assertFalse(condition.await(300, TimeUnit.MILLISECONDS), "no signal comes");
            assertEquals(2, lock.getHoldCount(), "both holds are back after the wait");
            assertTrue(other.get(), "the lock was free for the other thread during the wait");
        }
    }

    @Test
    void eventsAndBarriersWorkBetweenThreads() throws Exception {
        try (SharedEvent event = mp.event(); SharedBarrier barrier = mp.barrier(3)) {
            Future<Boolean> waiter = threads.submit(() -> event.await(Duration.ofSeconds(10)));
            event.set();
            assertTrue(waiter.get());
            Future<Integer> first = threads.submit(() -> barrier.await());
            Future<Integer> second = threads.submit(() -> barrier.await());
            awaitTrue(() -> barrier.waiting() == 2);
            assertEquals(0, barrier.await(), "the last to arrive gets index 0");
            assertEquals(3, first.get() + second.get(), "the others got 2 and 1");
        }
    }

    @Test
    void anInterruptedWaiterThrowsAndTheLockStaysUsable() throws Exception {
        try (SharedLock lock = mp.lock()) {
            lock.lock();
            CountDownLatch started = new CountDownLatch(1);
            Thread waiter = new Thread(() -> {
                started.countDown();
                try {
                    lock.lockInterruptibly();
                    fail("should not get the lock");
                } catch (InterruptedException expected) {
                    // the point of the test
                }
            });
            waiter.start();
            started.await();
            Thread.sleep(100);
            waiter.interrupt();
            waiter.join(5_000);
            assertFalse(waiter.isAlive());
            lock.unlock();
            assertTrue(lock.tryLock());
            lock.unlock();
        }
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not reached in time");
            Thread.sleep(2);
        }
    }
}
