package dev.multiproc;

import dev.multiproc.codec.Codec;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Processes in another PID namespace (two containers sharing {@code /dev/shm}): the pid such a
 * process records names some other process here, or none, so liveness must not rest on pids.
 * Each test runs a {@link Participant} under {@code unshare --pid --fork --mount-proc}, where its
 * JVM is pid 1, and kills it with SIGKILL from outside.
 */
@Timeout(120)
@LinuxOnly
class PidNamespaceTest extends ContextPerTest {
    private static final List<String> UNSHARE = List.of("unshare", "--pid", "--fork", "--mount-proc");
    /** Recovery happens within one wait slice of the death; one second is ample on a busy machine. */
    private static final long TAKE_OVER_SECONDS = 1;

    @BeforeAll
    static void unshareIsPermitted() throws Exception {
        Process probe;
        try {
            probe = new ProcessBuilder(UNSHARE.getFirst(), "--pid", "--fork", "--mount-proc", "true").redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            Assumptions.abort("skipped: unshare(1) is not installed, so no process can run in another PID namespace: " + e.getMessage());
            return;
        }
        String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        Assumptions.assumeTrue(probe.waitFor() == 0, "skipped: this user may not create PID namespaces (unshare --pid needs root "
                + "or user namespaces): " + output);
    }

    private static ChildJvm inNamespace(String... args) throws Exception {
        return ChildJvm.startUnder(UNSHARE, ChildJvm.defaultOptions(), Participant.class, args);
    }

    @Test
    void aLockHeldInAnotherNamespaceStaysHeldAndIsTakenOverWhenItsHolderIsKilled() throws Exception {
        SharedLock lock = mp.lock();
        try (ChildJvm holder = inNamespace("lock", lock.name())) {
            assertEquals("held", holder.readLine());
            assertFalse(lock.tryLock(2, TimeUnit.SECONDS), "mutual exclusion holds across PID namespaces");
            assertEquals(OptionalLong.of(1), lock.ownerPid(), "the holder's pid as it sees itself: 1 in its namespace");

            holder.killJvm();
            assertTrue(lock.tryLock(TAKE_OVER_SECONDS, TimeUnit.SECONDS), "taken over within a second of the holder's death");
            assertTrue(lock.recoveredFromDeadOwner());
            lock.unlock();
        }
    }

    @Test
    void aProducerKilledMidPutInAnotherNamespaceLosesOnlyItsSlot() throws Exception {
        SharedQueue<String> queue = mp.queue(Codec.string(), 16);
        try (ChildJvm producer = inNamespace("produce", queue.name())) {
            assertEquals("claimed", producer.readLine());
            queue.put("after");
            assertNull(queue.poll(500, TimeUnit.MILLISECONDS), "the live producer's slot comes first: nothing is skipped yet");
            assertEquals(2, queue.size());

            producer.killJvm();
            assertEquals("after", queue.poll(TAKE_OVER_SECONDS, TimeUnit.SECONDS), "the dead producer's slot is skipped");
            assertEquals(0, queue.size(), "size stays exact");
            queue.put("later");
            assertEquals("later", queue.poll());
        }
    }

    @Test
    void aPipePeerInAnotherNamespaceGivesEndOfFileWhenKilled() throws Exception {
        Pipe<String> pipe = mp.pipe(Codec.string());
        Connection<String> here = pipe.first();
        try (ChildJvm peer = inNamespace("pipe", pipe.first().name(), "1")) {
            assertEquals("attached", peer.readLine());
            assertFalse(here.poll(Duration.ofMillis(500)), "a live peer: nothing to read, no end-of-file");

            peer.killJvm();
            long start = System.nanoTime();
            assertThrows(EOFException.class, here::recv);
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(TAKE_OVER_SECONDS), "end-of-file within a second");
        }
    }

    @Test
    void aBoundedSemaphoreHoldersPermitComesBackWhenItIsKilledInAnotherNamespace() throws Exception {
        SharedSemaphore semaphore = mp.boundedSemaphore(1);
        try (ChildJvm holder = inNamespace("semaphore", semaphore.name())) {
            assertEquals("held", holder.readLine());
            assertFalse(semaphore.tryAcquire(2, TimeUnit.SECONDS), "the holder is alive");

            holder.killJvm();
            assertTrue(semaphore.tryAcquire(TAKE_OVER_SECONDS, TimeUnit.SECONDS), "its permit came back");
        }
    }

    @Test
    void aBarrierPartyKilledInAnotherNamespaceBreaksTheBarrier() throws Exception {
        SharedBarrier barrier = mp.barrier(3);
        try (ChildJvm party = inNamespace("barrier", barrier.name())) {
            assertEquals("joined", party.readLine());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (barrier.waiting() < 1) {
                assertTrue(System.nanoTime() < deadline, "the party reached the barrier");
                Thread.sleep(5);
            }

            party.killJvm();
            assertThrows(BrokenBarrierException.class, () -> barrier.await(5, TimeUnit.SECONDS),
                    "a dead party breaks the barrier instead of leaving the others waiting");
        }
    }

    @Test
    void aContextInAnotherNamespaceIsNotCollectedWhileItLivesAndIsAfterItDies() throws Exception {
        try (ChildJvm owner = inNamespace("context")) {
            String object = owner.readLine();
            String marker = owner.readLine();
            assertFalse(Multiproc.collectGarbage().contains(object), "a live context in another namespace is left alone");
            assertTrue(java.nio.file.Files.exists(java.nio.file.Path.of("/dev/shm", object)));

            owner.killJvm();
            List<String> removed = Multiproc.collectGarbage();
            assertTrue(removed.containsAll(List.of(object, marker)), removed.toString());
        }
    }

    @Test
    void aDeadHoldersTokenStaysDeadWhileItsPidBelongsToAnotherLiveProcess() throws Exception {
        SharedLock first = mp.lock();
        SharedLock second = mp.lock();
        try (ChildJvm dead = inNamespace("lock", first.name())) {
            assertEquals("held", dead.readLine());
            dead.killJvm();
        }
        try (ChildJvm alive = inNamespace("lock", second.name())) {
            assertEquals("held", alive.readLine());
            assertEquals(second.ownerPid(), OptionalLong.of(1), "pid 1 is alive again, in a namespace of its own");
            assertTrue(first.tryLock(TAKE_OVER_SECONDS, TimeUnit.SECONDS), "the dead holder is dead, though its pid lives");
            assertTrue(first.recoveredFromDeadOwner());
            assertFalse(second.tryLock(500, TimeUnit.MILLISECONDS), "and the live one is alive");
            first.unlock();
        }
    }
}
