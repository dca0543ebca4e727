package dev.multiproc;

import dev.multiproc.codec.Codec;
import dev.multiproc.jfr.PeerDiedEvent;
import dev.multiproc.jfr.PoolWorkerDiedEvent;
import dev.multiproc.jfr.QueueSlotRecoveredEvent;
import dev.multiproc.jfr.SpillEvent;
import dev.multiproc.jfr.TakeOverEvent;
import dev.multiproc.jfr.WaitEvent;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.EOFException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static dev.multiproc.Children.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * What a JFR recording holds after a lock take-over, a pool worker's death, a spill, a queue
 * consumer killed mid-read, a pipe peer's death and a long wait.
 */
@Timeout(120)
class JfrEventsTest extends ContextPerTest {

    @Test
    void aRecordingHoldsTheEventsOfDeathsSpillsAndLongWaitsWithTheirObjectsAndProcesses() throws Exception {
        Path file = Files.createTempFile("multiproc-events", ".jfr");
        try (Recording recording = new Recording()) {
            for (String event : List.of(TakeOverEvent.NAME, PoolWorkerDiedEvent.NAME, SpillEvent.NAME, PeerDiedEvent.NAME,
                    QueueSlotRecoveredEvent.NAME)) {
                recording.enable(event);
            }
            recording.enable(WaitEvent.NAME).withThreshold(Duration.ofMillis(100));
            recording.start();

            String lockName;
            long lockHolderPid;
            try (SharedLock lock = mp.lock(); SharedMemory held = mp.sharedMemory(64)) {
                lockName = lock.name();
                JvmProcess holder = start(mp, () -> {
                    lock.lock();
                    set(held, 0, 1);
                    sleep(120_000);
                }).getFirst();
                lockHolderPid = holder.pid().orElseThrow();
                awaitValue(held, 0, 1);
                holder.kill();
                assertTrue(holder.join(Duration.ofSeconds(10)));
                lock.lock();
                assertTrue(lock.recoveredFromDeadOwner());
                lock.unlock();
            }

            long workerPid;
            try (ProcessPool pool = mp.pool(1)) {
                workerPid = pool.workers().getFirst().pid().orElseThrow();
                ExecutionException died = assertThrows(ExecutionException.class, () -> pool.applyAsync(x -> {
                    Runtime.getRuntime().halt(3);
                    return x;
                }, 1).get(60, TimeUnit.SECONDS));
                assertInstanceOf(WorkerDiedException.class, died.getCause());
            }

            String queueName;
            try (SharedQueue<byte[]> queue = mp.queue(Codec.bytes(), 4)) {
                queueName = queue.name();
                queue.put(new byte[100_000]);
                assertEquals(100_000, queue.take().length);
                assertNull(queue.poll(300, TimeUnit.MILLISECONDS), "a wait of 300 ms for a message that never comes");
            }

            String recoveredQueueName;
            try (SharedQueue<Long> queue = mp.queue(Codec.longs(), 2); SharedMemory reading = mp.sharedMemory(64)) {
                recoveredQueueName = queue.name();
                queue.put(7L);
                queue.put(8L);
                JvmProcess consumer = start(mp, () -> QueueTest.takeOneAndHoldIt(queue, reading)).getFirst();
                awaitValue(reading, 0, 7);
                consumer.kill();
                assertTrue(consumer.join(Duration.ofSeconds(10)));
                assertEquals(8L, queue.poll());
                assertTrue(queue.offer(9L, 10, TimeUnit.SECONDS), "producers come round to the killed consumer's slot");
                assertEquals(7L, queue.poll(), "the killed consumer's message comes again");
            }

            String pipeName;
            try (Pipe<String> pipe = mp.pipe(Codec.string())) {
                pipeName = pipe.first().name();
                Connection<String> far = pipe.second();
                JvmProcess peer = start(mp, () -> {
                    far.send("last words");
                    sleep(120_000);
                }).getFirst();
                assertEquals("last words", pipe.first().recv());
                peer.kill();
                assertTrue(peer.join(Duration.ofSeconds(10)));
                assertThrows(EOFException.class, () -> pipe.first().recv());
                assertThrows(EOFException.class, () -> pipe.first().recv());
            }
            recording.stop();
            recording.dump(file);

            List<RecordedEvent> events = RecordingFile.readAllEvents(file);
            RecordedEvent takeOver = only(events, TakeOverEvent.NAME);
            assertEquals(lockName, takeOver.getString("objectName"));
            assertEquals("lock", takeOver.getString("objectKind"));
            assertTrue(takeOver.getString("deadProcess").contains(Long.toString(lockHolderPid)), takeOver.getString("deadProcess"));
            assertEquals(ProcessHandle.current().pid(), takeOver.getLong("pid"));

            RecordedEvent workerDied = only(events, PoolWorkerDiedEvent.NAME);
            assertEquals(workerPid, workerDied.getLong("workerPid"));
            assertEquals(3, workerDied.getInt("exitCode"));
            assertEquals(1, workerDied.getInt("tasksFailed"));

            RecordedEvent spill = only(events, SpillEvent.NAME);
            assertEquals(queueName, spill.getString("objectName"));
            assertTrue(spill.getLong("bytes") >= 100_000, "the spilled message's encoded size");

            RecordedEvent slotRecovered = only(events, QueueSlotRecoveredEvent.NAME);
            assertEquals(recoveredQueueName, slotRecovered.getString("objectName"));
            assertFalse(slotRecovered.getBoolean("messageLost"));
            assertTrue(slotRecovered.getBoolean("redelivered"), "the killed consumer's message is delivered again");
            assertEquals(0, slotRecovered.getLong("position"));

            RecordedEvent peerDied = only(events, PeerDiedEvent.NAME);
            assertEquals(pipeName, peerDied.getString("objectName"));
            assertEquals(1, peerDied.getInt("peerEnd"));

            RecordedEvent longWait = events.stream().filter(e -> e.getEventType().getName().equals(WaitEvent.NAME)
                    && queueName.equals(e.getString("objectName"))).findFirst().orElseThrow(() -> new AssertionError("no wait event"));
            assertEquals("a message", longWait.getString("waitingFor"));
            assertTrue(longWait.getDuration().toMillis() >= 250, "the wait lasted its timeout: " + longWait.getDuration());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void aProgramThatRecordsAndLogsNothingWaitsWithoutSettingUpTheFlightRecorderOrLogging() throws Exception {
        Path classes = Files.createTempFile("multiproc-classes", ".log");
        try (SharedQueue<Long> queue = mp.queue(Codec.longs(), 2); Pipe<String> pipe = mp.pipe(Codec.string())) {
            Connection<String> far = pipe.second();
            JvmProcess child = mp.process(() -> {
                try {
                    assertNull(queue.poll(20, TimeUnit.MILLISECONDS));
                    assertFalse(far.poll(Duration.ofMillis(20)));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            child.setJvmOptions(List.of(Children.classLoadLog(classes)));
            child.start();
            assertTrue(child.join(Duration.ofSeconds(60)));
            assertEquals(OptionalInt.of(0), child.exitCode());
            String loaded = Files.readString(classes);
            assertTrue(loaded.contains("dev.multiproc.SharedQueue ") && loaded.contains("dev.multiproc.Connection "),
                    "the log lists what the child loaded");
            // the first registration of an event class sets up JFR's metadata: 180-190 ms of CPU in a fresh JVM here
            assertFalse(loaded.contains("jdk.jfr.internal.MetadataRepository"), "a wait with no recording set up JFR");
            // System.getLogger sets up java.util.logging: 28-36 ms in a fresh JVM here
            assertFalse(loaded.contains("java.util.logging.LogManager "), "multiproc set up logging with nothing to log");
        } finally {
            Files.deleteIfExists(classes);
        }
    }

    private static RecordedEvent only(List<RecordedEvent> events, String name) {
        List<RecordedEvent> matching = events.stream().filter(event -> event.getEventType().getName().equals(name)).toList();
        assertEquals(1, matching.size(), name + ": " + matching);
        return matching.getFirst();
    }
}
