package dev.multiproc;

import dev.multiproc.codec.Codec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.multiproc.Children.*;
import static org.junit.jupiter.api.Assertions.*;

/** SharedQueue and JoinableQueue across real child JVMs. */
@Timeout(300)
class QueueTest extends ContextPerTest {
    @Test
    void aMillionMessagesFromOneProducerArriveInOrderAndNoneIsLost() throws Exception {
        try (SharedQueue<Long> queue = mp.queue(Codec.longs(), 1024)) {
            JvmProcess producer = start(mp, () -> {
                try {
                    for (long i = 0; i < 1_000_000; i++) {
                        queue.put(i);
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }).getFirst();
            for (long expected = 0; expected < 1_000_000; expected++) {
                Long got = queue.poll(60, TimeUnit.SECONDS);
                assertNotNull(got, "stalled at " + expected);
                if (got != expected) {
                    fail("expected " + expected + " but got " + got);
                }
            }
            assertNull(queue.poll());
            joinAll(List.of(producer), 0);
            assertEquals(0, queue.size());
        }
    }

    /** Producer {@code id} sends {@code count} values {@code id << 32 | sequence}. */
    static void produce(SharedQueue<Long> queue, long id, int count) {
        try {
            for (long sequence = 0; sequence < count; sequence++) {
                queue.put(id << 32 | sequence);
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Consumes until the shared total reaches {@code expected}; adds its count and sum to the
     * results (offsets 8 and 16) and checks that each producer's values arrive in order.
     */
    static void consume(SharedQueue<Long> queue, SharedMemory results, long expected, int producers) {
        long[] last = new long[producers];
        java.util.Arrays.fill(last, -1);
        long count = 0;
        long sum = 0;
        try {
            while (getVolatile(results, 0) < expected) {
                Long value = queue.poll(100, TimeUnit.MILLISECONDS);
                if (value == null) {
                    continue;
                }
                int producer = (int) (value >>> 32);
                long sequence = value & 0xFFFF_FFFFL;
                if (sequence <= last[producer]) {
                    System.exit(11);
                }
                last[producer] = sequence;
                count++;
                sum += value;
                addVolatile(results, 0, 1);
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        addVolatile(results, 8, count);
        addVolatile(results, 16, sum);
    }

    @Test
    void threeProducersAndTwoConsumersDeliverEveryMessageExactlyOnce() throws Exception {
        int perProducer = 100_000;
        int producers = 3;
        long total = (long) producers * perProducer;
        try (SharedQueue<Long> queue = mp.queue(Codec.longs(), 256); SharedMemory results = mp.sharedMemory(64)) {
            List<JvmProcess> children = new ArrayList<>();
            for (int id = 0; id < producers; id++) {
                long producerId = id;
                children.addAll(start(mp, () -> produce(queue, producerId, perProducer)));
            }
            children.addAll(start(mp, () -> consume(queue, results, total, producers), () -> consume(queue, results, total, producers)));
            joinAll(children, 0);
            long expectedSum = 0;
            for (long id = 0; id < producers; id++) {
                expectedSum += (id << 32) * perProducer + (long) perProducer * (perProducer - 1) / 2;
            }
            assertEquals(total, get(results, 8), "every message received once");
            assertEquals(expectedSum, get(results, 16), "checksum of all values");
            assertEquals(0, queue.size());
        }
    }

    @Test
    void fullAndEmptyTimeoutsReturnOnTime() throws Exception {
        try (SharedQueue<String> queue = mp.queue(Codec.string(), 2)) {
            long start = System.nanoTime();
            assertNull(queue.poll(200, TimeUnit.MILLISECONDS));
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(took >= 200 && took < 3_000, "poll took " + took + " ms");
            assertTrue(queue.offer("a"));
            assertTrue(queue.offer("b"));
            assertFalse(queue.offer("c"), "full");
            assertEquals(0, queue.remainingCapacity());
            assertThrows(IllegalStateException.class, () -> queue.add("c"));
            start = System.nanoTime();
            assertFalse(queue.offer("c", 200, TimeUnit.MILLISECONDS));
            took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(took >= 200 && took < 3_000, "offer took " + took + " ms");
            assertEquals(2, queue.size());
            assertEquals("a", queue.take());
            assertEquals("b", queue.poll());
            assertTrue(queue.isEmpty());
        }
    }

    @Test
    void inPlaceCallsWithATimeoutWaitForRoomOrAMessageAndNoLonger() throws Exception {
        try (SharedQueue<Long> queue = mp.queue(Codec.longs(), 1)) {
            List<Long> read = new ArrayList<>();
            java.util.function.Consumer<MemorySegment> reader = slot -> read.add(slot.get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
            long start = System.nanoTime();
            assertFalse(queue.pollInPlace(reader, 200, TimeUnit.MILLISECONDS), "nothing came");
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(200), "waited the timeout");
            assertTrue(queue.offerInPlace(Long.BYTES, slot -> slot.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 1L), 0, TimeUnit.SECONDS));
            start = System.nanoTime();
            assertFalse(queue.offerInPlace(Long.BYTES, slot -> slot.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, -1L), 200, TimeUnit.MILLISECONDS),
                    "no room came");
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(200), "waited the timeout");
            Thread taker = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(200);
                    assertEquals(1L, queue.take());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(queue.offerInPlace(Long.BYTES, slot -> slot.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 2L), 30, TimeUnit.SECONDS),
                    "room came within the timeout");
            taker.join(30_000);
            assertTrue(queue.pollInPlace(reader, 30, TimeUnit.SECONDS));
            Thread putter = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(200);
                    queue.put(3L);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(queue.pollInPlace(reader, 30, TimeUnit.SECONDS), "a message came within the timeout");
            putter.join(30_000);
            assertEquals(List.of(2L, 3L), read, "the refused message never went in");
            assertEquals(Codec.longs(), queue.codec());
        }
    }

    static byte[] pattern(int size, int seed) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 31 + seed);
        }
        return bytes;
    }

