package dev.multiproc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

@Timeout(120)
class JvmProcessTest extends ContextPerTest {
    private JvmProcess started(SerializableRunnable target) {
        JvmProcess process = mp.process(target);
        process.start();
        return process;
    }

    private static int joined(JvmProcess process) throws InterruptedException {
        assertTrue(process.join(Duration.ofSeconds(60)), "child did not end in time: " + process);
        return process.exitCode().orElseThrow();
    }

    @Test
    void exitCodesFollowPython() throws Exception {
        JvmProcess normal = started(() -> { });
        JvmProcess failing = started(() -> {
            throw new IllegalStateException("expected failure in a child (test)");
        });
        JvmProcess exiting = started(() -> System.exit(7));
        assertEquals(0, joined(normal));
        assertEquals(1, joined(failing));
        assertEquals(7, joined(exiting));
    }

    @LinuxOnly
    @Test
    void terminateAndKillReportTheSignal() throws Exception {
        try (SharedMemory flags = mp.sharedMemory(64)) {
            JvmProcess terminated = started(() -> runningThenSleep(flags, 0));
            JvmProcess killed = started(() -> runningThenSleep(flags, 8));
            awaitFlag(flags, 0);
            awaitFlag(flags, 8);
            assertEquals(OptionalInt.empty(), terminated.exitCode(), "empty while running");
            assertTrue(terminated.isAlive());
            terminated.terminate();
            killed.kill();
            assertEquals(-15, joined(terminated));
            assertEquals(-9, joined(killed));
            terminated.terminate();
            killed.kill();
        }
    }

    @LinuxOnly
    @Test
    void terminateRightAfterStartStillReportsMinusFifteen() throws Exception {
        JvmProcess early = started(JvmProcessTest::sleepLong);
        early.terminate();
        assertEquals(-15, joined(early));
    }

