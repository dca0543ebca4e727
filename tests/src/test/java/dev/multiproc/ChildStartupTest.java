package dev.multiproc;

import dev.multiproc.codec.Codec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What a child JVM does on its way to a target that captures shared objects, read from its own
 * class-loading log: work that a fresh JVM pays for once, at every child start.
 */
@Timeout(120)
class ChildStartupTest extends ContextPerTest {

    @Test
    void aChildAttachesToTheSharedObjectsItsTargetCapturesWithoutReadingARecord() throws Exception {
        Path classes = Files.createTempFile("multiproc-classes", ".log");
        try (SharedQueue<String> queue = mp.queue(Codec.string(), 4);
             SharedMap<String, Long> map = mp.map(Codec.string(), Codec.longs(), 16)) {
            JvmProcess child = mp.process(() -> {
                map.put("read", (long) queue.size());
                queue.offer("ran");
            });
            child.setJvmOptions(List.of(Children.classLoadLog(classes)));
            child.start();
            assertTrue(child.join(Duration.ofSeconds(60)));
            assertEquals(OptionalInt.of(0), child.exitCode());
            assertEquals("ran", queue.poll());
            assertEquals(0L, map.get("read"), "the child attached to both objects it captured");

            String loaded = Files.readString(classes);
            assertTrue(loaded.contains("dev.multiproc.SharedQueue ") && loaded.contains("dev.multiproc.SharedMap "),
                    "the log lists what the child loaded");
            // a fresh JVM reads its first record through a chain of method handles it builds for the record's constructor:
            // 20-31 ms against 9-13 for a plain class in a fresh JVM here; a cold child read its target in 62-82 ms
            // with one, 26-44 without
            assertFalse(loaded.contains("java.io.ObjectStreamClass$RecordSupport "),
                    "the child read a record to attach to its shared objects");
        } finally {
            Files.deleteIfExists(classes);
        }
    }

    @Test
    void aChildOnTheClassPathFindsItsPlatformByNameNotThroughTheJarsServiceLists() throws Exception {
        Path causes = Files.createTempFile("multiproc-causes", ".log");
        try {
            JvmProcess child = mp.process(() -> { });
            child.setJvmOptions(List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:LogClassLoadingCauseFor=dev.multiproc.posix.PosixPlatform",
                    "-Xlog:class+load+cause=info:file=" + causes + "::filecount=0"));
            child.start();
            assertTrue(child.join(Duration.ofSeconds(60)));
            assertEquals(OptionalInt.of(0), child.exitCode());
            String log = Files.readString(causes);
            assertTrue(log.contains("Java stack when loading dev.multiproc.posix.PosixPlatform"), "the log gives who loaded the platform: " + log);
            // a service lookup on the class path reads the provider list of every jar on it: 17-19 ms of a cold child's
            // ~100 ms here, for the 16 MB jar of the benchmarks alone
            assertTrue(log.contains("Platforms.shippedPlatform"), "found by its name: " + log);
            assertFalse(log.contains("java.util.ServiceLoader"), "found through the jars' service lists: " + log);
        } finally {
            Files.deleteIfExists(causes);
        }
    }

    @Test
    void aPoolWorkerReachesItsFirstTaskWithoutLoadingThePoolsOwnSide() throws Exception {
        Path classes = Files.createTempFile("multiproc-classes", ".log");
        try (ProcessPool pool = mp.pool(PoolOptions.of(1).withJvmOptions(List.of(Children.classLoadLog(classes))))) {
            int doubled = pool.apply((Integer x) -> x * 2, 21);
            assertEquals(42, doubled);
            pool.shutdown();
            assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
            String loaded = Files.readString(classes);
            assertTrue(loaded.contains("dev.multiproc.internal.pool.PoolWorker "), "the log lists what the worker loaded");
            // a lambda of the dispatcher's as the worker's target made each cold worker load the dispatcher (from its jar,
            // outside the start-up cache) and spin the lambda's class: a tenth of its work before its first task here
            assertFalse(loaded.contains("dev.multiproc.internal.pool.PoolDispatcher "), "the worker loaded the pool's side");
        } finally {
            Files.deleteIfExists(classes);
        }
    }
}
