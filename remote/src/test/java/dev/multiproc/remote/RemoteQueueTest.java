package dev.multiproc.remote;

import dev.multiproc.JoinableQueue;
import dev.multiproc.JvmProcess;
import dev.multiproc.Multiproc;
import dev.multiproc.MultiprocException;
import dev.multiproc.SharedEvent;
import dev.multiproc.SharedQueue;
import dev.multiproc.codec.Codec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A queue exported to other hosts: puts land in order, once; confirmations; back pressure; a dead
 * exporter; a remote consumer's takes, offers and looks; an interrupted take; a consumer killed
 * while its message travels; a joinable queue's remote debts.
 */
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

    @Test
    void aRemoteConsumerTakesOffersAndLooksAsAtTheExportedQueueItself() throws Exception {
        String channel = RemoteConnectionTest.freeChannel();
        try (SharedQueue<Long> queue = mp.queue(Codec.longs(), 10); Remote remote = Remote.open(mp);
             QueueExport export = remote.exportQueue(queue, channel); RemoteQueue<Long> remoteQueue = remote.remoteQueue(channel, Codec.longs())) {
            assertNull(remoteQueue.poll(), "nothing there");
            assertNull(remoteQueue.poll(100, TimeUnit.MILLISECONDS));
            assertNull(remoteQueue.peek());
            assertEquals(0, remoteQueue.size());
            assertEquals(10, remoteQueue.remainingCapacity());
            for (long i = 0; i < 5; i++) {
                queue.put(i);
            }
            assertEquals(0L, remoteQueue.peek());
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L), new ArrayList<>(remoteQueue), "a copy, nothing taken");
            assertEquals(5, remoteQueue.size());
            assertEquals(5, remoteQueue.remainingCapacity());
            assertEquals(0L, remoteQueue.take());
            assertEquals(1L, remoteQueue.poll());
            assertEquals(2L, remoteQueue.poll(1, TimeUnit.SECONDS));
            List<Long> drained = new ArrayList<>();
            assertEquals(1, remoteQueue.drainTo(drained, 1));
            assertEquals(1, remoteQueue.drainTo(drained));
            assertEquals(List.of(3L, 4L), drained);
            assertEquals(0, queue.size(), "taken from the exported queue");

            Thread putter = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(300);
                    queue.put(7L);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertEquals(7L, remoteQueue.take(), "a take waits at the exporter for a put made later");
            putter.join(10_000);

            remoteQueue.put(100L);
            for (long i = 1; i < 10; i++) {
                assertTrue(remoteQueue.offer(100 + i), "room for " + i);
            }
            assertFalse(remoteQueue.offer(-1L), "full");
            assertThrows(IllegalStateException.class, () -> remoteQueue.add(-1L));
            assertFalse(remoteQueue.offer(-1L, 100, TimeUnit.MILLISECONDS));
            Thread taker = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(300);
                    queue.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(remoteQueue.offer(110L, 30, TimeUnit.SECONDS), "an offer waits at the exporter for room");
            taker.join(10_000);
            List<Long> landed = drain(queue);
            assertEquals(List.of(101L, 102L, 103L, 104L, 105L, 106L, 107L, 108L, 109L, 110L), landed,
                    "the put first, each offer after the puts before it, nothing refused landed");
            assertThrows(IllegalStateException.class, remoteQueue::taskDone, "the queue is not joinable");
            assertEquals(6, export.delivered(), "0 to 4 and 7 taken remotely, each acknowledged before the requests after it");
        }
    }

    @Test
    void anInterruptedRemoteTakeLeavesNoMessageTakenAtTheExporter() throws Exception {
        String channel = RemoteConnectionTest.freeChannel();
        try (SharedQueue<Long> queue = mp.queue(Codec.longs(), 10); Remote remote = Remote.open(mp);
             QueueExport export = remote.exportQueue(queue, channel); RemoteQueue<Long> remoteQueue = remote.remoteQueue(channel, Codec.longs())) {
            AtomicReference<Object> outcome = new AtomicReference<>();
            Thread taker = Thread.ofPlatform().start(() -> {
                try {
                    outcome.set(remoteQueue.take());
                } catch (Throwable t) {
                    outcome.set(t);
                }
            });
            waitUntil(() -> queue.metrics().consumersWaiting() > 0, "the exporter waits on the queue for the take");
            taker.interrupt();
            taker.join(30_000);
            assertInstanceOf(InterruptedException.class, outcome.get());
            queue.put(42L);
            assertEquals(42L, queue.poll(5, TimeUnit.SECONDS), "the stopped take did not take it");
            queue.put(43L);
            assertEquals(43L, remoteQueue.poll(5, TimeUnit.SECONDS), "the queue still answers");
            assertNotNull(export);
        }
    }

    /** A client that takes again without acknowledging what it got: the exporter puts that back first. */
    @Test
    void aTakeThatComesBeforeTheLastAnswerWasAcknowledgedGetsThatMessageAgain() throws Exception {
        String channel = RemoteConnectionTest.freeChannel();
        try (SharedQueue<Long> queue = mp.queue(Codec.longs(), 10); Remote remote = Remote.open(mp);
             QueueExport export = remote.exportQueue(queue, channel); dev.multiproc.Connection<byte[]> client = remote.connect(channel, Codec.bytes())) {
            queue.put(42L);
            client.sendBytes(QueueWire.op(QueueWire.ROLE_CONSUMER));
            client.sendBytes(QueueWire.take(0, 1));
            assertEquals(1, QueueWire.messages(client.recvBytes()).size(), "the message");
            client.sendBytes(QueueWire.take(0, 1));
            List<byte[]> again = QueueWire.messages(client.recvBytes());
            assertEquals(1, again.size(), "not acknowledged: put back, and taken again");
            assertEquals(42L, Codec.longs().decode(java.lang.foreign.MemorySegment.ofArray(again.getFirst())));
            assertEquals(0, export.delivered(), "taken out of the queue for the client, not yet acknowledged: not delivered");
            client.sendBytes(QueueWire.op(QueueWire.ACK));
            client.sendBytes(QueueWire.op(QueueWire.COUNT));
            assertEquals(0, java.nio.ByteBuffer.wrap(client.recvBytes()).getInt(QueueWire.COUNTS_SIZE_OFFSET), "held once, by the client");
            assertEquals(1, export.delivered(), "acknowledged (before the count was answered): delivered once");
        }
    }

    private static List<String> threadsOf(String channel) {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(name -> name.startsWith("multiproc-remote-") && name.contains(channel)).toList();
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "within 30 s: " + what);
            Thread.sleep(10);
        }
    }

    /** The child: takes from the queue at {@code channel}, after saying so; killed while it waits. */
    static void takeUntilKilled(String channel, SharedEvent asking) {
        try (Multiproc child = Multiproc.create();
             Remote remote = Remote.open(child, RemoteOptions.defaults().withPeerTimeout(Duration.ofSeconds(2)));
             RemoteQueue<Long> remoteQueue = remote.remoteQueue(channel, Codec.longs())) {
            asking.set();
            remoteQueue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aMessageSentToAConsumerKilledBeforeItArrivedGoesBackIntoTheQueue() throws Exception {
        String channel = RemoteConnectionTest.freeChannel();
        try (SharedQueue<Long> queue = mp.queue(Codec.longs(), 10); SharedEvent asking = mp.event();
             Remote remote = Remote.open(mp, RemoteOptions.defaults().withPeerTimeout(Duration.ofSeconds(2)));
             QueueExport export = remote.exportQueue(queue, channel)) {
            JvmProcess consumer = mp.process(() -> takeUntilKilled(channel, asking));
            try {
                consumer.start();
                assertTrue(asking.await(Duration.ofSeconds(60)), "the consumer connected");
                waitUntil(() -> queue.metrics().consumersWaiting() > 0, "the exporter waits on the queue for the consumer's take");
                consumer.kill();
                assertTrue(consumer.join(Duration.ofSeconds(30)));
                queue.put(42L);
                waitUntil(() -> queue.metrics().taken() == 1, "the exporter takes it for the dead consumer");
                assertEquals(42L, queue.poll(30, TimeUnit.SECONDS), "put back when the connection ended, not lost with the consumer");
            } finally {
                consumer.kill();
                consumer.join(Duration.ofSeconds(30));
                KilledDrivers.remove(consumer);
            }
            assertNotNull(export);
        }
    }

    @Test
    void aRemoteConsumersTasksAreDoneForJoinAndWhatItLeavesUndoneCountsDoneWhenItGoes() throws Exception {
        String channel = RemoteConnectionTest.freeChannel();
        try (JoinableQueue<Long> queue = mp.joinableQueue(Codec.longs(), 10); Remote remote = Remote.open(mp);
             QueueExport export = remote.exportQueue(queue, channel)) {
            for (long i = 0; i < 3; i++) {
                queue.put(i);
            }
            RemoteQueue<Long> remoteQueue = remote.remoteQueue(channel, Codec.longs());
            assertEquals(0L, remoteQueue.take());
            assertEquals(1L, remoteQueue.take());
            remoteQueue.taskDone();
            assertEquals(2, queue.unfinishedTasks(), "one done of the two taken, one not taken");
            assertEquals(2L, remoteQueue.take());
            remoteQueue.taskDone();
            remoteQueue.taskDone();
            assertThrows(IllegalStateException.class, remoteQueue::taskDone, "more than were taken here");
            assertTrue(queue.join(Duration.ofSeconds(5)));
            queue.put(3L);
            assertEquals(3L, remoteQueue.take());
            assertFalse(queue.join(Duration.ofMillis(100)), "taken, not done");
            remoteQueue.close();
            assertTrue(queue.join(Duration.ofSeconds(30)), "what the consumer left undone counts done when its connection ends");
            assertNotNull(export);
        }
    }

    /**
     * The exporter's side of a held-back producer's connection sits in the middle of a frame from
     * Aeron's log, waiting for room in its local pipe; closing the {@code Remote} under it unmapped
     * that log while the pump stayed, and the JVM died (SIGSEGV) when the pump's wait ended.
     */
    @Test
    void closingTheRemoteWhileTheExporterHoldsAProducerBackStopsItsPumpsFirst() throws Exception {
        String channel = RemoteConnectionTest.freeChannel();
        try (SharedQueue<Long> queue = mp.queue(Codec.longs(), 10)) {
            Remote remote = Remote.open(mp, RemoteOptions.defaults().withPeerTimeout(Duration.ofSeconds(1)));
            QueueExport export = remote.exportQueue(queue, channel);
            RemoteQueue<Long> producer = remote.remoteQueue(channel, Codec.longs());
            for (long i = 0; i < 100_000; i++) {
                producer.put(i);
            }
            waitUntil(() -> queue.size() == 10, "the exported queue fills");
            Thread.sleep(500);
            producer.close();
            export.close();
            remote.close();
            List<String> pumps = threadsOf(channel);
            assertTrue(pumps.stream().noneMatch(name -> name.startsWith("multiproc-remote-in") || name.startsWith("multiproc-remote-out")),
                    "no pump outlives the Remote's close: " + pumps);
            waitUntil(() -> threadsOf(channel).isEmpty(), "the export's threads end when it is closed: " + threadsOf(channel));
            assertEquals(10, queue.size(), "a put held back when the export closed is dropped, not put later");
        }
        try (SharedQueue<Long> after = mp.queue(Codec.longs(), 10)) {
            after.put(1L);
            assertEquals(1L, after.poll(), "this JVM goes on");
        }
    }
}