    @LinuxOnly
    @Test
    void largeMessagesSpillAndArriveWholeAmongSmallOnes() throws Exception {
        int[] sizes = {10, 1 << 20, 3, 64 << 20, 200, 241, 5000, 1 << 20};
        try (SharedQueue<byte[]> queue = mp.queue(Codec.bytes(), 4)) {
            JvmProcess producer = start(mp, () -> {
                try {
                    for (int i = 0; i < sizes.length; i++) {
                        queue.put(pattern(sizes[i], i));
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }).getFirst();
            for (int i = 0; i < sizes.length; i++) {
                byte[] got = queue.poll(60, TimeUnit.SECONDS);
                assertNotNull(got);
                assertEquals(sizes[i], got.length, "message " + i);
                assertArrayEquals(pattern(sizes[i], i), got, "message " + i);
            }
            joinAll(List.of(producer), 0);
        }
        assertTrue(Multiproc.listObjects().stream().noneMatch(o -> o.kind().equals("spill")), "every spill object was removed");
    }

    @Test
    void aJoinableQueueJoinsAcrossProcesses() throws Exception {
        try (JoinableQueue<Long> queue = mp.joinableQueue(Codec.longs()); SharedMemory done = mp.sharedMemory(64)) {
            SerializableRunnable worker = () -> {
                try {
                    while (true) {
                        Long task = queue.take();
                        if (task < 0) {
                            queue.taskDone();
                            return;
                        }
                        addVolatile(done, 0, task);
                        queue.taskDone();
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            };
            List<JvmProcess> workers = start(mp, worker, worker);
            for (long task = 1; task <= 1000; task++) {
                queue.put(task);
            }
            assertTrue(queue.join(Duration.ofSeconds(120)), "every task was marked done");
            assertEquals(500_500L, getVolatile(done, 0), "join returned only after all the work");
            assertEquals(0, queue.unfinishedTasks());
            queue.put(-1L);
            queue.put(-1L);
            queue.join();
            joinAll(workers, 0);
            IllegalStateException tooMany = assertThrows(IllegalStateException.class, queue::taskDone);
            assertTrue(tooMany.getMessage().contains("more times"), tooMany.getMessage());
        }
    }

    /**
     * Produces 0, 1, 2, ... in place, slowly enough that a kill often lands between claiming a
     * slot and committing it; records at offset 0 the last value whose put returned.
     */
    static void produceSlowlyRecordingCommits(SharedQueue<Long> queue, SharedMemory committed) {
        try {
            for (long value = 0; ; value++) {
                long v = value;
                queue.putInPlace(Long.BYTES, slot -> {
                    long spinUntil = System.nanoTime() + 20_000;
                    while (System.nanoTime() < spinUntil) {
                        Thread.onSpinWait();
                    }
                    slot.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, v);
                });
                set(committed, 0, value + 1);
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void producersKilledAtRandomMomentsNeverBlockConsumersAndCommittedMessagesArriveOnce() throws Exception {
        java.util.Random random = new java.util.Random(2026);
        for (int round = 0; round < 20; round++) {
            try (SharedQueue<Long> queue = mp.queue(Codec.longs(), 64); SharedMemory committed = mp.sharedMemory(64)) {
                JvmProcess producer = start(mp, () -> produceSlowlyRecordingCommits(queue, committed)).getFirst();
                long expected = 0;
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300 + random.nextInt(400));
                while (System.nanoTime() < deadline || expected == 0) {
                    Long value = queue.poll(10, TimeUnit.SECONDS);
                    assertNotNull(value, "round " + round + ": the live producer stalled");
                    assertEquals(expected++, value, "round " + round + ": in order, no duplicate");
                }
                producer.kill();
                assertTrue(producer.join(Duration.ofSeconds(10)));
                long lastCommitted = get(committed, 0);
                Long value;
                while ((value = queue.poll(500, TimeUnit.MILLISECONDS)) != null) {
                    assertEquals(expected++, value, "round " + round + ": in order, no duplicate after the kill");
                }
                assertTrue(expected >= lastCommitted, "round " + round + ": committed " + lastCommitted + ", received " + expected);
                assertTrue(expected <= lastCommitted + 1, "round " + round + ": at most the one being recorded");
                assertEquals(0, queue.size(), "round " + round + ": the abandoned slot was skipped");
                assertTrue(queue.offer(7L), "round " + round + ": the queue goes on");
                assertEquals(7L, queue.poll());
            }
        }
    }

    /**
     * With many consumers the killed consumer's message would go again only where producers come
     * round to its slot; in a queue nobody puts into, the next consumer that finds nothing gets
     * there itself (it publishes the positions before that slot skipped), so the message is not
     * left waiting for a lap of puts that may never come.
     */
    @Test
    void aConsumerKilledHoldingTheOnlyMessageOfAQuietQueueHasItDeliveredAgainToTheNextTake() throws Exception {
        try (SharedQueue<Long> queue = mp.queue(Codec.longs(), 8); SharedMemory reading = mp.sharedMemory(64)) {
            queue.put(1L);
            JvmProcess consumer = start(mp, () -> QueueTest.takeOneAndHoldIt(queue, reading)).getFirst();
            try {
                awaitValue(reading, 0, 1);
            } finally {
                consumer.kill();
                assertTrue(consumer.join(Duration.ofSeconds(10)));
            }
            assertEquals(1L, queue.poll(10, TimeUnit.SECONDS), "delivered again with no put after it");
            assertEquals(2, queue.deliveryCount());
            assertNull(queue.poll(), "once");
            assertEquals(0, queue.size());
            for (long value = 2; value < 10; value++) {
                assertTrue(queue.offer(value), "every slot free again: " + value);
            }
            assertEquals(8, queue.size());
        }
    }

    /**
     * In a child: drains {@code queue} for good, four messages at a time; each handler sleeps a
     * millisecond (so that a kill most likely lands in one), then marks its message's byte (offset
     * 8 + value) of {@code handled} and counts it at offset 0.
     */
    private static void handleSlowlyMarking(SharedQueue<Long> queue, SharedMemory handled) {
        MessageHandler markAfterWork = message -> {
            long value = message.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
            sleep(1);
            if (value >= 0) {
                handled.segment().set(ValueLayout.JAVA_BYTE, 8 + value, (byte) 1);
            }
            addVolatile(handled, 0, 1);
        };
        while (true) {
            if (queue.drain(markAfterWork, 4) == 0) {
                sleep(1);
            }
        }
    }

    /**
     * Consumers killed in their handlers, eight in a row at random moments while a producer keeps
     * putting: every message is handled — the one each killed consumer held comes again once
     * producers come round to its slot, or a consumer that finds nothing to take delivers it
     * again itself (the parent puts fillers at the end as well).
     */
    @Test
    void consumersKilledInTheirHandlersAtRandomMomentsLoseNoMessage() throws Exception {
        int messages = 3_000;
        java.util.Random random = new java.util.Random(2027);
        try (SharedQueue<Long> queue = mp.queue(Codec.longs(), 64); SharedMemory handled = mp.sharedMemory(8 + messages)) {
            Thread producer = Thread.ofPlatform().start(() -> {
                try {
                    for (long value = 0; value < messages; value++) {
                        queue.put(value);
                    }
                } catch (InterruptedException stopped) {
                    Thread.currentThread().interrupt();
                }
            });
            try {
                for (int kill = 0; kill < 8; kill++) {
                    long before = getVolatile(handled, 0);
                    JvmProcess consumer = start(mp, () -> handleSlowlyMarking(queue, handled)).getFirst();
                    try {
                        awaitValue(handled, 0, before + 20);
                        Thread.sleep(random.nextInt(20));
                    } finally {
                        consumer.kill();
                        assertTrue(consumer.join(Duration.ofSeconds(10)));
                    }
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                int unhandled = messages;
                while (unhandled > 0 && System.nanoTime() < deadline) {
                    Long value = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (value != null && value >= 0) {
                        handled.segment().set(ValueLayout.JAVA_BYTE, 8 + value, (byte) 1);
                    } else if (value == null && !producer.isAlive()) {
                        // fillers take producers round the ring to the slots the last consumers died holding
                        assertTrue(queue.offer(-1L, 1, TimeUnit.SECONDS) || queue.size() > 0, "the queue makes room");
                    }
                    unhandled = 0;
                    for (int index = 0; index < messages; index++) {
                        unhandled += handled.segment().get(ValueLayout.JAVA_BYTE, 8 + index) == 0 ? 1 : 0;
                    }
                }
                List<Integer> missing = new ArrayList<>();
                for (int index = 0; index < messages && missing.size() < 20; index++) {
                    if (handled.segment().get(ValueLayout.JAVA_BYTE, 8 + index) == 0) {
                        missing.add(index);
                    }
                }
                assertEquals(List.of(), missing, "every message handled at least once");
            } finally {
                producer.interrupt();
                producer.join(10_000);
            }
        }
    }

    /** Takes one message in place, records it at offset 0 of {@code reading}, and holds it (to be killed meanwhile). */
    static void takeOneAndHoldIt(SharedQueue<Long> queue, SharedMemory reading) {
        try {
            queue.takeInPlace(message -> {
                set(reading, 0, message.get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
                sleep(120_000);
            });
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aConsumerKilledMidReadHasItsMessageDeliveredAgainWhenProducersComeRoundToItsSlot() throws Exception {
        try (SharedQueue<Long> queue = mp.queue(Codec.longs(), 4); SharedMemory reading = mp.sharedMemory(64)) {
            queue.put(1L);
            JvmProcess consumer = start(mp, () -> QueueTest.takeOneAndHoldIt(queue, reading)).getFirst();
            awaitValue(reading, 0, 1);
            consumer.kill();
            assertTrue(consumer.join(Duration.ofSeconds(10)));
            for (long value = 2; value <= 4; value++) {
                assertTrue(queue.offer(value), "position " + (value - 1) + " is free");
            }
            // position 4 is the killed consumer's slot: its message is published there again, which fills the queue
            assertFalse(queue.offer(5L, 2, TimeUnit.SECONDS));
            assertEquals(4, queue.size());
            for (long value : new long[] {2, 3, 4, 1}) {
                assertEquals(value, queue.poll());
                assertEquals(value == 1 ? 2 : 1, queue.deliveryCount(), "message " + value + "'s delivery");
            }
            assertTrue(queue.offer(5L), "the queue goes on");
            assertEquals(5L, queue.poll());
        }
    }

    @Test
    void manyThreadsInSeveralProcessesAtOnce() throws Exception {
        int threads = 3;
        int perThread = 20_000;
        try (SharedQueue<Long> queue = mp.queue(Codec.longs(), 128)) {
            SerializableRunnable producerProcess = () -> {
                List<Thread> producers = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    Thread thread = new Thread(() -> {
                        for (int i = 0; i < perThread; i++) {
                            try {
                                queue.put(1L + i % 7);
                            } catch (InterruptedException e) {
                                throw new IllegalStateException(e);
                            }
                        }
                    });
                    producers.add(thread);
                    thread.start();
                }
                for (Thread thread : producers) {
                    try {
                        thread.join();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
            };
            List<JvmProcess> children = start(mp, producerProcess, producerProcess);
            long expectedCount = 2L * threads * perThread;
            java.util.concurrent.atomic.AtomicLong count = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.atomic.AtomicLong sum = new java.util.concurrent.atomic.AtomicLong();
            List<Thread> consumers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread thread = new Thread(() -> {
                    try {
                        while (count.get() < expectedCount) {
                            Long value = queue.poll(50, TimeUnit.MILLISECONDS);
                            if (value != null) {
                                sum.addAndGet(value);
                                count.incrementAndGet();
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                consumers.add(thread);
                thread.start();
            }
            for (Thread thread : consumers) {
                thread.join(120_000);
            }
            joinAll(children, 0);
            long expectedSum = 0;
            for (int i = 0; i < perThread; i++) {
                expectedSum += 1 + i % 7;
            }
            assertEquals(expectedCount, count.get());
            assertEquals(expectedSum * 2 * threads, sum.get());
        }
    }
}
