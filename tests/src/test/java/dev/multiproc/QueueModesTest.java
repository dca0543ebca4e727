package dev.multiproc;

import dev.multiproc.codec.Codec;
import dev.multiproc.internal.shm.queue.QueueLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static dev.multiproc.Children.*;
import static org.junit.jupiter.api.Assertions.*;

/** Queue modes (MPSC, SPSC: who may hold a single side, and when it passes on) and batch draining, across child JVMs. */
@Timeout(300)
class QueueModesTest extends ContextPerTest {
    private static final int ROLE_REFUSED = 42;

    private SharedQueue<Long> queue(QueueMode mode, int capacity) {
        return mp.queue(Codec.longs(), QueueOptions.of(capacity).withMode(mode));
    }

    @Test
    void aSingleProducerSingleConsumerQueueDeliversAMillionInOrderToADrainingConsumer() throws Exception {
        int count = 1_000_000;
        try (SharedQueue<Long> queue = queue(QueueMode.SPSC, 1024)) {
            JvmProcess producer = start(mp, () -> QueueTest.produce(queue, 0, count)).getFirst();
            long[] next = {0};
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (next[0] < count) {
                int drained = queue.drain(message -> {
                    long value = message.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
                    if (value != next[0]) {
                        fail("expected " + next[0] + " but got " + value);
                    }
                    next[0]++;
                }, 100);
                assertTrue(drained <= 100, "a drain takes at most what it is allowed");
                if (drained == 0) {
                    assertTrue(System.nanoTime() < deadline, "stalled at " + next[0]);
                    Thread.onSpinWait();
                }
            }
            joinAll(List.of(producer), 0);
            assertEquals(0, queue.drain(message -> fail("nothing is left"), 10));
            assertEquals(0, queue.size());
        }
    }

    @Test
    void severalProducersIntoASingleConsumerQueueDeliverEveryMessageOnceInEachProducersOrder() throws Exception {
        int producers = 3;
        int perProducer = 100_000;
        try (SharedQueue<Long> queue = queue(QueueMode.MPSC, 256)) {
            List<JvmProcess> children = new ArrayList<>();
            for (int id = 0; id < producers; id++) {
                long producerId = id;
                children.addAll(start(mp, () -> QueueTest.produce(queue, producerId, perProducer)));
            }
            long[] last = {-1, -1, -1};
            long received = 0;
            List<Long> batch = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (received < (long) producers * perProducer) {
                batch.clear();
                int drained = queue.drainTo(batch, 64);
                assertEquals(drained, batch.size());
                for (long value : batch) {
                    int producer = (int) (value >>> 32);
                    long sequence = value & 0xFFFF_FFFFL;
                    assertEquals(last[producer] + 1, sequence, "producer " + producer + "'s messages in order, none lost or repeated");
                    last[producer] = sequence;
                }
                received += drained;
                if (drained == 0) {
                    assertTrue(System.nanoTime() < deadline, "stalled at " + received);
                    Thread.onSpinWait();
                }
            }
            joinAll(children, 0);
            assertNull(queue.poll());
        }
    }

    @Test
    void aSingleSideBelongsToOneThreadUntilThatThreadEnds() throws Exception {
        try (SharedQueue<Long> queue = queue(QueueMode.SPSC, 16)) {
            queue.put(1L);
            queue.put(2L);
            queue.put(3L);
            AtomicReference<Long> takenByEndedThread = new AtomicReference<>();
            Thread firstConsumer = Thread.ofPlatform().start(() -> takenByEndedThread.set(queue.poll()));
            firstConsumer.join(10_000);
            assertEquals(1L, takenByEndedThread.get());
            assertEquals(2L, queue.poll(), "the side passed on: its thread has ended");

            AtomicReference<IllegalStateException> refusedPoll = new AtomicReference<>();
            AtomicReference<IllegalStateException> refusedOffer = new AtomicReference<>();
            Thread other = Thread.ofPlatform().start(() -> {
                refusedPoll.set(assertThrows(IllegalStateException.class, queue::poll));
                refusedOffer.set(assertThrows(IllegalStateException.class, () -> queue.offer(9L)));
            });
            other.join(10_000);
            assertTrue(refusedPoll.get().getMessage().contains("single-consumer"), refusedPoll.get().getMessage());
            assertTrue(refusedOffer.get().getMessage().contains("single-producer"), refusedOffer.get().getMessage());
            assertEquals(1, queue.size(), "the refused calls took and added nothing");
            assertEquals(3L, queue.poll());
        }
    }

