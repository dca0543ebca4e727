package dev.multiproc.remote;

import dev.multiproc.JvmProcess;
import dev.multiproc.Multiproc;
import dev.multiproc.MultiprocException;
import dev.multiproc.SharedQueue;
import dev.multiproc.codec.Codec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** A queue exported to other hosts: puts land in order, once; confirmations; back pressure; a dead exporter. */
@Timeout(120)
class RemoteQueueTest extends ContextPerTest {

    private static List<Long> drain(SharedQueue<Long> queue) {
        List<Long> taken = new ArrayList<>();
        queue.drainTo(taken);
        return taken;
    }

    @Test
    void putsLandInTheExportedQueueInOrderOnceEachAndFlushWaitsForAll() throws Exception {
        String channel = RemoteConnectionTest.freeChannel();
        int count = 20_000;
        try (SharedQueue<Long> queue = mp.queue(Codec.longs(), count); Remote remote = Remote.open(mp);
             QueueExport export = remote.exportQueue(queue, channel); RemoteQueue<Long> producer = remote.remoteQueue(channel, Codec.longs())) {
            for (long i = 0; i < count; i++) {
                producer.put(i);
            }
            producer.flush(Duration.ofSeconds(30));
            assertEquals(count, producer.confirmed());
            List<Long> landed = drain(queue);
            assertEquals(count, landed.size());
            for (int i = 0; i < count; i++) {
                assertEquals(i, landed.get(i), "in order, none twice");
            }
            assertNotNull(export.channel());
        }
    }

    @Test
    void aFullExportedQueueHoldsTheRemoteProducerBackUntilSomeoneTakes() throws Exception {
        String channel = RemoteConnectionTest.freeChannel();
        try (SharedQueue<Long> queue = mp.queue(Codec.longs(), 10); Remote remote = Remote.open(mp);
             QueueExport export = remote.exportQueue(queue, channel); RemoteQueue<Long> producer = remote.remoteQueue(channel, Codec.longs())) {
            for (long i = 0; i < 25; i++) {
                producer.put(i);
            }
            assertThrows(MultiprocException.class, () -> producer.flush(Duration.ofMillis(500)), "15 puts wait for room");
            assertEquals(10, producer.confirmed(), "as many as the queue holds");
            List<Long> taken = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (taken.size() < 25 && System.nanoTime() < deadline) {
                Long next = queue.poll(100, TimeUnit.MILLISECONDS);
                if (next != null) {
                    taken.add(next);
                }
            }
            producer.flush(Duration.ofSeconds(10));
            assertEquals(25, producer.confirmed());
            for (int i = 0; i < 25; i++) {
                assertEquals(i, taken.get(i));
            }
            assertNotNull(export);
        }
    }

    /** The child: exports the queue it was given until it is killed. */
    static void exportUntilKilled(SharedQueue<Long> queue, String channel) {
        try (Multiproc child = Multiproc.create(); Remote remote = Remote.open(child); QueueExport export = remote.exportQueue(queue, channel)) {
            Thread.sleep(Duration.ofMinutes(2));
            assertNotNull(export);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void anExporterThatDiesFailsTheProducerNamingThePutsNotConfirmedAndWhatLandedIsAPrefix() throws Exception {
        String channel = RemoteConnectionTest.freeChannel();
        try (SharedQueue<Long> queue = mp.queue(Codec.longs(), 100_000);
             Remote remote = Remote.open(mp, RemoteOptions.defaults().withPeerTimeout(Duration.ofSeconds(2)).withConnectTimeout(Duration.ofSeconds(30)))) {
            JvmProcess exporter = mp.process(() -> exportUntilKilled(queue, channel));
            try {
                exporter.start();
                RemoteQueue<Long> producer = remote.remoteQueue(channel, Codec.longs());
                for (long i = 0; i < 100; i++) {
                    producer.put(i);
                }
                producer.flush(Duration.ofSeconds(30));
                exporter.kill();
                assertTrue(exporter.join(Duration.ofSeconds(30)));
                MultiprocException failed = assertThrows(MultiprocException.class, () -> {
                    for (long i = 100; i < 1_000_000; i++) {
                        producer.put(i);
                    }
                    producer.flush(Duration.ofSeconds(30));
                }, "puts to a dead exporter fail within the peer timeout");
                assertTrue(failed.getMessage().contains("not confirmed"), failed.getMessage());
                List<Long> landed = drain(queue);
                assertTrue(landed.size() >= 100, "every confirmed put is there: " + landed.size());
                for (int i = 0; i < landed.size(); i++) {
                    assertEquals(i, landed.get(i), "what landed is the first puts, in order, once each");
                }
                producer.close();
            } finally {
                exporter.kill();
                exporter.join(Duration.ofSeconds(30));
                KilledDrivers.remove(exporter);
            }
        }
    }
}
