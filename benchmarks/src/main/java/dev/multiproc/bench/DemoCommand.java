package dev.multiproc.bench;

import dev.multiproc.JvmProcess;
import dev.multiproc.Multiproc;
import dev.multiproc.SharedMemory;
import dev.multiproc.bench.run.SharedWords;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Moves data from a child JVM to this one through shared memory: the child writes longs into
 * a shared block and publishes how many it has written (a release store); this JVM reads them
 * as they arrive (acquire loads), checks every value and reports the rate.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Stream numbers from a child JVM to this one through shared memory and check them.")
final class DemoCommand implements Callable<Integer> {
    private static final long COUNT_OFFSET = 0;
    private static final long DATA_OFFSET = 64;

    @Option(names = "--count", defaultValue = "10000000", description = "How many longs the child writes (default ${DEFAULT-VALUE}).")
    long count;

    @Override
    public Integer call() throws Exception {
        try (Multiproc mp = Multiproc.create();
             SharedMemory shm = mp.sharedMemory(DATA_OFFSET + count * Long.BYTES)) {
            long total = count;
            JvmProcess writer = mp.process(() -> write(shm.segment(), total));
            long start = System.nanoTime();
            writer.start();
            MemorySegment segment = shm.segment();
            long read = 0;
            long firstArrival = 0;
            long sum = 0;
            while (read < total) {
                long published = (long) SharedWords.LONG.getAcquire(segment, COUNT_OFFSET);
                if (published == read) {
                    Thread.onSpinWait();
                    continue;
                }
                if (firstArrival == 0) {
                    firstArrival = System.nanoTime();
                }
                for (; read < published; read++) {
                    long value = segment.get(ValueLayout.JAVA_LONG, DATA_OFFSET + read * Long.BYTES);
                    if (value != read * 31) {
                        System.err.println("value " + read + " is " + value + ", expected " + read * 31);
                        return 1;
                    }
                    sum += value;
                }
            }
            long end = System.nanoTime();
            writer.join();
            double seconds = (end - firstArrival) / 1e9;
            System.out.printf(Locale.ROOT, "child JVM pid %d (%s) started and first value arrived after %d ms%n",
                    writer.pid().orElseThrow(), writer.name(), TimeUnit.NANOSECONDS.toMillis(firstArrival - start));
            System.out.printf(Locale.ROOT, "it wrote %,d longs (%.1f MiB) into %s; this JVM read each as it was published%n",
                    total, total * 8 / (1024.0 * 1024), shm.name());
            System.out.printf(Locale.ROOT, "all values checked, sum %,d; %.1f M longs/s (%.0f MiB/s); child exit code %d%n",
                    sum, total / seconds / 1e6, total * 8 / seconds / (1024 * 1024), writer.exitCode().orElseThrow());
            return writer.exitCode().orElseThrow() == 0 ? 0 : 1;
        }
    }

    /** In the child: write values in batches, publishing the count after each. */
    private static void write(MemorySegment segment, long total) {
        final int batch = 4096;
        for (long written = 0; written < total; ) {
            long end = Math.min(total, written + batch);
            for (long i = written; i < end; i++) {
                segment.set(ValueLayout.JAVA_LONG, DATA_OFFSET + i * Long.BYTES, i * 31);
            }
            written = end;
            SharedWords.LONG.setRelease(segment, COUNT_OFFSET, written);
        }
    }
}
