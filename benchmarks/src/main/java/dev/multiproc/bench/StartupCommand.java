package dev.multiproc.bench;

import dev.multiproc.bench.run.BareJvm;

import dev.multiproc.JvmProcess;
import dev.multiproc.Multiproc;
import dev.multiproc.SharedMemory;
import dev.multiproc.bench.run.SharedWords;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Measures {@code start()} until the target runs, median of N: cold (a new JVM per start), warm
 * (a pre-started spare JVM takes the target), next to a bare JVM that only reaches its main and
 * to Python's multiprocessing start methods, all in one run.
 */
@Command(name = "startup", mixinStandardHelpOptions = true,
        description = "Measure child start-up: cold, warm (pre-started spare), a bare JVM, and Python's start methods.")
final class StartupCommand implements Callable<Integer> {
    @Option(names = "--count", defaultValue = "20", description = "Starts per variant; the median is reported (default ${DEFAULT-VALUE}).")
    int count;

    @Override
    public Integer call() throws Exception {
        Table table = new Table("VARIANT", "MEDIAN", "MIN", "MAX", "WHAT");
        try (Multiproc mp = Multiproc.create()) {
            Multiproc.awaitChildStartupCache(Duration.ofSeconds(120));
            timeStart(mp);
            long[] bare = measure(count, BareJvm::startNanos);
            long[] cold = measure(count, () -> timeStart(mp));
            mp.prestartProcesses(1);
            long[] warm = measure(count, () -> {
                awaitSpare(mp);
                return timeStart(mp);
            });
            add(table, "bare JVM", bare, "java -cp <same jar> main that only prints (the floor for a cold start)");
            add(table, "multiproc cold", cold, "JvmProcess.start() until the target runs, new JVM each time");
            add(table, "multiproc warm", warm, "the same with prestartProcesses(1): a booted spare JVM takes the target");
        }
        if (PythonPeerRunner.python().isPresent()) {
            for (String method : List.of("spawn", "forkserver", "fork")) {
                long median = Long.parseLong(PythonPeerRunner.run("startup.py", 300, method, Integer.toString(count)).getFirst().trim());
                table.row("python " + method, millis(median), "", "", "multiprocessing Process.start() until the target runs");
            }
        } else {
            table.row("python", "skipped", "", "", "python3 is not on the PATH");
        }
        System.out.printf(Locale.ROOT, "child start-up, %d starts per variant, %d cores%n", count, Runtime.getRuntime().availableProcessors());
        System.out.print(table);
        return 0;
    }

    @FunctionalInterface
    interface Sample {
        long nanos() throws Exception;
    }

    private static long[] measure(int count, Sample sample) throws Exception {
        long[] samples = new long[count];
        for (int i = 0; i < count; i++) {
            samples[i] = sample.nanos();
        }
        Arrays.sort(samples);
        return samples;
    }

    private static void add(Table table, String variant, long[] sorted, String what) {
        table.row(variant, millis(sorted[sorted.length / 2]), millis(sorted[0]), millis(sorted[sorted.length - 1]), what);
    }

    static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }

    /** Start → the target's first statement, measured on the shared monotonic clock. */
    static long timeStart(Multiproc mp) throws Exception {
        try (SharedMemory shm = mp.sharedMemory(64)) {
            MemorySegment segment = shm.segment();
            JvmProcess child = mp.process(() -> SharedWords.LONG.setRelease(shm.segment(), 0L, System.nanoTime()));
            long start = System.nanoTime();
            child.start();
            long arrived;
            while ((arrived = (long) SharedWords.LONG.getAcquire(segment, 0L)) == 0) {
                if (!child.isAlive() && (long) SharedWords.LONG.getAcquire(segment, 0L) == 0) {
                    throw new IllegalStateException("child ended with " + child.exitCode() + " before its target ran");
                }
                Thread.sleep(0, 100_000);
            }
            child.join();
            return arrived - start;
        }
    }

    private static void awaitSpare(Multiproc mp) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (mp.readySpareProcesses() < 1) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no spare JVM became ready within 60 s");
            }
            Thread.sleep(5);
        }
    }
}
