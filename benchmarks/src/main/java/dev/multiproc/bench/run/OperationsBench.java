package dev.multiproc.bench.run;

import dev.multiproc.Connection;
import dev.multiproc.ConnectionRefusedException;
import dev.multiproc.JvmProcess;
import dev.multiproc.Listener;
import dev.multiproc.MapOptions;
import dev.multiproc.Multiproc;
import dev.multiproc.ProcessPool;
import dev.multiproc.SharedDouble;
import dev.multiproc.SharedMap;
import dev.multiproc.codec.Codec;
import dev.multiproc.bench.PythonPeerRunner;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * Operations that are not message passing, next to what Python users do instead: SharedMap
 * put+get from a child JVM against {@code Manager().dict()} from a child process, and
 * ProcessPool against {@code Pool}: a map of many trivial tasks, and pool creation to the first
 * result (warm: from pre-started JVMs).
 */
public final class OperationsBench {
    /** Timed maps a pool row takes the median of: a map lasts about a millisecond, and five let one slow phase decide. */
    private static final int MAP_RUNS = 25;
    private static final Pattern NUMBER = Pattern.compile("\"(ops_per_second|first_result_seconds|map_seconds|uneven_seconds|worker_resident_kb)\": ([0-9.eE+-]+)");
    private static final Pattern RESIDENT_KB = Pattern.compile("(?m)^VmRSS:\\s+([0-9]+) kB");

    /**
     * JIT warm-up before a figure is taken, in quick runs too: the map's put and get paths, the
     * pool's task loop and dispatcher reach steady speed (C2) after about two seconds or ten maps
     * on a 2-core machine. With half a second a quick run measured cold pools (0.57x Python's
     * Pool.map, 4 % efficiency, where warm pools run at 8-11x).
     */
    private static final long WARM_UP_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final int WARM_UP_POOL_MAPS = 10;
    /**
     * A pool's warm-up then goes on until this JVM's JIT compiler has been idle this long: two
     * seconds in, on 2 cores, its C2 thread was still taking 0.44 s of CPU a second (and each
     * worker's 0.2 s), and the 2-worker map measured then ran at half its steady speed.
     */
    private static final long JIT_IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /**
     * A pool's warm-up also goes on until this JVM's heap has stopped growing: a run that takes
     * more page faults than this (fresh memory touched for the first time) counts as a
     * compilation does. On this kind of VM a page's
     * first touch costs ~10 µs, and a young JVM's collector keeps taking new memory for its first
     * seconds: decoding a map's boxed results (0.6 MB a map of 20,000) then ran up to 30x slower
     * than on memory touched before, and the 2-worker map, measured first, read 6-9 % efficiency
     * against the one-chunk map measured seconds later.
     */
    private static final long STEADY_RUN_PAGE_FAULTS = 16;
    private static final long WARM_UP_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(12);
    private static final String WARM_UP = String.format(Locale.ROOT, "after %.1f s of warm-up", WARM_UP_NANOS / 1e9);
    private static final String POOL_WARM_UP = String.format(Locale.ROOT,
            "after at least %.0f s of warm-up, then until this JVM had gone %.1f s with its JIT compiler idle and no run taking more "
                    + "than %d page faults (at most %.0f s in all)",
            WARM_UP_NANOS / 1e9, JIT_IDLE_NANOS / 1e9, STEADY_RUN_PAGE_FAULTS, WARM_UP_LIMIT_NANOS / 1e9);

    /** A figure: what, how much of what unit per second (or seconds), and how it was measured. */
    public record Figure(String name, String what, double value, String unit, String note) {
    }

    private OperationsBench() {
    }

    /** SharedMap put+get pairs per second, run in a child JVM for {@code seconds}. */
    public static Figure sharedMapOps(double seconds) throws Exception {
        try (Multiproc mp = Multiproc.create();
             SharedMap<String, byte[]> map = mp.map(Codec.string(), Codec.bytes(), MapOptions.of(20_000).withAverageKeyBytes(16)
                     .withAverageValueBytes(8));
             SharedDouble rate = mp.sharedDouble(0)) {
            long nanos = (long) (seconds * 1e9);
            JvmProcess child = mp.process(() -> {
                byte[] value = new byte[8];
                String[] keys = new String[10_000];
                for (int k = 0; k < keys.length; k++) {
                    keys[k] = String.format(Locale.ROOT, "key-%012d", k);
                }
                long warmupEnd = System.nanoTime() + WARM_UP_NANOS;
                long operations = 0;
                long start = 0;
                for (long i = 0; ; i++) {
                    if ((i & 1023) == 0) {
                        long now = System.nanoTime();
                        if (start == 0 && now >= warmupEnd) {
                            start = now;
                            operations = 0;
                        }
                        if (start != 0 && now - start >= nanos) {
                            rate.set(operations * 1e9 / (now - start));
                            return;
                        }
                    }
                    String key = keys[(int) (i % keys.length)];
                    map.put(key, value);
                    map.get(key);
                    operations += 2;
                }
            });
            child.start();
            child.join(Duration.ofSeconds(120));
            return new Figure("mp-map", "put+get from a child JVM", rate.get(), "ops/s",
                    "SharedMap<String, byte[]>, 16-byte keys, 8-byte values, 10,000 keys, lock-free get, striped put; " + WARM_UP);
        }
    }

