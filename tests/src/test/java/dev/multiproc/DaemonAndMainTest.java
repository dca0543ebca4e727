package dev.multiproc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.ValueLayout;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** Parents that are themselves child JVMs of the test: how their children fare when they end. */
@Timeout(120)
class DaemonAndMainTest {

    /**
     * Starts a daemon child that sleeps and a non-daemon child that works for 3 s and then
     * writes "done" to the file {@code args[1]}, prints both pids, then ends as {@code args[0]}
     * says: "return", "throw", or "wait" (to be SIGKILLed).
     */
    public static final class ParentWithChildren {
        public static void main(String[] args) throws Exception {
            Multiproc mp = Multiproc.context();
            JvmProcess daemon = mp.process(JvmProcessTest::sleepLong);
            daemon.setDaemon(true);
            daemon.start();
            String doneFile = args[1];
            JvmProcess worker = mp.process(() -> {
                try {
                    Thread.sleep(3_000);
                    java.nio.file.Files.writeString(java.nio.file.Path.of(doneFile), "done");
                } catch (InterruptedException | java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            worker.start();
            System.out.println(daemon.pid().orElseThrow());
            System.out.println(worker.pid().orElseThrow());
            switch (args[0]) {
                case "return" -> { }
                case "throw" -> throw new IllegalStateException("parent fails on purpose (test)");
                default -> Thread.sleep(120_000);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"return", "throw", "kill"})
    void daemonChildrenDieWithTheirParentAndOthersFinish(String howTheParentEnds) throws Exception {
        long daemonPid;
        long workerPid;
        java.nio.file.Path done = java.nio.file.Files.createTempFile("multiproc-worker", ".done");
        java.nio.file.Files.delete(done);
        try (ChildJvm parent = ChildJvm.start(ParentWithChildren.class, howTheParentEnds, done.toString())) {
            daemonPid = Long.parseLong(parent.readLine());
            workerPid = Long.parseLong(parent.readLine());
            if (howTheParentEnds.equals("kill")) {
                parent.kill();
            } else {
                parent.waitFor(60);
            }
        }
        try {
            assertTrue(awaitGone(daemonPid, 10), "the daemon outlived its parent (" + howTheParentEnds + ")");
            Optional<ProcessHandle> worker = ProcessHandle.of(workerPid);
            assertTrue(awaitGone(workerPid, 30), "the non-daemon child finishes its work and exits");
            assertTrue(worker.isEmpty() || !worker.get().isAlive());
            assertTrue(java.nio.file.Files.exists(done), "the non-daemon child did its work before it ended (" + howTheParentEnds + ")");
            assertEquals("done", java.nio.file.Files.readString(done));
        } finally {
            java.nio.file.Files.deleteIfExists(done);
            ProcessHandle.of(daemonPid).ifPresent(ProcessHandle::destroyForcibly);
            ProcessHandle.of(workerPid).ifPresent(ProcessHandle::destroyForcibly);
            // a parent killed with SIGKILL leaves its context marker behind
            Multiproc.collectGarbage();
        }
    }

    /**
     * A program that makes a shared value, starts a non-daemon child whose target writes that
     * value to the file {@code args[0]}, prints the child's pid, and waits to be killed.
     */
    public static final class ParentKilledWhileItsChildStarts {
        public static void main(String[] args) throws Exception {
            Multiproc mp = Multiproc.context();
            SharedLong value = mp.sharedLong(42);
            String file = args[0];
            JvmProcess child = mp.process(() -> {
                try {
                    java.nio.file.Files.writeString(java.nio.file.Path.of(file), Long.toString(value.get()));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            child.start();
            System.out.println(child.pid().orElseThrow());
            Thread.sleep(120_000);
        }
    }

    @Test
    void aChildStillStartingWhenItsParentIsKilledFindsWhatItNeedsThoughOthersCollectGarbage() throws Exception {
        java.nio.file.Path written = java.nio.file.Files.createTempFile("multiproc-child", ".value");
        java.nio.file.Files.delete(written);
        long childPid;
        try (ChildJvm parent = ChildJvm.start(ParentKilledWhileItsChildStarts.class, written.toString())) {
            childPid = Long.parseLong(parent.readLine());
            parent.kill();
        }
        try {
            // what every other program on the machine does when it makes a context, while the child boots
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() < until && ProcessHandle.of(childPid).map(ProcessHandle::isAlive).orElse(false)) {
                Multiproc.collectGarbage();
                Thread.sleep(10);
            }
            assertTrue(awaitGone(childPid, 30), "the child finishes");
            assertTrue(java.nio.file.Files.exists(written), "the child ran its target: its bootstrap and the value it carries were kept");
            assertEquals("42", java.nio.file.Files.readString(written));
        } finally {
            java.nio.file.Files.deleteIfExists(written);
            ProcessHandle.of(childPid).ifPresent(ProcessHandle::destroyForcibly);
            awaitGone(childPid, 10);
            Multiproc.collectGarbage();
        }
    }

    private static boolean awaitGone(long pid, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            Optional<ProcessHandle> handle = ProcessHandle.of(pid);
            if (handle.isEmpty() || !handle.get().isAlive()) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    /**
     * A program whose main counts its own runs in shared memory (offset 0) and starts one child
     * that counts its target's runs (offset 8): the child must never re-run this main.
     */
    public static final class CountingMain {
        public static void main(String[] args) throws Exception {
            try (SharedMemory counters = SharedMemory.attach(args[0])) {
                counters.segment().set(ValueLayout.JAVA_LONG, 0, counters.segment().get(ValueLayout.JAVA_LONG, 0) + 1);
                JvmProcess child = Multiproc.context().process(() ->
                        counters.segment().set(ValueLayout.JAVA_LONG, 8, counters.segment().get(ValueLayout.JAVA_LONG, 8) + 1));
                child.start();
                child.join();
                System.out.println("child exit " + child.exitCode().orElseThrow());
            }
        }
    }

    @Test
    void theParentsMainIsNotRunAgainInTheChild() throws Exception {
        try (Multiproc mp = Multiproc.create(); SharedMemory counters = mp.sharedMemory(64)) {
            try (ChildJvm program = ChildJvm.start(CountingMain.class, counters.name())) {
                assertEquals("child exit 0", program.readLine());
                assertEquals(0, program.waitFor(60));
            }
            assertEquals(1L, counters.segment().get(ValueLayout.JAVA_LONG, 0), "main ran exactly once");
            assertEquals(1L, counters.segment().get(ValueLayout.JAVA_LONG, 8), "the target ran exactly once");
        }
    }
}
