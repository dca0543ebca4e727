package dev.multiproc;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Helpers for tests that run targets in child JVMs. */
final class Children {
    /** One process more than the participant tables held before they grew past 64 slots. */
    static final int BEYOND_THE_OLD_TABLE = 65;

    private Children() {
    }

    /** Starts one child per target. */
    static List<JvmProcess> start(Multiproc mp, SerializableRunnable... targets) {
        List<JvmProcess> started = new ArrayList<>();
        for (SerializableRunnable target : targets) {
            JvmProcess process = mp.process(target);
            process.start();
            started.add(process);
        }
        return started;
    }

    /** Joins every child (bounded) and checks each exit code. */
    static void joinAll(List<JvmProcess> processes, int expectedExitCode) throws InterruptedException {
        for (JvmProcess process : processes) {
            assertTrue(process.join(Duration.ofSeconds(90)), "child did not end in time: " + process);
            assertEquals(expectedExitCode, process.exitCode().orElseThrow(), "exit code of " + process);
        }
    }

    /**
     * Starts {@code count} children, {@code batch} at a time, child {@code i} running
     * {@code target.apply(i)} (which adds one to {@code ready} once it is where the test wants it,
     * then waits); waits (bounded) until each batch is ready before the next, and returns them
     * all, alive. The caller kills them ({@link #killAndJoin}).
     */
    static List<JvmProcess> startAllReady(Multiproc mp, int count, int batch, IntFunction<SerializableRunnable> target, SharedLong ready)
            throws InterruptedException {
        List<JvmProcess> children = new ArrayList<>();
        boolean allReady = false;
        try {
            for (int from = 0; from < count; from += batch) {
                children.addAll(startReady(mp, from, Math.min(count, from + batch), target, ready));
            }
            allReady = true;
            return children;
        } finally {
            if (!allReady) {
                killAndJoin(children);
            }
        }
    }

    /** Kills {@code children} and waits (bounded) for each to end. */
    static void killAndJoin(List<JvmProcess> children) throws InterruptedException {
        for (JvmProcess child : children) {
            child.kill();
        }
        for (JvmProcess child : children) {
            assertTrue(child.join(Duration.ofSeconds(10)), "killed child ended: " + child);
        }
    }

    /**
     * Starts children {@code from} to {@code until} (exclusive), child {@code i} running
     * {@code target.apply(i)}, and waits (bounded) until {@code ready} counts {@code until}; kills
     * them if they do not get there. The caller kills them after.
     */
    private static List<JvmProcess> startReady(Multiproc mp, int from, int until, IntFunction<SerializableRunnable> target, SharedLong ready)
            throws InterruptedException {
        List<JvmProcess> children = new ArrayList<>();
        boolean allReady = false;
        try {
            for (int child = from; child < until; child++) {
                children.addAll(start(mp, target.apply(child)));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (ready.get() < until) {
                assertTrue(System.nanoTime() < deadline, "children " + from + " to " + until + " got ready (" + ready.get() + ")");
                Thread.sleep(5);
            }
            allReady = true;
            return children;
        } finally {
            if (!allReady) {
                for (JvmProcess child : children) {
                    child.kill();
                }
            }
        }
    }

    /** Kills whatever is still running (for @AfterEach). */
    static void killAll(Multiproc mp) throws InterruptedException {
        for (JvmProcess child : mp.activeChildren()) {
            child.kill();
            child.join(Duration.ofSeconds(10));
        }
    }

    static long get(SharedMemory shm, long offset) {
        return shm.segment().get(ValueLayout.JAVA_LONG, offset);
    }

    static void set(SharedMemory shm, long offset, long value) {
        shm.segment().set(ValueLayout.JAVA_LONG, offset, value);
    }

    static long getVolatile(SharedMemory shm, long offset) {
        return (long) dev.multiproc.internal.shm.Words.LONG.getVolatile(shm.segment(), offset);
    }

    static long addVolatile(SharedMemory shm, long offset, long delta) {
        return (long) dev.multiproc.internal.shm.Words.LONG.getAndAdd(shm.segment(), offset, delta) + delta;
    }

    /** Waits until the long at {@code offset} reaches {@code value}, failing after 60 s. */
    static void awaitValue(SharedMemory shm, long offset, long value) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (getVolatile(shm, offset) < value) {
            assertTrue(System.nanoTime() < deadline, "value at " + offset + " never reached " + value + " (is " + getVolatile(shm, offset) + ")");
            Thread.sleep(2);
        }
    }

    /** Waits (bounded) until {@code count} threads of any process sleep on {@code event}: they are in the wait, not before it. */
    static void awaitWaiting(SharedEvent event, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (event.waiting() < count) {
            assertTrue(System.nanoTime() < deadline, event.waiting() + " of " + count + " waiters asleep on the event after 60 s");
            Thread.sleep(2);
        }
    }

    /** Raises the long at {@code offset} to at least {@code value}. */
    static void max(MemorySegment segment, long offset, long value) {
        while (true) {
            long current = (long) dev.multiproc.internal.shm.Words.LONG.getVolatile(segment, offset);
            if (current >= value || dev.multiproc.internal.shm.Words.LONG.compareAndSet(segment, offset, current, value)) {
                return;
            }
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A child's JVM option logging the classes it loads into {@code file}. Without rotation: the
     * JVM would otherwise move a file already there (the test's empty temporary one) to
     * {@code file.0} and leave it behind.
     */
    static String classLoadLog(Path file) {
        return "-Xlog:class+load=info:file=" + file + "::filecount=0";
    }
}