    /**
     * Microseconds from {@code mp.connect(name)} to the answer of the first message, while a
     * listener in a child JVM waits in {@code accept()} (median of {@code connects}, after as many
     * to warm up).
     */
    public static Figure connectLatency(int connects) throws Exception {
        String name = "bench-connect-" + java.util.UUID.randomUUID();
        try (Multiproc mp = Multiproc.create()) {
            JvmProcess server = mp.process(() -> {
                try (Listener<byte[]> listener = Multiproc.context().listen(name, Codec.bytes())) {
                    while (true) {
                        try (Connection<byte[]> connection = listener.accept()) {
                            byte[] request = connection.recv();
                            connection.send(request);
                            if (request.length == 0) {
                                return;
                            }
                        } catch (java.io.EOFException leftWithoutAsking) {
                            // the first client only checks that someone listens
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            server.setDaemon(true);
            server.start();
            long[] micros = new long[connects];
            byte[] message = new byte[64];
            awaitListener(mp, name);
            for (int run = -connects; run < connects; run++) {
                Thread.sleep(2);
                long start = System.nanoTime();
                Connection<byte[]> connection = mp.connect(name, Codec.bytes(), Duration.ofSeconds(30));
                connection.send(message);
                connection.recv();
                long elapsed = System.nanoTime() - start;
                connection.close();
                if (run >= 0) {
                    micros[run] = TimeUnit.NANOSECONDS.toMicros(elapsed);
                }
            }
            try (Connection<byte[]> last = mp.connect(name, Codec.bytes(), Duration.ofSeconds(30))) {
                last.send(new byte[0]);
                last.recv();
            }
            server.join(Duration.ofSeconds(30));
            Arrays.sort(micros);
            return new Figure("mp-connect", "connect + first round trip", micros[connects / 2], "µs",
                    "mp.connect(name) to a listener in a child JVM waiting in accept(), one 64-byte round trip; median of " + connects
                            + " (p90 " + micros[connects * 9 / 10] + " µs) after " + connects + " to warm up");
        } finally {
            Multiproc.context().unlink(name);
        }
    }

    /** Waits (at most a minute) until a child JVM listens on {@code name}. */
    private static void awaitListener(Multiproc mp, String name) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (true) {
            try {
                mp.connect(name, Codec.bytes(), Duration.ofSeconds(30)).close();
                return;
            } catch (ConnectionRefusedException notListeningYet) {
                if (System.nanoTime() - deadline > 0) {
                    throw notListeningYet;
                }
                Thread.sleep(5);
            }
        }
    }

    /** {@code Manager().dict()} put+get per second from a child process. */
    public static Figure pythonDictOps(double seconds) throws Exception {
        List<String> lines = PythonPeerRunner.run("ops_bench.py", 120, "dict", String.format(Locale.ROOT, "%.3f", seconds));
        return new Figure("python-manager-dict", "put+get from a child process", number(lines, "ops_per_second"), "ops/s",
                PythonPeerRunner.version() + " Manager().dict(), spawn start method (peer)");
    }

    /**
     * ProcessPool: creation (from pre-started JVMs) to first result; a map of {@code tasks}
     * trivial tasks on {@code workers} workers; the same map on one worker in one chunk (the
     * per-item cost, and what {@code workers} cores could do if splitting cost nothing: the
     * efficiency row); 4 workers; imap and imapUnordered; 1,000 tasks of 1 ms of CPU; a cold
     * pool's first result next to a bare JVM's start.
     */
    public static List<Figure> pool(int workers, int tasks) throws Exception {
        List<Figure> figures = new ArrayList<>();
        List<Integer> items = IntStream.range(0, tasks).boxed().toList();
        String warm = POOL_WARM_UP + ", at least " + WARM_UP_POOL_MAPS + " maps";
        double mapRate;
        try (Multiproc mp = Multiproc.create()) {
            mp.prestartProcesses(workers);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (mp.readySpareProcesses() < workers && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            long start = System.nanoTime();
            try (ProcessPool pool = mp.pool(workers)) {
                pool.apply(x -> x + 1, 1);
                double first = (System.nanoTime() - start) / 1e9;
                figures.add(new Figure("mp-pool", "creation to first result (" + workers + " warm workers)", first, "s",
                        "mp.prestartProcesses(" + workers + ") beforehand, then mp.pool(" + workers + ").apply(x -> x + 1)"));
                Timed map = medianSeconds(() -> pool.map(x -> x + 1, items), tasks);
                mapRate = tasks / map.seconds();
                figures.add(new Figure("mp-pool", "map of " + tasks + " trivial tasks, " + workers + " workers", mapRate, "tasks/s",
                        "pool.map(x -> x + 1, items), default chunk size (as Python's), median of " + MAP_RUNS + " runs, " + warm
                                + map.unsteadyNote()));
                Timed imap = medianSeconds(() -> drain(pool.imap(x -> x + 1, items, 1000)), tasks);
                figures.add(new Figure("mp-pool", "imap, chunks of 1000, " + workers + " workers", tasks / imap.seconds(), "tasks/s",
                        "every result taken from the iterator, in order; " + warm + imap.unsteadyNote()));
                Timed unordered = medianSeconds(() -> drain(pool.imapUnordered(x -> x + 1, items, 1000)), tasks);
                figures.add(new Figure("mp-pool", "imapUnordered, chunks of 1000, " + workers + " workers", tasks / unordered.seconds(),
                        "tasks/s", "every result taken from the iterator, as done; " + warm + unordered.unsteadyNote()));
                List<Integer> millisecondTasks = IntStream.range(0, CPU_TASKS).boxed().toList();
                double cpuSeconds = medianOfTimedRuns(() -> pool.map(OperationsBench::spinOneMillisecond, millisecondTasks, 1));
                figures.add(new Figure("mp-pool", "efficiency, " + CPU_TASKS + " tasks of 1 ms of CPU, " + workers + " workers",
                        100 * CPU_TASKS * 1e-3 / (workers * cpuSeconds), "%",
                        "their CPU time over " + workers + " x the wall time of pool.map(spin 1 ms, items, chunk 1), median of "
                                + EFFICIENCY_RUNS + " after one"));
                List<Integer> unevenItems = IntStream.range(0, UNEVEN_CHUNKS * UNEVEN_CHUNK_ITEMS).boxed().toList();
                double unevenSeconds = medianOfTimedRuns(() -> pool.map(OperationsBench::spinInEvenChunks, unevenItems, UNEVEN_CHUNK_ITEMS));
                figures.add(new Figure("mp-pool", "efficiency, uneven chunks, " + workers + " workers",
                        100 * UNEVEN_CPU_SECONDS / (workers * unevenSeconds), "%", UNEVEN_DESCRIPTION));
                workersResidentMegabytes(pool).ifPresent(megabytes -> figures.add(new Figure("mp-pool",
                        "worker resident memory after the maps, " + workers + " workers", megabytes, "MB",
                        "VmRSS of each worker (/proc), their mean, after every map above; workers run the serial collector by default")));
            }
            try (ProcessPool one = mp.pool(1)) {
                Timed oneChunk = medianSeconds(() -> one.map(x -> x + 1, items, tasks), tasks);
                double oneChunkRate = tasks / oneChunk.seconds();
                figures.add(new Figure("mp-pool", "map of " + tasks + " in one chunk, 1 worker", oneChunkRate, "tasks/s",
                        String.format(Locale.ROOT, "%.1f ns an item: encode, move, run x + 1, move back, decode; ", 1e9 / oneChunkRate) + warm
                                + oneChunk.unsteadyNote()));
                figures.add(new Figure("mp-pool", "efficiency, map of " + tasks + ", " + workers + " workers",
                        100 * mapRate / (workers * oneChunkRate), "%",
                        "the " + workers + "-worker map's rate over " + workers + " x the one-worker one-chunk rate (same run)"));
            }
            try (ProcessPool four = mp.pool(4)) {
                Timed fourWorkers = medianSeconds(() -> four.map(x -> x + 1, items), tasks);
                figures.add(new Figure("mp-pool", "map of " + tasks + " trivial tasks, 4 workers on " + Multiproc.cpuCount() + " cores",
                        tasks / fourWorkers.seconds(), "tasks/s", "default chunk size; " + warm + fourWorkers.unsteadyNote()));
            }
        }
        double[] coldSeconds = new double[COLD_STARTS];
        double[] bareSeconds = new double[COLD_STARTS];
        for (int i = 0; i < COLD_STARTS; i++) {
            try (Multiproc cold = Multiproc.create()) {
                long start = System.nanoTime();
                try (ProcessPool pool = cold.pool(1)) {
                    pool.apply(x -> x + 1, 1);
                    coldSeconds[i] = (System.nanoTime() - start) / 1e9;
                }
            }
            bareSeconds[i] = BareJvm.startNanos() / 1e9;
        }
        Arrays.sort(coldSeconds);
        Arrays.sort(bareSeconds);
        figures.add(new Figure("mp-pool", "cold creation to first result (1 worker, no spare)", coldSeconds[COLD_STARTS / 2], "s",
                "median of " + COLD_STARTS + ", each a new context and JVM, alternating with the bare JVM below"));
        figures.add(new Figure("bare-jvm", "cold creation to first result (a JVM reaching main)", bareSeconds[COLD_STARTS / 2], "s",
                "median of " + COLD_STARTS + ": java -cp <this jar>, a main that prints the time (peer)"));
        return figures;
    }

    /** The mean resident memory of the pool's workers, where {@code /proc} tells it. */
    private static OptionalDouble workersResidentMegabytes(ProcessPool pool) {
        List<Double> megabytes = new ArrayList<>();
        for (JvmProcess worker : pool.workers()) {
            try {
                String status = Files.readString(Path.of("/proc", Long.toString(worker.pid().orElseThrow()), "status"));
                Matcher resident = RESIDENT_KB.matcher(status);
                if (resident.find()) {
                    megabytes.add(Long.parseLong(resident.group(1)) / 1024.0);
                }
            } catch (IOException | NoSuchElementException notHere) {
                return OptionalDouble.empty();
            }
        }
        return megabytes.stream().mapToDouble(Double::doubleValue).average();
    }

    private static final int CPU_TASKS = 1_000;
    /** A map whose chunks alternate between 1 ms an item and nothing (as ops_bench.py's): 8 chunks of 40, 160 ms of CPU. */
    private static final int UNEVEN_CHUNKS = 8;
    private static final int UNEVEN_CHUNK_ITEMS = 40;
    private static final double UNEVEN_CPU_SECONDS = UNEVEN_CHUNKS / 2 * UNEVEN_CHUNK_ITEMS * 1e-3;
    /** Timed runs of a CPU-bound map an efficiency row takes the median of (after one untimed): one alone read 85-95 % here. */
    private static final int EFFICIENCY_RUNS = 3;
    private static final String UNEVEN_DESCRIPTION = "map of " + UNEVEN_CHUNKS + " chunks of " + UNEVEN_CHUNK_ITEMS
            + " items, those of even chunks 1 ms of CPU each, the others none: the CPU time over workers x the wall time, median of "
            + EFFICIENCY_RUNS + " after one";
    /**
     * Cold starts a cold-start row takes the median of: five read 0.100-0.132 s a round here for
     * the same build, too loose to show a change of 8 ms; fifteen cost ~1.5 s more a round.
     */
    private static final int COLD_STARTS = 15;

    /** 1 ms of CPU (a busy loop) for the items of even chunks of {@value #UNEVEN_CHUNK_ITEMS}, nothing for the others. */
    private static int spinInEvenChunks(int item) {
        return item / UNEVEN_CHUNK_ITEMS % 2 == 0 ? spinOneMillisecond(item) : item;
    }

    /** A task of 1 ms of CPU (a busy loop). */
    private static int spinOneMillisecond(int item) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
        long spins = 0;
        while (System.nanoTime() < end) {
            spins++;
        }
        return (int) (item + (spins & 1));
    }

    private static int drain(Iterator<?> results) {
        int count = 0;
        while (results.hasNext()) {
            results.next();
            count++;
        }
        return count;
    }

    /** A run of something measured, returning how many results it produced. */
    @FunctionalInterface
    private interface Run {
        Object run() throws Exception;
    }

    /** A median of timed runs, and whether the warm-up ended steady (not at its limit). */
    private record Timed(double seconds, boolean steady) {
        /** What a row's note adds when the warm-up reached its limit first. */
        String unsteadyNote() {
            return steady ? "" : " (the limit came first: JIT or heap not yet steady)";
        }
    }

    /**
     * The median of {@value #MAP_RUNS} timed runs, after warming up until this JVM is steady (see
     * {@link #JIT_IDLE_NANOS} and {@link #STEADY_RUN_PAGE_FAULTS}); each run must produce
     * {@code expected} results.
     */
    private static Timed medianSeconds(Run run, int expected) throws Exception {
        long warmUpStart = System.nanoTime();
        for (int round = 0; round < WARM_UP_POOL_MAPS || System.nanoTime() - warmUpStart < WARM_UP_NANOS; round++) {
            run.run();
        }
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean timesCompilation = jit != null && jit.isCompilationTimeMonitoringSupported();
        long compiled = timesCompilation ? jit.getTotalCompilationTime() : 0;
        long faults = minorPageFaults();
        long steadySince = System.nanoTime();
        while (System.nanoTime() - steadySince < JIT_IDLE_NANOS) {
            if (System.nanoTime() - warmUpStart >= WARM_UP_LIMIT_NANOS) {
                return new Timed(timedMedian(run, expected), false);
            }
            run.run();
            long compiledNow = timesCompilation ? jit.getTotalCompilationTime() : 0;
            long faultsNow = minorPageFaults();
            if (compiledNow != compiled || faultsNow - faults > STEADY_RUN_PAGE_FAULTS) {
                steadySince = System.nanoTime();
            }
            compiled = compiledNow;
            faults = faultsNow;
        }
        return new Timed(timedMedian(run, expected), true);
    }

    /** The median wall time of {@value #EFFICIENCY_RUNS} runs, after one untimed. */
    private static double medianOfTimedRuns(Run run) throws Exception {
        run.run();
        double[] seconds = new double[EFFICIENCY_RUNS];
        for (int i = 0; i < EFFICIENCY_RUNS; i++) {
            long start = System.nanoTime();
            run.run();
            seconds[i] = (System.nanoTime() - start) / 1e9;
        }
        Arrays.sort(seconds);
        return seconds[EFFICIENCY_RUNS / 2];
    }

    private static double timedMedian(Run run, int expected) throws Exception {
        double[] runs = new double[MAP_RUNS];
        for (int i = 0; i < MAP_RUNS; i++) {
            long start = System.nanoTime();
            Object produced = run.run();
            runs[i] = (System.nanoTime() - start) / 1e9;
            int count = produced instanceof List<?> list ? list.size() : (Integer) produced;
            if (count != expected) {
                throw new IllegalStateException("a pool run produced " + count + " results, not " + expected);
            }
        }
        Arrays.sort(runs);
        return runs[MAP_RUNS / 2];
    }

    /** This process's minor page faults so far ({@code /proc/self/stat}), or 0 where that is not there to read. */
    private static long minorPageFaults() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // the fields after the command's closing parenthesis, from the state (the third) on: minflt is the tenth
            return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[7]);
        } catch (IOException | RuntimeException notLinux) {
            return 0;
        }
    }

    /** Python's Pool: creation to first result, and the same map. */
    public static List<Figure> pythonPool(int workers, int tasks) throws Exception {
        List<String> lines = PythonPeerRunner.run("ops_bench.py", 300, "pool", Integer.toString(workers), Integer.toString(tasks),
                Integer.toString(UNEVEN_CHUNKS), Integer.toString(UNEVEN_CHUNK_ITEMS), Integer.toString(EFFICIENCY_RUNS));
        String version = PythonPeerRunner.version();
        List<Figure> figures = new ArrayList<>(List.of(
                new Figure("python-pool", "creation to first result (" + workers + " workers)", number(lines, "first_result_seconds"), "s",
                        version + " Pool(" + workers + ").apply, spawn start method (peer)"),
                new Figure("python-pool", "map of " + tasks + " trivial tasks, " + workers + " workers", tasks / number(lines, "map_seconds"),
                        "tasks/s", version + " Pool.map(increment, range(n)), default chunk size (peer)"),
                new Figure("python-pool", "efficiency, uneven chunks, " + workers + " workers",
                        100 * UNEVEN_CPU_SECONDS / (workers * number(lines, "uneven_seconds")), "%", version + " Pool.map, " + UNEVEN_DESCRIPTION
                                + " (peer)")));
        double residentKb = number(lines, "worker_resident_kb");
        if (residentKb > 0) {
            figures.add(new Figure("python-pool", "worker resident memory after the maps, " + workers + " workers", residentKb / 1024, "MB",
                    version + " VmRSS of each worker after the map, their mean (peer)"));
        }
        return figures;
    }

    private static double number(List<String> lines, String field) {
        for (String line : lines) {
            Matcher matcher = NUMBER.matcher(line);
            while (matcher.find()) {
                if (matcher.group(1).equals(field)) {
                    return Double.parseDouble(matcher.group(2));
                }
            }
        }
        throw new IllegalStateException("python printed no " + field + ": " + lines);
    }
}
