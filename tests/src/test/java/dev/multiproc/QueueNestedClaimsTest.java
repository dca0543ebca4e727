package dev.multiproc;

import dev.multiproc.codec.Codec;
import dev.multiproc.internal.shm.queue.QueueLayout;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.multiproc.Children.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A claim made while the same thread holds one on the same queue — a drain handler that puts into
 * the queue it drains, an in-place writer that puts — keeps the outer claim's intent where recovery
 * finds it: a process killed inside leaves no slot held for good and nothing delivered twice. A
 * single consumer refuses to take while it holds a claim. Borrowing threads (past the entries kept
 * free) nest the same way, and never wait for each other's handlers for good.
 */
@Timeout(120)
class QueueNestedClaimsTest extends ContextPerTest {
    /** Threads that claim an intent entry each and stay alive: enough that threads after them borrow. */
    private static final int ENTRY_HOLDERS = 100;
    private static final long NESTED = 2;

    /**
     * Starts {@code count} threads that each use {@code queue} once (taking an entry of their own)
     * and then wait, so that threads after them borrow; returns the latch that ends them.
     */
    private static CountDownLatch holdEntries(SharedQueue<Long> queue, int count) throws InterruptedException {
        CountDownLatch end = new CountDownLatch(1);
        CountDownLatch used = new CountDownLatch(count);
        for (int t = 0; t < count; t++) {
            Thread.ofPlatform().daemon().start(() -> {
                queue.poll();
                used.countDown();
                try {
                    end.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        assertTrue(used.await(60, TimeUnit.SECONDS), "the entry holders used the queue");
        return end;
    }

    /**
     * In a child: once {@code entryHolders} threads hold entries (offset 8 of {@code signal} set),
     * takes one message with a drain whose handler puts {@link #NESTED} into the same queue, sets
     * offset 0, and hangs in it.
     */
    private static void drainPutAndHang(SharedQueue<Long> queue, SharedMemory signal, int entryHolders) throws InterruptedException {
        holdEntries(queue, entryHolders);
        addVolatile(signal, 8, 1);
        MessageHandler putAndHang = message -> putNestedAndHang(queue, signal);
        while (queue.drain(putAndHang, 1) == 0) {
            Thread.sleep(1);
        }
    }

    /** Inside a claim on {@code queue}: puts {@link #NESTED} into it, sets offset 0 of {@code signal}, and hangs (to be killed). */
    private static void putNestedAndHang(SharedQueue<Long> queue, SharedMemory signal) {
        try {
            queue.put(NESTED);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        addVolatile(signal, 0, 1);
        sleep(120_000);
    }

    /** Starts a child running {@link #drainPutAndHang}, gives it a message to drain, and kills it in its handler. */
    private void killInsideHandlerThatPuts(SharedQueue<Long> queue, SharedMemory signal, int entryHolders) throws InterruptedException {
        JvmProcess consumer = start(mp, () -> {
            try {
                drainPutAndHang(queue, signal, entryHolders);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }).getFirst();
        awaitValue(signal, 8, 1);
        queue.put(1L);
        awaitValue(signal, 0, 1);
        consumer.kill();
        assertTrue(consumer.join(Duration.ofSeconds(10)));
    }

    @ParameterizedTest(name = "after {0} threads took entries")
    @ValueSource(ints = {0, ENTRY_HOLDERS})
    void aConsumerKilledInADrainHandlerThatPutsHasItsMessageDeliveredAgainWhenProducersComeRound(int entryHolders) throws Exception {
        try (SharedQueue<Long> queue = mp.queue(Codec.longs(), 4); SharedMemory signal = mp.sharedMemory(64)) {
            killInsideHandlerThatPuts(queue, signal, entryHolders);
            assertEquals(NESTED, queue.poll(10, TimeUnit.SECONDS), "the handler's put arrives");
            // positions 2 and 3, then 4: the slot the killed consumer held, where message 1 goes again
            for (long value = 10; value <= 12; value++) {
                assertTrue(queue.offer(value, 10, TimeUnit.SECONDS), "put " + value + " finds room");
            }
            assertEquals(List.of(10L, 11L, 1L, 12L), pollAll(queue), "message 1 delivered again, where producers came round to it");
        }
    }

    @Test
    void aProducerKilledInAnInPlaceWriterThatPutsLeavesItsSlotSkipped() throws Exception {
        try (SharedQueue<Long> queue = mp.queue(Codec.longs(), 4); SharedMemory signal = mp.sharedMemory(64)) {
            JvmProcess producer = start(mp, () -> {
                try {
                    queue.putInPlace(Long.BYTES, slot -> {
                        putNestedAndHang(queue, signal);
                        slot.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 1L);
                    });
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }).getFirst();
            awaitValue(signal, 0, 1);
            producer.kill();
            assertTrue(producer.join(Duration.ofSeconds(10)));
            assertEquals(NESTED, queue.poll(10, TimeUnit.SECONDS), "the dead writer's slot is skipped, the put inside it arrives");
            assertNull(queue.poll());
            assertEquals(0, queue.size());
        }
    }

    @Test
    void aSingleConsumerKilledInADrainHandlerThatPutsHasItsMessageDeliveredFirstToItsSuccessor() throws Exception {
        try (SharedQueue<Long> queue = mp.queue(Codec.longs(), QueueOptions.of(4).withMode(QueueMode.MPSC));
             SharedMemory signal = mp.sharedMemory(64)) {
            killInsideHandlerThatPuts(queue, signal, 0);
            assertEquals(1L, queue.poll(10, TimeUnit.SECONDS), "the message the dead consumer was handling comes again, in its place");
            assertEquals(List.of(NESTED), pollAll(queue));
        }
    }

    /** What the queue holds now, taken in order. */
    private static List<Long> pollAll(SharedQueue<Long> queue) {
        List<Long> taken = new ArrayList<>();
        for (Long value; (value = queue.poll()) != null; ) {
            taken.add(value);
        }
        return taken;
    }

    /**
     * In a child: 150 threads (so that some borrow) drain the queue in fours, each handler putting
     * its message back (+1000) with {@code offer}, or after the drain if the tail's slot is still
     * held; offset 0 of {@code signal} counts messages moved.
     */
    private static void circulate(SharedQueue<Long> queue, SharedMemory signal) {
        for (int t = 0; t < 150; t++) {
            Thread.ofPlatform().start(() -> {
                ArrayDeque<Long> later = new ArrayDeque<>();
                MessageHandler putBack = message -> {
                    long value = message.get(ValueLayout.JAVA_LONG_UNALIGNED, 0) + 1000;
                    if (!queue.offer(value)) {
                        later.add(value);
                    }
                    addVolatile(signal, 0, 1);
                };
                try {
                    while (true) {
                        if (queue.drain(putBack, 4) == 0) {
                            Thread.onSpinWait();
                        }
                        while (!later.isEmpty()) {
                            queue.put(later.poll());
                        }
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        sleep(120_000);
    }

    @RepeatedTest(2)
    void aProcessKilledWhileManyThreadsTakeAndPutBackInHandlersLeavesEverySlotUsable() throws Exception {
        int capacity = 64;
        try (SharedQueue<Long> queue = mp.queue(Codec.longs(), capacity); SharedMemory signal = mp.sharedMemory(64)) {
            for (long value = 0; value < capacity / 2; value++) {
                queue.put(value);
            }
            JvmProcess circulating = start(mp, () -> circulate(queue, signal)).getFirst();
            awaitValue(signal, 0, 20_000);
            circulating.kill();
            assertTrue(circulating.join(Duration.ofSeconds(10)));
            while (queue.poll(300, TimeUnit.MILLISECONDS) != null) {
                // what the dead threads had put back
            }
            assertEquals(0, queue.size());
            // a lap of puts, each taken at once, comes round to every slot the dead threads held in handlers:
            // each such message is published again there, between the fresh ones
            long fresh = 1L << 40;
            List<Long> fromTheDead = new ArrayList<>();
            for (long value = fresh; value < fresh + capacity; value++) {
                assertTrue(queue.offer(value, 10, TimeUnit.SECONDS), "put " + (value - fresh) + " finds room");
                for (Long taken; (taken = queue.poll()) != null && taken != value; ) {
                    fromTheDead.add(taken);
                }
            }
            assertTrue(fromTheDead.stream().allMatch(value -> value < fresh), "only messages the dead were handling come between: " + fromTheDead);
            assertNull(queue.poll());
            for (int lap = 0; lap < 2; lap++) {
                for (long value = 0; value < capacity; value++) {
                    assertTrue(queue.offer(value, 10, TimeUnit.SECONDS), "lap " + lap + ", put " + value + " finds room");
                }
                for (long value = 0; value < capacity; value++) {
                    assertEquals(value, queue.poll(10, TimeUnit.SECONDS));
                }
            }
        }
    }

    @Test
    void aNestedPutWhenTheTableIsFullWritesOverItsOuterClaimRatherThanWait() throws Exception {
        int hanging = SharedQueue.QueueShared.KEPT_FOR_LENDING;
        try (SharedQueue<Long> queue = mp.queue(Codec.longs(), 64)) {
            // entries of this process beyond 128, taken directly (as many threads would), then this
            // thread and 95 more take entries of their own: all but the 32 kept free
            for (int entry = 128; entry < QueueLayout.INTENT_ENTRIES; entry++) {
                assertTrue(queue.slots.claimEntry(queue.attachment.token()) >= 0);
            }
            assertNull(queue.poll());
            CountDownLatch end = holdEntries(queue, 128 - SharedQueue.QueueShared.KEPT_FOR_LENDING - 1);
            CountDownLatch release = new CountDownLatch(1);
            List<Thread> drainers = new ArrayList<>();
            try {
                for (long value = 0; value < hanging; value++) {
                    queue.put(value);
                }
                // 32 borrowing threads hang in handlers, each holding a lent entry: the table is full
                CountDownLatch inHandlers = new CountDownLatch(hanging);
                for (int t = 0; t < hanging; t++) {
                    drainers.add(Thread.ofPlatform().daemon().start(() -> queue.drain(message -> {
                        inHandlers.countDown();
                        try {
                            // longer than the test may take: a nested put that waited for one of these entries fails it
                            release.await(300, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }, 1)));
                }
                assertTrue(inHandlers.await(30, TimeUnit.SECONDS), "every borrowing thread got an entry");
                queue.put(100L);
                // this thread has an entry of its own (a new thread would find none and borrow)
                assertEquals(1, queue.drain(message -> assertTrue(queue.offer(NESTED)), 1));
                assertEquals(NESTED, queue.poll());
            } finally {
                release.countDown();
                end.countDown();
                // their drains end by waking producers: the queue must still be open then
                for (Thread drainer : drainers) {
                    drainer.join(Duration.ofSeconds(30));
                }
            }
        }
    }

    @Test
    void aSingleConsumerCannotTakeInsideItsOwnDrainHandler() throws Exception {
        try (SharedQueue<Long> queue = mp.queue(Codec.longs(), QueueOptions.of(4).withMode(QueueMode.MPSC))) {
            queue.put(1L);
            queue.put(2L);
            List<Long> inHandler = new ArrayList<>();
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> queue.drain(message -> {
                inHandler.add(message.get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
                queue.poll();
            }, 1));
            assertTrue(refused.getMessage().contains("single consumer"), refused.getMessage());
            assertEquals(List.of(1L), inHandler);
            assertEquals(2L, queue.poll(), "the message being read counts as taken; the next is still there, once");
            assertNull(queue.poll());
        }
    }

    @ParameterizedTest(name = "after {0} threads took entries")
    @ValueSource(ints = {0, ENTRY_HOLDERS})
    void aDrainHandlerOfAManyConsumerQueueTakesAndPutsAgain(int entryHolders) throws Exception {
        try (SharedQueue<Long> queue = mp.queue(Codec.longs(), 64)) {
            CountDownLatch end = holdEntries(queue, entryHolders);
            try {
                List<Long> taken = new ArrayList<>();
                Thread drainer = Thread.ofPlatform().start(() -> {
                    for (long value = 0; value < 8; value++) {
                        queue.offer(value);
                    }
                    queue.drain(message -> {
                        taken.add(message.get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
                        Long inner = queue.poll();
                        taken.add(inner);
                        queue.offer(100 + inner);
                    }, 4);
                });
                assertTrue(drainer.join(Duration.ofSeconds(30)));
                assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L), taken, "each message once, in order");
                for (long value = 101; value < 108; value += 2) {
                    assertEquals(value, queue.poll());
                }
                assertNull(queue.poll());
            } finally {
                end.countDown();
            }
        }
    }

    @Test
    void theSpecStatesTheLendingRulesTheCodeKeeps() throws Exception {
        String spec = Files.readString(Path.of("../spec/queue.md")).replaceAll("\\s+", " ");
        assertTrue(spec.contains("while more than " + SharedQueue.QueueShared.KEPT_FOR_LENDING + " entries are free"), "entries kept free");
        assertTrue(spec.contains("A process lends at most " + SharedQueue.QueueShared.LENT_AT_MOST + ","), "entries lent");
        assertTrue(spec.contains("at most " + TimeUnit.NANOSECONDS.toMillis(SharedQueue.QueueShared.LENDING_MORE_AFTER_NANOS) + " ms"),
                "how long a claim waits for a lent entry");
    }

    @Test
    void borrowingThreadsWhoseHandlersWaitForAnotherBorrowersPutAllEnd() throws Exception {
        int handlers = SharedQueue.QueueShared.LENT_AT_MOST;
        try (SharedQueue<Long> queue = mp.queue(Codec.longs(), 64)) {
            CountDownLatch end = holdEntries(queue, ENTRY_HOLDERS);
            try {
                for (long value = 0; value < handlers; value++) {
                    queue.put(value);
                }
                CountDownLatch inHandlers = new CountDownLatch(handlers);
                CountDownLatch putDone = new CountDownLatch(1);
                ConcurrentLinkedQueue<String> outcomes = new ConcurrentLinkedQueue<>();
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < handlers; t++) {
                    threads.add(Thread.ofPlatform().start(() -> queue.drain(message -> {
                        inHandlers.countDown();
                        try {
                            outcomes.add(putDone.await(30, TimeUnit.SECONDS) ? "saw the put" : "waited in vain");
                        } catch (InterruptedException e) {
                            outcomes.add("interrupted");
                        }
                    }, 1)));
                }
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        assertTrue(inHandlers.await(30, TimeUnit.SECONDS));
                        queue.put(99L);
                        putDone.countDown();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
                for (Thread thread : threads) {
                    assertTrue(thread.join(Duration.ofSeconds(60)));
                }
                assertEquals(List.of("saw the put", "saw the put", "saw the put", "saw the put"), List.copyOf(outcomes));
                assertEquals(99L, queue.poll());
                assertNull(queue.poll());
            } finally {
                end.countDown();
            }
        }
    }
}
