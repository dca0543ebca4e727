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
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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

    @Test
    void theStartupCacheHoldsNoMethodProfilesForAChildToCompileAtItsStart() throws Exception {
        assumeTrue(Runtime.version().feature() >= 25, "the start-up cache is an AOT cache from JDK 25 on");
        // a child's JVM prints the training data its cache holds; the child is started by a JVM of this test's whose standard
        // output comes back here, on a class path of jars alone (children get a cache only then): this JVM's jars and the
        // printer in a jar of its own
        assumeTrue(Multiproc.class.getProtectionDomain().getCodeSource().getLocation().getPath().endsWith(".jar"),
                "multiproc's classes are not in a jar here (they are through mvn verify): children would get no start-up cache");
        List<String> entries = List.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator));
        Path printerJar = Files.createTempFile("multiproc-cache-printer", ".jar");
        String printerClass = CacheTrainingDataPrinter.class.getName().replace('.', '/') + ".class";
        try (var jar = new java.util.jar.JarOutputStream(Files.newOutputStream(printerJar));
             var bytes = CacheTrainingDataPrinter.class.getResourceAsStream("/" + printerClass)) {
            jar.putNextEntry(new java.util.jar.JarEntry(printerClass));
            bytes.transferTo(jar);
            jar.closeEntry();
        }
        List<String> classPath = new java.util.ArrayList<>(entries.stream().filter(entry -> entry.endsWith(".jar")).toList());
        classPath.add(printerJar.toString());
        try (ChildJvm starter = ChildJvm.start(List.of("--enable-native-access=ALL-UNNAMED", "-cp",
                String.join(java.io.File.pathSeparator, classPath)), CacheTrainingDataPrinter.class)) {
            List<String> lines = new java.util.ArrayList<>();
            for (String line = starter.readLine(); !line.equals(CacheTrainingDataPrinter.DONE); line = starter.readLine()) {
                lines.add(line);
            }
            assertEquals(0, starter.waitFor(60));
            int dictionary = lines.indexOf("Archived TrainingData Dictionary");
            assertTrue(dictionary >= 0, "the child ran with the cache and printed its training data: " + lines);
            // replayed profiles had a cold child's JIT compile at once, on the cores its main thread needed: a cold pool's first
            // result 0-15 ms later with them, a cold child's target 5-24 ms later, on 2 cores
            List<String> profiled = lines.subList(dictionary + 1, lines.size()).stream().filter(line -> line.matches("\\s*\\d+: 0x.*")).toList();
            assertEquals(List.of(), profiled.subList(0, Math.min(3, profiled.size())), profiled.size() + " methods' training data in the cache");
        } finally {
            Files.deleteIfExists(printerJar);
        }
    }

    /** Starts a child that prints its start-up cache's training data on this JVM's standard output, then prints {@link #DONE}. */
    static final class CacheTrainingDataPrinter {
        static final String DONE = "printed";

        public static void main(String[] args) throws Exception {
            try (Multiproc mp = Multiproc.create()) {
                // the first child of a class path starts the cache's training (or finds the cache made)
                run(mp.process(() -> { }));
                if (!Multiproc.awaitChildStartupCache(Duration.ofSeconds(90))) {
                    throw new AssertionError("no start-up cache within 90 s");
                }
                JvmProcess printer = mp.process(() -> { });
                printer.setJvmOptions(List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:+AOTPrintTrainingInfo"));
                run(printer);
            }
            System.out.println(DONE);
        }

        private static void run(JvmProcess child) throws InterruptedException {
            child.start();
            if (!child.join(Duration.ofSeconds(60)) || child.exitCode().orElse(-1) != 0) {
                throw new AssertionError("the child did not end well: " + child.exitCode());
            }
        }
    }
}
