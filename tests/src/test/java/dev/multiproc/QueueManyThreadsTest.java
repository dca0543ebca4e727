package dev.multiproc;

import dev.multiproc.codec.Codec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import static dev.multiproc.Children.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A queue used by more threads at once than its intent table has entries (128): threads past the
 * entries kept free borrow one of their process's for each claim; every message still arrives
 * exactly once, in each producer's order, a single side still finds an entry for its role, and a
 * process killed while its threads borrow leaves the queue whole.
 */
@Timeout(300)
class QueueManyThreadsTest extends ContextPerTest {
    private static final int PRODUCER_THREADS = 200;

    /**
     * Starts {@code threads} threads that each put {@code id << 32 | sequence} for sequence 0 to
     * {@code perThread − 1}; all have put their first message before any puts its second, so all
     * use the queue at once. Offset 0 of {@code started} counts the threads past their first put.
     * Throws (and so the process fails) if any thread failed.
     */
    static void produceFromManyThreads(SharedQueue<Long> queue, SharedMemory started, int threads, int perThread) {
        CyclicBarrier allIn = new CyclicBarrier(threads);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long id = t;
            producers.add(Thread.ofPlatform().start(() -> {
                try {
                    queue.put(id << 32);
                    addVolatile(started, 0, 1);
                    allIn.await(60, TimeUnit.SECONDS);
                    for (long sequence = 1; sequence < perThread; sequence++) {
                        queue.put(id << 32 | sequence);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread producer : producers) {
            try {
                producer.join();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        if (!failures.isEmpty()) {
            IllegalStateException failed = new IllegalStateException(failures.size() + " producer threads failed");
            failures.forEach(failed::addSuppressed);
            throw failed;
        }
    }

    /**
     * Checks what one consumer took: each producer's messages in its order. Counts each message
     * in {@code seen} (index producer × perThread + sequence) and returns the problems found.
     */
    private static List<String> checkTaken(List<Long> taken, AtomicIntegerArray seen, int perThread) {
        List<String> problems = new ArrayList<>();
        long[] last = new long[PRODUCER_THREADS];
        java.util.Arrays.fill(last, -1);
        for (long message : taken) {
            int producer = (int) (message >>> 32);
            long sequence = message & 0xffff_ffffL;
            if (producer >= PRODUCER_THREADS || sequence >= perThread) {
                problems.add("not a message sent: " + Long.toHexString(message));
                continue;
            }
            if (sequence <= last[producer]) {
                problems.add("producer " + producer + ": " + sequence + " after " + last[producer]);
            }
            last[producer] = sequence;
            seen.incrementAndGet(producer * perThread + (int) sequence);
        }
        return problems;
    }

    @Test
    void twoHundredProducerThreadsOfOneProcessAndAHundredAndFiftyConsumerThreadsOfAnotherEachGetEveryMessageOnce() throws Exception {
        int perThread = 500;
        int consumerThreads = 150;
        long expected = (long) PRODUCER_THREADS * perThread;
        try (SharedQueue<Long> queue = mp.queue(Codec.longs(), 256); SharedMemory started = mp.sharedMemory(64)) {
            JvmProcess producers = start(mp, () -> produceFromManyThreads(queue, started, PRODUCER_THREADS, perThread)).getFirst();
            AtomicLong received = new AtomicLong();
            AtomicIntegerArray seen = new AtomicIntegerArray(PRODUCER_THREADS * perThread);
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            CountDownLatch allIn = new CountDownLatch(consumerThreads);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            List<Thread> consumers = new ArrayList<>();
            for (int t = 0; t < consumerThreads; t++) {
                consumers.add(Thread.ofPlatform().start(() -> {
                    List<Long> taken = new ArrayList<>();
                    try {
                        // every consumer thread has taken from the queue before any stops: all 150 use it at once
                        queue.poll(10, TimeUnit.MILLISECONDS);
                        allIn.countDown();
                        allIn.await(60, TimeUnit.SECONDS);
                        while (received.get() < expected && System.nanoTime() < deadline) {
                            Long message = queue.poll(20, TimeUnit.MILLISECONDS);
                            if (message != null) {
                                taken.add(message);
                                received.incrementAndGet();
                            }
                        }
                    } catch (Throwable e) {
                        problems.add("consumer failed: " + e);
                    }
                    problems.addAll(checkTaken(taken, seen, perThread));
                }));
            }
            for (Thread consumer : consumers) {
                consumer.join(TimeUnit.SECONDS.toMillis(150));
            }
            joinAll(List.of(producers), 0);
            assertEquals(PRODUCER_THREADS, getVolatile(started, 0), "every producer thread put");
            assertEquals(List.of(), List.copyOf(problems));
            assertEquals(expected, received.get(), "every message taken");
            for (int index = 0; index < seen.length(); index++) {
                assertEquals(1, seen.get(index), "message " + index / perThread + ":" + index % perThread + " taken once");
            }
            assertNull(queue.poll(), "nothing more");
        }
    }

    @Test
    void aSingleConsumerThatComesAfterTwoHundredProducerThreadsStillFindsAnEntryForItsRole() throws Exception {
        int perThread = 100;
        try (SharedQueue<Long> queue = mp.queue(Codec.longs(), QueueOptions.of(64).withMode(QueueMode.MPSC));
             SharedMemory started = mp.sharedMemory(64)) {
            JvmProcess producers = start(mp, () -> produceFromManyThreads(queue, started, PRODUCER_THREADS, perThread)).getFirst();
            // the queue fills at 64: most producer threads wait for room, before the consumer has ever taken
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (queue.size() < 64) {
                assertTrue(System.nanoTime() < deadline, "the producers never filled the queue");
                Thread.sleep(5);
            }
            AtomicIntegerArray seen = new AtomicIntegerArray(PRODUCER_THREADS * perThread);
            List<Long> taken = new ArrayList<>();
            Thread consumer = Thread.ofPlatform().start(() -> {
                try {
                    for (int count = 0; count < PRODUCER_THREADS * perThread; count++) {
                        Long message = queue.poll(30, TimeUnit.SECONDS);
                        if (message == null) {
                            return;
                        }
                        taken.add(message);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            consumer.join(TimeUnit.SECONDS.toMillis(120));
            assertFalse(consumer.isAlive(), "the consumer ended");
            joinAll(List.of(producers), 0);
            assertEquals(List.of(), checkTaken(taken, seen, perThread));
            assertEquals(PRODUCER_THREADS * perThread, taken.size(), "every message taken by the one consumer");
        }
    }

    /** Like {@link #produceFromManyThreads}, without end, each put slow enough that a kill lands inside many. */
    static void produceSlowlyFromManyThreads(SharedQueue<Long> queue, SharedMemory started) {
        for (int t = 0; t < PRODUCER_THREADS; t++) {
            long id = t;
            Thread.ofPlatform().start(() -> {
                try {
                    for (long sequence = 0; ; sequence++) {
                        long message = id << 32 | sequence;
                        queue.putInPlace(Long.BYTES, slot -> {
                            long spinUntil = System.nanoTime() + 20_000;
                            while (System.nanoTime() < spinUntil) {
                                Thread.onSpinWait();
                            }
                            slot.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, message);
                        });
                        if (sequence == 0) {
                            addVolatile(started, 0, 1);
                        }
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        sleep(120_000);
    }

    @Test
    void aProcessKilledWhileTwoHundredOfItsThreadsPutLeavesTheQueueWhole() throws Exception {
        int capacity = 64;
        try (SharedQueue<Long> queue = mp.queue(Codec.longs(), capacity); SharedMemory started = mp.sharedMemory(64)) {
            JvmProcess producers = start(mp, () -> produceSlowlyFromManyThreads(queue, started)).getFirst();
            Set<Long> taken = new HashSet<>();
            long[] last = new long[PRODUCER_THREADS];
            java.util.Arrays.fill(last, -1);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (getVolatile(started, 0) < PRODUCER_THREADS) {
                assertTrue(System.nanoTime() < deadline, "only " + getVolatile(started, 0) + " producer threads put");
                takeChecked(queue.poll(10, TimeUnit.SECONDS), taken, last);
            }
            for (int count = 0; count < 2_000; count++) {
                takeChecked(queue.poll(10, TimeUnit.SECONDS), taken, last);
            }
            producers.kill();
            assertTrue(producers.join(Duration.ofSeconds(10)));
            Long message;
            while ((message = queue.poll(500, TimeUnit.MILLISECONDS)) != null) {
                takeChecked(message, taken, last);
            }
            assertEquals(0, queue.size(), "every slot the dead threads claimed was skipped");
            for (long value = 0; value < capacity; value++) {
                assertTrue(queue.offer(value, 10, TimeUnit.SECONDS), "slot " + value + " is free again");
            }
            for (long value = 0; value < capacity; value++) {
                assertEquals(value, queue.poll());
            }
        }
    }

    private static void takeChecked(Long message, Set<Long> taken, long[] last) {
        assertNotNull(message, "the live producers stalled");
        assertTrue(taken.add(message), "taken twice: " + Long.toHexString(message));
        int producer = (int) (message >>> 32);
        long sequence = message & 0xffff_ffffL;
        assertTrue(sequence > last[producer], "producer " + producer + ": " + sequence + " after " + last[producer]);
        last[producer] = sequence;
    }

    @Test
    void twoThousandVirtualThreadsPutIntoOneQueueAtOnce() throws Exception {
        int threads = 2_000;
        int perThread = 50;
        try (SharedQueue<Long> queue = mp.queue(Codec.longs(), 256)) {
            CountDownLatch allIn = new CountDownLatch(threads);
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            List<Thread> producers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long id = t;
                producers.add(Thread.ofVirtual().start(() -> {
                    try {
                        queue.put(id << 32);
                        allIn.countDown();
                        assertTrue(allIn.await(60, TimeUnit.SECONDS));
                        for (long sequence = 1; sequence < perThread; sequence++) {
                            queue.put(id << 32 | sequence);
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            long[] last = new long[threads];
            java.util.Arrays.fill(last, -1);
            for (int count = 0; count < threads * perThread; count++) {
                Long message = queue.poll(30, TimeUnit.SECONDS);
                assertNotNull(message, "after " + count + " messages; failures: " + failures);
                int producer = (int) (message >>> 32);
                long sequence = message & 0xffff_ffffL;
                assertEquals(last[producer] + 1, sequence, "producer " + producer + "'s messages in order, none lost");
                last[producer] = sequence;
            }
            for (Thread producer : producers) {
                assertTrue(producer.join(Duration.ofSeconds(30)));
            }
            assertEquals(List.of(), List.copyOf(failures));
            assertNull(queue.poll());
        }
    }
}