    @Test
    void aConsumerRoleHeldByAnotherProcessIsRefusedUntilThatProcessIsKilled() throws Exception {
        try (SharedQueue<Long> queue = queue(QueueMode.MPSC, 4); SharedMemory reading = mp.sharedMemory(64)) {
            queue.put(1L);
            queue.put(2L);
            JvmProcess holder = start(mp, () -> QueueTest.takeOneAndHoldIt(queue, reading)).getFirst();
            awaitValue(reading, 0, 1);
            IllegalStateException refused = assertThrows(IllegalStateException.class, queue::poll);
            assertTrue(refused.getMessage().contains("live process"), refused.getMessage());
            JvmProcess refusedChild = start(mp, () -> {
                try {
                    queue.poll();
                } catch (IllegalStateException expected) {
                    System.exit(ROLE_REFUSED);
                }
            }).getFirst();
            joinAll(List.of(refusedChild), ROLE_REFUSED);
            assertTrue(queue.offer(3L), "producers are many: the parent may still put");

            holder.kill();
            assertTrue(holder.join(Duration.ofSeconds(10)));
            assertEquals(1L, queue.poll(10, TimeUnit.SECONDS), "the consumer's side passed on; the killed one's message comes again, first");
            assertEquals(2, queue.deliveryCount(), "its second delivery");
            assertEquals(2L, queue.poll());
            assertEquals(1, queue.deliveryCount());
            assertEquals(3L, queue.poll());
            for (long value = 4; value <= 7; value++) {
                assertTrue(queue.offer(value, 10, TimeUnit.SECONDS), "the slot the killed consumer held comes back");
            }
            assertEquals(4, queue.size());
        }
    }