    static void sleepLong() {
        try {
            Thread.sleep(120_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sets the long at {@code offset} to 1, then sleeps until killed. */
    static void runningThenSleep(SharedMemory flags, long offset) {
        dev.multiproc.internal.shm.Words.LONG.setRelease(flags.segment(), offset, 1L);
        sleepLong();
    }

    static void awaitFlag(SharedMemory flags, long offset) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while ((long) dev.multiproc.internal.shm.Words.LONG.getAcquire(flags.segment(), offset) == 0) {
            assertTrue(System.nanoTime() < deadline, "the child never started its target");
            Thread.sleep(5);
        }
    }

    @LinuxOnly
    @Test
    void joinWithTimeoutOnASleepingChildReturnsFalse() throws Exception {
        JvmProcess sleeper = started(JvmProcessTest::sleepLong);
        long start = System.nanoTime();
        assertFalse(sleeper.join(Duration.ofMillis(300)));
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(elapsedMillis >= 300 && elapsedMillis < 5_000, elapsedMillis + " ms");
        assertTrue(sleeper.isAlive());
        assertTrue(mp.activeChildren().contains(sleeper));
        sleeper.kill();
        assertEquals(-9, joined(sleeper));
        assertFalse(mp.activeChildren().contains(sleeper), "finished children are reaped from the list");
    }

    @Test
    void aSharedMemoryPassedToTheChildIsWrittenThereAndSeenHere() throws Exception {
        try (SharedMemory shm = mp.sharedMemory(64)) {
            JvmProcess child = started(() -> shm.segment().set(ValueLayout.JAVA_LONG, 0, 4242L));
            assertEquals(0, joined(child));
            assertEquals(4242L, shm.segment().get(ValueLayout.JAVA_LONG, 0));
        }
    }

    @Test
    void currentAndParentDescribeTheChildAndItsParent() throws Exception {
        try (SharedMemory shm = mp.sharedMemory(256)) {
            JvmProcess child = mp.process(() -> {
                JvmProcess self = JvmProcess.current();
                JvmProcess parent = JvmProcess.parent().orElseThrow();
                shm.segment().set(ValueLayout.JAVA_LONG, 0, self.pid().orElseThrow());
                shm.segment().set(ValueLayout.JAVA_LONG, 8, parent.pid().orElseThrow());
                shm.segment().set(ValueLayout.JAVA_LONG, 16, parent.isAlive() ? 1 : 0);
                shm.segment().set(ValueLayout.JAVA_LONG, 24, self.isDaemon() ? 1 : 0);
                byte[] name = self.name().getBytes(StandardCharsets.UTF_8);
                shm.segment().set(ValueLayout.JAVA_INT, 32, name.length);
                shm.segment().asSlice(40, name.length).copyFrom(java.lang.foreign.MemorySegment.ofArray(name));
                byte[] parentName = parent.name().getBytes(StandardCharsets.UTF_8);
                shm.segment().set(ValueLayout.JAVA_INT, 128, parentName.length);
                shm.segment().asSlice(136, parentName.length).copyFrom(java.lang.foreign.MemorySegment.ofArray(parentName));
            });
            child.setName("worker-7");
            child.setDaemon(true);
            child.start();
            assertEquals(0, joined(child));
            assertEquals(child.pid().orElseThrow(), shm.segment().get(ValueLayout.JAVA_LONG, 0));
            assertEquals(ProcessHandle.current().pid(), shm.segment().get(ValueLayout.JAVA_LONG, 8));
            assertEquals(1L, shm.segment().get(ValueLayout.JAVA_LONG, 16));
            assertEquals(1L, shm.segment().get(ValueLayout.JAVA_LONG, 24));
            int length = shm.segment().get(ValueLayout.JAVA_INT, 32);
            assertEquals("worker-7", new String(shm.segment().asSlice(40, length).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
            int parentLength = shm.segment().get(ValueLayout.JAVA_INT, 128);
            assertEquals(JvmProcess.current().name(), new String(shm.segment().asSlice(136, parentLength).toArray(ValueLayout.JAVA_BYTE),
                    StandardCharsets.UTF_8), "the child knows its parent by the parent's own name");
        }
        assertEquals("MainProcess", JvmProcess.current().name());
        assertTrue(JvmProcess.parent().isEmpty());
    }

    @Test
    void aDaemonCannotHaveChildren() throws Exception {
        JvmProcess daemon = mp.process(() -> {
            try {
                Multiproc.context().process(() -> { }).start();
                System.exit(3);
            } catch (IllegalStateException e) {
                System.exit("daemonic processes are not allowed to have children".equals(e.getMessage()) ? 42 : 4);
            }
        });
        daemon.setDaemon(true);
        daemon.start();
        assertEquals(42, joined(daemon));
    }

    @Test
    void aNonDaemonChildMayHaveChildren() throws Exception {
        try (SharedMemory shm = mp.sharedMemory(64)) {
            JvmProcess child = started(() -> {
                JvmProcess grandchild = Multiproc.context().process(() -> shm.segment().set(ValueLayout.JAVA_LONG, 0, 99L));
                grandchild.start();
                try {
                    grandchild.join();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                System.exit(grandchild.exitCode().orElse(-100));
            });
            assertEquals(0, joined(child));
            assertEquals(99L, shm.segment().get(ValueLayout.JAVA_LONG, 0));
        }
    }

    @Test
    void badUseIsRefusedWithClearMessages() throws Exception {
        JvmProcess process = mp.process(() -> { });
        IllegalStateException neverStarted = assertThrows(IllegalStateException.class, process::join);
        assertTrue(neverStarted.getMessage().contains("never started"), neverStarted.getMessage());
        assertTrue(process.pid().isEmpty());
        assertTrue(process.exitCode().isEmpty());
        process.start();
        IllegalStateException twice = assertThrows(IllegalStateException.class, process::start);
        assertTrue(twice.getMessage().contains("only be started once"), twice.getMessage());
        assertThrows(IllegalStateException.class, () -> process.setDaemon(true));
        assertEquals(0, joined(process));
        process.close();

        JvmProcess sleeper = started(JvmProcessTest::sleepLong);
        IllegalStateException running = assertThrows(IllegalStateException.class, sleeper::close);
        assertTrue(running.getMessage().contains("still running"), running.getMessage());
        sleeper.kill();
        joined(sleeper);
        sleeper.close();
    }

    /** Not serialisable on purpose. */
    static final class Unsendable {
        int value = 3;
    }

    @Test
    void aTargetCapturingSomethingUnserialisableFailsAtStartNamingIt() {
        Unsendable unsendable = new Unsendable();
        JvmProcess process = mp.process(() -> System.out.println(unsendable.value));
        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class, process::start);
        assertTrue(failure.getMessage().contains(Unsendable.class.getName()), failure.getMessage());
        assertTrue(process.pid().isEmpty(), "nothing was started");
    }

    @Test
    void jvmOptionsAndSystemPropertiesReachTheChild() throws Exception {
        try (SharedMemory shm = mp.sharedMemory(64)) {
            JvmProcess child = mp.process(() -> shm.segment().set(ValueLayout.JAVA_LONG, 0,
                    Long.parseLong(System.getProperty("multiproc.test.value", "-1"))));
            child.setJvmOptions(List.of("-Dmultiproc.test.value=31337"));
            child.start();
            assertEquals(0, joined(child));
            assertEquals(31337L, shm.segment().get(ValueLayout.JAVA_LONG, 0));
        }
    }

    @LinuxOnly
    @Test
    void aChildRunsUnderItsCommandPrefixAsTheVeryProcessThisJvmWatches() throws Exception {
        mp.prestartProcesses(1);
        try (SharedMemory shm = mp.sharedMemory(64)) {
            awaitReadySpare();
            JvmProcess child = mp.process(() -> {
                shm.segment().set(ValueLayout.JAVA_LONG, 0, ProcessHandle.current().pid());
                shm.segment().set(ValueLayout.JAVA_LONG, 8, "ran".equals(System.getenv("MULTIPROC_TEST_PREFIX")) ? 1 : 2);
            });
            // env sets the variable and replaces itself with the command, as a prefix must
            child.setCommandPrefix(List.of("env", "MULTIPROC_TEST_PREFIX=ran"));
            child.start();
            assertEquals(0, joined(child));
            assertEquals(1, shm.segment().get(ValueLayout.JAVA_LONG, 8), "the target ran under the prefix, not in the waiting spare");
            assertEquals(child.pid().orElseThrow(), shm.segment().get(ValueLayout.JAVA_LONG, 0), "the JVM is the process started");
            assertEquals(1, mp.readySpareProcesses(), "the spare was left for a process without a prefix");
        } finally {
            mp.prestartProcesses(0);
        }
    }

    @LinuxOnly
    @Test
    void aChildStartedThroughAPrefixThatForksExitsBeforeItsTargetRuns() throws Exception {
        try (SharedMemory shm = mp.sharedMemory(64)) {
            JvmProcess child = mp.process(() -> shm.segment().set(ValueLayout.JAVA_LONG, 0, 1L));
            // a shell with more to do after the command forks it and waits, and passes its exit code on
            child.setCommandPrefix(List.of("sh", "-c", "\"$@\"; exit $?", "forking-prefix"));
            child.start();
            assertEquals(1, joined(child), "the child refused to run as the shell's child");
            assertEquals(0, shm.segment().get(ValueLayout.JAVA_LONG, 0), "the target did not run");
        }
    }

    @Test
    void theCommandPrefixCannotChangeOnceStarted() throws Exception {
        JvmProcess child = mp.process(() -> { });
        child.start();
        assertThrows(IllegalStateException.class, () -> child.setCommandPrefix(List.of("nice")));
        assertEquals(0, joined(child));
    }

    /** 1 for the serial collector, 2 for the parallel one, 3 for any other: what this JVM runs. */
    static long collectorHere() {
        List<String> names = java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(java.lang.management.GarbageCollectorMXBean::getName).toList();
        return names.contains("Copy") ? 1 : names.contains("PS Scavenge") ? 2 : 3;
    }

    @Test
    void aChildRunsTheSerialCollectorUnlessItsOptionsOrItsParentsChooseOne() throws Exception {
        try (SharedMemory shm = mp.sharedMemory(64)) {
            JvmProcess plain = mp.process(() -> shm.segment().set(ValueLayout.JAVA_LONG, 0, collectorHere()));
            JvmProcess parallel = mp.process(() -> shm.segment().set(ValueLayout.JAVA_LONG, 8, collectorHere()));
            parallel.setJvmOptions(List.of("-XX:+UseParallelGC"));
            plain.start();
            parallel.start();
            assertEquals(0, joined(plain));
            assertEquals(0, joined(parallel));
            long expected = ChildJvm.toldItsCollector() ? collectorHere() : 1;
            assertEquals(expected, shm.segment().get(ValueLayout.JAVA_LONG, 0), "the collector of a child without options");
            assertEquals(2, shm.segment().get(ValueLayout.JAVA_LONG, 8), "a child's own choice wins");
        }
    }

    /** Started with a collector in JAVA_TOOL_OPTIONS: starts a child naming another, prints the collector it ran. */
    public static final class CollectorProbe {
        public static void main(String[] args) throws Exception {
            try (Multiproc context = Multiproc.create(); SharedMemory shm = context.sharedMemory(64)) {
                JvmProcess child = context.process(() -> shm.segment().set(ValueLayout.JAVA_LONG, 0, collectorHere()));
                child.setJvmOptions(List.of("-XX:+UseSerialGC"));
                child.start();
                child.join(Duration.ofSeconds(60));
                System.out.println("exit " + child.exitCode().orElse(-100) + " collector " + shm.segment().get(ValueLayout.JAVA_LONG, 0));
            }
        }
    }

    @Test
    void aChildsCollectorWinsOverOneInTheParentsEnvironment() throws Exception {
        try (ChildJvm probe = ChildJvm.startWithEnvironment(java.util.Map.of("JAVA_TOOL_OPTIONS", "-XX:+UseParallelGC"), CollectorProbe.class)) {
            // the JVM's "Picked up JAVA_TOOL_OPTIONS" goes to stderr: the probe's one line is the first
            assertEquals("exit 0 collector 1", probe.readLine(), "the child started and ran the serial collector it asked for");
            assertEquals(0, probe.waitFor(60));
        }
    }

    @Test
    void aWarmSpareRunsTheTargetAndIsReplaced() throws Exception {
        mp.prestartProcesses(1);
        long deadline = awaitReadySpare();
        assertTrue(mp.activeChildren().isEmpty(), "spares are not children");
        try (SharedMemory shm = mp.sharedMemory(64)) {
            JvmProcess child = mp.process(() -> shm.segment().set(ValueLayout.JAVA_LONG, 0, JvmProcess.current().pid().orElseThrow()));
            child.start();
            assertEquals(0, joined(child));
            assertEquals(child.pid().orElseThrow(), shm.segment().get(ValueLayout.JAVA_LONG, 0));
        }
        while (mp.readySpareProcesses() < 1) {
            assertTrue(System.nanoTime() < deadline, "the spare was not replaced");
            Thread.sleep(10);
        }
    }

    /** Waits up to a minute for a spare to be ready; returns that minute's deadline. */
    private long awaitReadySpare() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (mp.readySpareProcesses() < 1) {
            assertTrue(System.nanoTime() < deadline, "the spare never became ready");
            Thread.sleep(10);
        }
        return deadline;
    }
}
