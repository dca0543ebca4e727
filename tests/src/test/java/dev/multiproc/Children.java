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
     * then waits); waits (bounded) until a batch is ready, kills it, and starts the next.
     */
    static void startReadyAndKill(Multiproc mp, int count, int batch, IntFunction<SerializableRunnable> target, SharedLong ready)
            throws InterruptedException {
        for (int from = 0; from < count; from += batch) {
            int until = Math.min(count, from + batch);
            List<JvmProcess> children = new ArrayList<>();
            try {
                for (int child = from; child < until; child++) {
                    children.addAll(start(mp, target.apply(child)));
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (ready.get() < until) {
                    assertTrue(System.nanoTime() < deadline, "children " + from + " to " + until + " got ready (" + ready.get() + ")");
                    Thread.sleep(5);
                }
            } finally {
                for (JvmProcess child : children) {
                    child.kill();
                }
            }
            for (JvmProcess child : children) {
                assertTrue(child.join(Duration.ofSeconds(10)), "killed child ended: " + child);
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