    @Test
    void aSingleConsumerKilledReadingASpilledMessageHasItDeliveredAgainAndItsSpillRemovedOnceRead() throws Exception {
        byte[] big = new byte[20_000];
        java.util.Arrays.fill(big, (byte) 7);
        QueueOptions options = QueueOptions.of(4).withSlotBytes(112).withMode(QueueMode.SPSC);
        try (SharedQueue<byte[]> queue = mp.queue(Codec.bytes(), options); SharedMemory reading = mp.sharedMemory(64)) {
            queue.put(big);
            queue.put(new byte[]{2});
            JvmProcess holder = start(mp, () -> {
                try {
                    queue.takeInPlace(message -> {
                        set(reading, 0, message.byteSize());
                        sleep(120_000);
                    });
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }).getFirst();
            awaitValue(reading, 0, big.length);
            assertEquals(2, queue.size(), "a single consumer's message counts until it has been read");
            holder.kill();
            assertTrue(holder.join(Duration.ofSeconds(10)));

            assertTrue(Multiproc.listObjects().stream().anyMatch(o -> o.kind().equals("spill")), "the message's spill object stays while it is unread");
            assertArrayEquals(big, queue.poll(10, TimeUnit.SECONDS), "the killed consumer's message comes again, whole");
            assertArrayEquals(new byte[]{2}, queue.poll());
            assertTrue(Multiproc.listObjects().stream().noneMatch(o -> o.kind().equals("spill")), "its spill object was removed once read");
            for (byte value = 3; value <= 6; value++) {
                assertTrue(queue.offer(new byte[]{value}), "all four slots are free again");
            }
            assertFalse(queue.offer(new byte[]{9}), "and no more");
        }
    }

    /**
     * A message delivered again after each death of its consumer must not go round for ever if
     * reading it is what kills: after {@link QueueLayout#MAX_REDELIVERIES} deliveries again, the
     * next death loses it.
     */
    @Test
    void aMessageWhoseConsumersAreKilledFourTimesInARowIsLostAtTheFourthAndTheNextComes() throws Exception {
        try (SharedQueue<Long> queue = queue(QueueMode.SPSC, 4); SharedMemory reading = mp.sharedMemory(64)) {
            queue.put(1L);
            queue.put(2L);
            for (int death = 1; death <= QueueLayout.MAX_REDELIVERIES + 1; death++) {
                int round = death;
                JvmProcess consumer = start(mp, () -> {
                    try {
                        queue.takeInPlace(message -> {
                            set(reading, 8, queue.deliveryCount());
                            set(reading, 0, round * 100L + message.get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
                            sleep(120_000);
                        });
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }).getFirst();
                try {
                    awaitValue(reading, 0, round * 100L + 1);
                    assertEquals(round, getVolatile(reading, 8), "the handler is told which delivery of the message it has");
                } finally {
                    consumer.kill();
                    assertTrue(consumer.join(Duration.ofSeconds(10)));
                }
            }
            assertEquals(2L, queue.poll(10, TimeUnit.SECONDS), "message 1 was delivered four times, each reader killed: it is dropped");
            assertNull(queue.poll());
        }
    }

    @Test
    void aSingleConsumerKilledMidDrainHasOnlyTheMessageItWasHandlingDeliveredAgain() throws Exception {
        try (SharedQueue<Long> queue = queue(QueueMode.SPSC, 1024); SharedMemory reading = mp.sharedMemory(64)) {
            for (long value = 1; value <= 500; value++) {
                queue.put(value);
            }
            JvmProcess drainer = start(mp, () -> queue.drain(message -> {
                long value = message.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
                set(reading, 0, value);
                if (value == 100) {
                    sleep(120_000);
                }
            }, 1000)).getFirst();
            awaitValue(reading, 0, 100);
            drainer.kill();
            assertTrue(drainer.join(Duration.ofSeconds(10)));

            for (long value = 100; value <= 500; value++) {
                assertEquals(value, queue.poll(10, TimeUnit.SECONDS), "from the message the killed drainer was handling on, in order; none it had handled");
            }
            assertNull(queue.poll());
            for (long value = 0; value < 1024; value++) {
                assertTrue(queue.offer(value), "every slot is free again");
            }
        }
    }

    @Test
    void aKilledSingleProducerLeavesNoGapAndAReplacementProducerTakesOver() throws Exception {
        try (SharedQueue<Long> queue = queue(QueueMode.SPSC, 64); SharedMemory committed = mp.sharedMemory(64)) {
            JvmProcess producer = start(mp, () -> QueueTest.produceSlowlyRecordingCommits(queue, committed)).getFirst();
            long expected = 0;
            while (expected < 200) {
                Long value = queue.poll(10, TimeUnit.SECONDS);
                assertNotNull(value, "the live producer stalled");
                assertEquals(expected++, value);
            }
            producer.kill();
            assertTrue(producer.join(Duration.ofSeconds(10)));
            Long value;
            while ((value = queue.poll(500, TimeUnit.MILLISECONDS)) != null) {
                assertEquals(expected++, value, "in order, no duplicate after the kill");
            }
            assertTrue(expected >= get(committed, 0), "every committed message arrived");
            assertEquals(0, queue.size(), "a slot claimed and never filled was skipped");

            JvmProcess replacement = start(mp, () -> QueueTest.produce(queue, 0, 1000)).getFirst();
            for (long sequence = 0; sequence < 1000; sequence++) {
                assertEquals(sequence, queue.poll(10, TimeUnit.SECONDS), "the replacement producer's messages");
            }
            joinAll(List.of(replacement), 0);
        }
    }

    @Test
    void theModeIsPartOfANamedQueuesShape() throws Exception {
        String name = "modes-" + ProcessHandle.current().pid();
        try (SharedQueue<Long> spsc = mp.openQueue(name, Codec.longs(), QueueOptions.of(8).withMode(QueueMode.SPSC))) {
            IncompatibleSharedObjectException mismatch = assertThrows(IncompatibleSharedObjectException.class,
                    () -> mp.openQueue(name, Codec.longs(), QueueOptions.of(8)));
            assertTrue(mismatch.getMessage().contains("SPSC"), mismatch.getMessage());
            try (SharedQueue<Long> same = mp.openQueue(name, Codec.longs(), QueueOptions.of(8).withMode(QueueMode.SPSC))) {
                spsc.put(5L);
                assertEquals(5L, same.poll(), "handles of one process share the thread's side");
            }
        } finally {
            mp.unlink(name);
        }
    }

    @Test
    void aDrainStopsAtTheHandlersExceptionAndLeavesTheRestQueued() {
        try (SharedQueue<Long> queue = mp.queue(Codec.longs(), 16)) {
            for (long value = 1; value <= 6; value++) {
                queue.add(value);
            }
            List<Long> seen = new ArrayList<>();
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> queue.drain(message -> {
                long value = message.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
                seen.add(value);
                if (value == 3) {
                    throw new IllegalStateException("handler refuses 3");
                }
            }, 10));
            assertEquals("handler refuses 3", thrown.getMessage());
            assertEquals(List.of(1L, 2L, 3L), seen);
            assertEquals(3, queue.size(), "the failing message counts as taken, the rest stay");
            List<Long> rest = new ArrayList<>();
            assertEquals(2, queue.drainTo(rest, 2));
            assertEquals(List.of(4L, 5L), rest);
            assertEquals(1, queue.drain(message -> { }, Integer.MAX_VALUE));
            assertThrows(IllegalArgumentException.class, () -> queue.drain(message -> { }, -1));
        }
    }
}
