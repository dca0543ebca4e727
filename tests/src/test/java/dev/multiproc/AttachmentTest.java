package dev.multiproc;

import dev.multiproc.codec.Codec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.stream.Collectors;

import static dev.multiproc.Children.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * One attachment per object per process, whatever the number of handles: tasks and targets that
 * capture shared objects, handles closed under sleeping threads, deaths around a joinable queue,
 * and dead-peer recovery under steady traffic.
 */
@Timeout(300)
class AttachmentTest extends ContextPerTest {

    private static byte[] message(int number, int size) {
        byte[] bytes = new byte[size];
        ByteBuffer.wrap(bytes).putInt(number);
        bytes[size - 1] = (byte) number;
        return bytes;
    }

    @LinuxOnly
    @ParameterizedTest(name = "{0} workers, {1}-byte messages")
    @CsvSource({"2, 16", "4, 16", "2, 102400", "4, 102400"})
    void poolTasksThatCaptureAQueueAllSucceedAndEveryMessageArrivesOnce(int workers, int size) throws Exception {
        int tasks = 10_000;
        SharedQueue<byte[]> queue = mp.queue(Codec.bytes(), 256);
        BitSet seen = new BitSet(tasks);
        CompletableFuture<Void> consumer = CompletableFuture.runAsync(() -> {
            try {
                for (int received = 0; received < tasks; received++) {
                    byte[] bytes = queue.poll(60, TimeUnit.SECONDS);
                    assertNotNull(bytes, "message " + received + " arrived");
                    assertEquals(size, bytes.length);
                    int number = ByteBuffer.wrap(bytes).getInt();
                    assertEquals((byte) number, bytes[size - 1], "whole message " + number);
                    assertFalse(seen.get(number), "message " + number + " arrived once");
                    seen.set(number);
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        try (ProcessPool pool = mp.pool(workers)) {
            List<CompletableFuture<Integer>> results = new ArrayList<>(tasks);
            for (int i = 0; i < tasks; i++) {
                results.add(pool.applyAsync(x -> {
                    try {
                        queue.put(message(x, size));
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return x;
                }, i));
            }
            for (int i = 0; i < tasks; i++) {
                assertEquals(i, results.get(i).get(120, TimeUnit.SECONDS), "task " + i + " succeeded");
            }
        }
        consumer.get(120, TimeUnit.SECONDS);
        assertEquals(tasks, seen.cardinality());
        assertEquals(0, queue.size());
    }

    /** How many times this process has each named object mapped. */
    static Map<String, Long> mappings(List<String> names) {
        try {
            List<String> maps = Files.readAllLines(Path.of("/proc/self/maps"));
            return names.stream().collect(Collectors.toMap(name -> name,
                    name -> maps.stream().filter(line -> line.endsWith("/dev/shm/" + name)).count()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aTargetRunManyTimesWithTheSameCapturesMapsEachObjectOncePerProcess() throws Exception {
        SharedQueue<Integer> queue = mp.queue(Codec.ints(), 1024);
        SharedMap<String, Long> map = mp.map(Codec.string(), Codec.longs(), 16);
        SharedLock lock = mp.lock();
        SharedSemaphore semaphore = mp.semaphore(1);
        Connection<String> end = mp.pipe(Codec.string()).second();
        List<String> names = List.of(queue.name(), map.name(), lock.name(), semaphore.name(), end.name());
        int runs = 500;
        try (ProcessPool pool = mp.pool(2)) {
            for (int i = 0; i < runs; i++) {
                Map<String, Long> inWorker = pool.apply(x -> {
                    try {
                        queue.put(x);
                        map.merge("runs", 1L, Long::sum);
                        lock.lock();
                        lock.unlock();
                        semaphore.acquire();
                        semaphore.release();
                        end.name();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return mappings(names);
                }, i);
                inWorker.forEach((name, count) -> assertEquals(1L, count, "a worker maps " + name + " once, however many tasks capture it"));
                assertEquals(x(i), queue.poll(10, TimeUnit.SECONDS));
            }
        }
        assertEquals(runs, map.get("runs"));
        for (int start = 0; start < 20; start++) {
            JvmProcess child = mp.process(() -> {
                map.merge("starts", 1L, Long::sum);
                lock.lock();
                lock.unlock();
                queue.size();
                semaphore.availablePermits();
                end.name();
                // the pipe end may be closed by now (a worker that held it ended): then it is not mapped at all
                Map<String, Long> mapped = mappings(names);
                if (mapped.values().stream().anyMatch(count -> count > 1)
                        || mapped.entrySet().stream().anyMatch(e -> !e.getKey().equals(end.name()) && e.getValue() != 1)) {
                    System.err.println("mapped: " + mapped);
                    System.exit(3);
                }
            });
            child.start();
            assertTrue(child.join(Duration.ofSeconds(60)));
            assertEquals(0, child.exitCode().orElseThrow(), "child " + start + " mapped each object once");
        }
        assertEquals(20, map.get("starts"));
        mappings(names).forEach((name, count) -> assertTrue(count <= 1, "the parent maps " + name + " at most once: " + count));
    }

    private static Integer x(int i) {
        return i;
    }

    @Test
    void threadsThatComeAndGoGiveTheirIntentEntriesBack() throws Exception {
        SharedQueue<Integer> queue = mp.queue(Codec.ints(), 1024);
        SharedQueue<Integer> sameQueueAgain = SharedQueue.attach(queue.name(), Codec.ints());
        for (int i = 0; i < 1_000; i++) {
            int value = i;
            Thread thread = Thread.ofPlatform().start(() -> {
                assertTrue((value % 2 == 0 ? queue : sameQueueAgain).offer(value), "put by a short-lived thread");
            });
            thread.join();
            assertEquals(x(i), queue.poll());
        }
        sameQueueAgain.close();
        assertTrue(queue.offer(-1), "closing one handle leaves the others working");
        assertEquals(x(-1), queue.poll());
    }

    @Test
    void aJoinableQueueJoinsWhateverMomentItsProducerOrConsumerIsKilledAt() throws Exception {
        for (int round = 0; round < 20; round++) {
            JoinableQueue<Integer> queue = mp.joinableQueue(Codec.ints(), 64);
            SharedLong taken = mp.sharedLong(0);
            JvmProcess producer = mp.process(() -> {
                for (int i = 0; ; i++) {
                    try {
                        queue.put(i);
                    } catch (InterruptedException e) {
                        return;
                    }
                    sleep(1);
                }
            });
            JvmProcess consumer = mp.process(() -> {
                while (true) {
                    try {
                        queue.take();
                    } catch (InterruptedException e) {
                        return;
                    }
                    taken.incrementAndGet();
                    sleep(2);
                    queue.taskDone();
                }
            });
            producer.start();
            consumer.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (taken.get() == 0) {
                assertTrue(System.nanoTime() < deadline, "the consumer took a message");
                Thread.sleep(1);
            }
            Thread.sleep(ThreadLocalRandom.current().nextInt(30));
            (round % 2 == 0 ? producer : consumer).kill();
            Thread.sleep(ThreadLocalRandom.current().nextInt(30));
            (round % 2 == 0 ? consumer : producer).kill();
            assertTrue(producer.join(Duration.ofSeconds(10)) && consumer.join(Duration.ofSeconds(10)));
            Integer left;
            while ((left = queue.poll(200, TimeUnit.MILLISECONDS)) != null) {
                assertNotNull(left);
                queue.taskDone();
            }
            assertTrue(queue.join(Duration.ofSeconds(10)), "round " + round + ": join returns; unfinished " + queue.unfinishedTasks());
            queue.close();
            taken.close();
        }
    }

    /** In a child: takes a message, marks it done unless told to hold it, counts it, and waits to be killed. */
    private static void takeAndWait(JoinableQueue<Integer> queue, SharedLong took, boolean hold) {
        try {
            queue.take();
            if (!hold) {
                queue.taskDone();
            }
            took.incrementAndGet();
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * 65 consumer processes each take a message at once, one more than the queue's debt table had
     * slots; 64 mark theirs done, the 65th is killed holding its own. {@code join()} must count
     * that message done — before, the 65th found the table full, went untracked, and
     * {@code join()} waited for its message for good.
     */
    @Test
    void aJoinableQueueJoinsWhenThe65thLiveConsumerProcessDiesHoldingAMessage() throws Exception {
        int consumers = Children.BEYOND_THE_OLD_TABLE;
        try (JoinableQueue<Integer> queue = mp.joinableQueue(Codec.ints(), 128); SharedLong took = mp.sharedLong(0)) {
            for (int message = 0; message < consumers; message++) {
                queue.put(message);
            }
            List<JvmProcess> children = startAllReady(mp, consumers, 16, consumer -> {
                boolean hold = consumer == consumers - 1;
                return () -> takeAndWait(queue, took, hold);
            }, took);
            try {
                assertFalse(queue.join(Duration.ofMillis(100)), "one message is held");
                killAndJoin(List.of(children.getLast()));
                assertTrue(queue.join(Duration.ofSeconds(10)), "join returns; unfinished " + queue.unfinishedTasks());
            } finally {
                killAndJoin(children);
            }
        }
    }

    /**
     * A consumer killed in its handler holds its message, which is delivered again; a
     * {@code join()} that counted the dead consumer's debt done first would return while that
     * message was still to be done. It delivers the message again before it counts the debt, so
     * it waits until the message is marked done by whoever takes it next.
     */
    @Test
    void aJoinWaitsForTheMessageAConsumerWasKilledHandlingToBeDoneAgain() throws Exception {
        try (JoinableQueue<Integer> queue = mp.joinableQueue(Codec.ints(), 8); SharedLong handling = mp.sharedLong(0)) {
            queue.put(7);
            JvmProcess consumer = mp.process(() -> queue.drain(message -> {
                handling.set(message.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 0));
                sleep(120_000);
            }, 1));
            consumer.start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (handling.get() != 7) {
                    assertTrue(System.nanoTime() < deadline, "the consumer is handling the message");
                    Thread.sleep(2);
                }
            } finally {
                consumer.kill();
                assertTrue(consumer.join(Duration.ofSeconds(10)));
            }
            assertFalse(queue.join(Duration.ofMillis(500)), "the message the consumer was handling is not done");
            assertEquals(1, queue.unfinishedTasks());
            assertEquals(7, queue.poll(10, TimeUnit.SECONDS), "delivered again");
            assertEquals(2, queue.deliveryCount());
            queue.taskDone();
            assertTrue(queue.join(Duration.ofSeconds(10)), "join returns; unfinished " + queue.unfinishedTasks());
        }
    }

    /** Closes {@code handle} while another thread of this process sleeps on it, and checks how the sleeper ends. */
    private static void closeUnderSleeper(SharedObject handle, SharedObject sameObject, Blocker sleeper) throws Exception {
        AtomicReference<Throwable> ended = new AtomicReference<>();
        Thread thread = Thread.ofPlatform().start(() -> {
            try {
                sleeper.block();
                ended.set(new AssertionError("the wait ended normally"));
            } catch (Throwable t) {
                ended.set(t);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (sameObject.sleepers() == 0) {
            assertTrue(System.nanoTime() < deadline, "the thread went to sleep on " + handle);
            Thread.sleep(1);
        }
        long closed = System.nanoTime();
        handle.close();
        thread.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(thread.isAlive(), "the sleeper woke");
        assertTrue(System.nanoTime() - closed < TimeUnit.SECONDS.toNanos(2), "within a wait slice or so");
        assertInstanceOf(IllegalStateException.class, ended.get(), String.valueOf(ended.get()));
        assertTrue(ended.get().getMessage().contains("closed"), ended.get().getMessage());
        assertEquals(0, sameObject.sleepers(), "no sleeper count is left behind");
        assertFalse(sameObject.isClosed(), "the other handle on the object is still open");
    }

    @FunctionalInterface
    interface Blocker {
        void block() throws Exception;
    }

    @Test
    void closingAHandleWakesItsSleepersWithIllegalStateException() throws Exception {
        SharedQueue<String> queue = mp.queue(Codec.string(), 4);
        SharedQueue<String> queueToo = SharedQueue.attach(queue.name(), Codec.string());
        closeUnderSleeper(queueToo, queue, queueToo::take);
        queue.put("still works");
        assertEquals("still works", queue.take());

        SharedLock lock = mp.lock();
        SharedLock lockToo = (SharedLock) Multiproc.context().attach(new SharedObjectReference(dev.multiproc.internal.shm.header.ObjectKind.LOCK.code(),
                lock.name(), 0));
        lock.lock();
        closeUnderSleeper(lockToo, lock, lockToo::lock);
        lock.unlock();

        SharedReentrantLock conditionLock = mp.reentrantLock();
        Condition condition = conditionLock.newCondition();
        SharedCondition shared = (SharedCondition) condition;
        SharedCondition conditionToo = (SharedCondition) Multiproc.context().attach(new SharedObjectReference(
                dev.multiproc.internal.shm.header.ObjectKind.CONDITION.code(), shared.name(), 0));
        closeUnderSleeper(conditionToo, shared, () -> {
            conditionToo.lock().lock();
            try {
                conditionToo.await();
            } finally {
                conditionToo.lock().unlock();
            }
        });

        SharedSemaphore semaphore = mp.semaphore(0);
        SharedSemaphore semaphoreToo = (SharedSemaphore) Multiproc.context().attach(new SharedObjectReference(
                dev.multiproc.internal.shm.header.ObjectKind.SEMAPHORE.code(), semaphore.name(), 0));
        closeUnderSleeper(semaphoreToo, semaphore, semaphoreToo::acquire);

        SharedEvent event = mp.event();
        SharedEvent eventToo = (SharedEvent) Multiproc.context().attach(new SharedObjectReference(
                dev.multiproc.internal.shm.header.ObjectKind.EVENT.code(), event.name(), 0));
        closeUnderSleeper(eventToo, event, eventToo::await);

        SharedBarrier barrier = mp.barrier(2);
        SharedBarrier barrierToo = (SharedBarrier) Multiproc.context().attach(new SharedObjectReference(
                dev.multiproc.internal.shm.header.ObjectKind.BARRIER.code(), barrier.name(), 0));
        closeUnderSleeper(barrierToo, barrier, barrierToo::await);
        assertThrows(BrokenBarrierException.class, barrier::await, "a party that left by closing broke the barrier");

        Pipe<String> pipe = mp.pipe(Codec.string());
        closeUnderSleeper(pipe.first(), pipe.second(), pipe.first()::recv);
        assertThrows(IllegalStateException.class, () -> pipe.second().send("x"), "the closed end cannot be sent to");
        assertThrows(EOFException.class, pipe.second()::recv, "and the other end reads end-of-file");
    }

    @Test
    void aConsumerBehindADeadProducersSlotRecoversUnderAnotherProducersSteadyTraffic() throws Exception {
        SharedQueue<String> queue = mp.queue(Codec.string(), 100_000);
        try (ChildJvm stuck = ChildJvm.start(Participant.class, "produce", queue.name())) {
            assertEquals("claimed", stuck.readLine());
            Thread steady = Thread.ofPlatform().daemon().start(() -> {
                try {
                    for (int i = 0; queue.offer("steady " + i); i++) {
                        Thread.sleep(1);
                    }
                } catch (InterruptedException stop) {
                    // the test is over
                }
            });
            try {
                Thread.sleep(200);
                assertEquals(null, queue.poll(100, TimeUnit.MILLISECONDS), "the live stuck producer holds the head");
                stuck.kill();
                long killed = System.nanoTime();
                assertEquals("steady 0", queue.poll(10, TimeUnit.SECONDS));
                long recovered = System.nanoTime() - killed;
                assertTrue(recovered < TimeUnit.MILLISECONDS.toNanos(1_000),
                        "recovered within a few wait slices although wake-ups kept coming: " + recovered / 1_000_000 + " ms");
            } finally {
                steady.interrupt();
                steady.join();
            }
        }
    }
}
