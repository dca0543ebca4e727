package dev.multiproc;

import dev.multiproc.codec.Codec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static dev.multiproc.Children.*;
import static org.junit.jupiter.api.Assertions.*;

/** Metrics read from shared memory: exact counts for what a test did, the same in every process. */
@Timeout(120)
class MetricsTest extends ContextPerTest {

    @Test
    void queueMetricsCountWhatProducersAndConsumersDidAndEveryProcessSeesTheSame() throws Exception {
        try (SharedQueue<byte[]> queue = mp.queue(Codec.bytes(), QueueOptions.of(8).withSlotBytes(128));
             SharedMemory seenByChild = mp.sharedMemory(64)) {
            QueueMetrics fresh = queue.metrics();
            assertEquals(new QueueMetrics(0, 8, 0, 0, 0, 0, 0, 0, Duration.ZERO, 0, 0, 0), fresh);

            JvmProcess producer = start(mp, () -> {
                try {
                    for (int i = 0; i < 20; i++) {
                        queue.put(new byte[i == 5 ? 1000 : 16]);
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }).getFirst();
            for (int i = 0; i < 20; i++) {
                assertNotNull(queue.poll(30, TimeUnit.SECONDS));
                if (i == 0) {
                    Thread.sleep(200);
                }
            }
            joinAll(List.of(producer), 0);
            assertNull(queue.poll(50, TimeUnit.MILLISECONDS), "one take that waits for nothing");

            QueueMetrics metrics = queue.metrics();
            assertEquals(0, metrics.depth());
            assertEquals(20, metrics.put());
            assertEquals(20, metrics.taken());
            assertEquals(0, metrics.skipped());
            assertEquals(1, metrics.spills(), "the one message of 1000 bytes in slots of 128");
            assertTrue(metrics.producerWaits() >= 1, "the producer found the queue full while the consumer slept: " + metrics);
            assertTrue(metrics.consumerWaits() >= 1, "the last poll waited: " + metrics);
            assertTrue(metrics.waited().toMillis() >= 50, metrics.toString());

            queue.put(new byte[16]);
            queue.put(new byte[16]);
            JvmProcess reader = start(mp, () -> {
                QueueMetrics there = queue.metrics();
                set(seenByChild, 0, there.depth());
                set(seenByChild, 8, there.put());
                set(seenByChild, 16, there.taken());
                set(seenByChild, 24, there.spills());
            }).getFirst();
            joinAll(List.of(reader), 0);
            assertEquals(2, get(seenByChild, 0), "depth, seen by another process");
            assertEquals(22, get(seenByChild, 8));
            assertEquals(20, get(seenByChild, 16));
            assertEquals(1, get(seenByChild, 24));
        }
    }

    @Test
    void lockMapConnectionAndPoolMetricsSayWhatHappened() throws Exception {
        try (SharedLock lock = mp.lock(); SharedMemory held = mp.sharedMemory(64)) {
            assertEquals(new LockMetrics(false, 0, 0, 0), lock.metrics());
            JvmProcess holder = start(mp, () -> {
                lock.lock();
                set(held, 0, 1);
                sleep(120_000);
            }).getFirst();
            awaitValue(held, 0, 1);
            LockMetrics heldElsewhere = lock.metrics();
            assertTrue(heldElsewhere.locked());
            assertEquals(holder.pid().orElseThrow(), heldElsewhere.ownerPid());
            holder.kill();
            assertTrue(holder.join(Duration.ofSeconds(10)));
            lock.lock();
            assertEquals(new LockMetrics(true, ProcessHandle.current().pid(), 0, 1), lock.metrics(), "one take-over");
            lock.unlock();
        }

        try (SharedMap<String, Long> map = mp.map(Codec.string(), Codec.longs(), 100)) {
            for (long i = 0; i < 25; i++) {
                map.put("key-" + i, i);
            }
            MapMetrics metrics = map.metrics();
            assertEquals(25, metrics.entries());
            assertTrue(metrics.maxEntries() >= 100);
            assertTrue(metrics.recordBytesUsed() > 0 && metrics.recordBytesUsed() <= metrics.recordBytes(), metrics.toString());
            assertEquals(0, metrics.stripesWithDeadWriter());
            assertTrue(metrics.fill() > 0 && metrics.fill() < 1, metrics.toString());
        }

        try (Pipe<String> pipe = mp.pipe(Codec.string())) {
            pipe.first().send("hello");
            ConnectionMetrics sender = pipe.first().metrics();
            ConnectionMetrics receiver = pipe.second().metrics();
            assertEquals(sender.bytesToPeer(), receiver.bytesFromPeer());
            assertTrue(sender.bytesSent() >= 5 + 16, "a 5-byte message and its record header: " + sender);
            assertEquals(0, receiver.bytesReceived());
            assertEquals("hello", pipe.second().recv());
            assertEquals(sender.bytesSent(), pipe.second().metrics().bytesReceived());
            assertEquals(0, pipe.first().metrics().bytesToPeer());
            assertFalse(pipe.first().metrics().peerFinished());
        }

        try (ProcessPool pool = mp.pool(1)) {
            assertEquals(16, pool.map(x -> x * x, List.of(4)).getFirst());
            ExecutionException died = assertThrows(ExecutionException.class, () -> pool.applyAsync(x -> {
                Runtime.getRuntime().halt(5);
                return x;
            }, 1).get(60, TimeUnit.SECONDS));
            assertInstanceOf(WorkerDiedException.class, died.getCause());
            PoolMetrics metrics = pool.metrics();
            assertEquals(1, metrics.workers());
            assertEquals(2, metrics.submitted());
            assertEquals(1, metrics.answered());
            assertEquals(1, metrics.lost());
            assertEquals(1, metrics.workerDeaths());
            assertEquals(0, metrics.queued());
            assertEquals(0, metrics.inFlight());
            assertEquals(0, metrics.takenBack(), "one worker: nobody to take tasks back for");
        }
    }
}
