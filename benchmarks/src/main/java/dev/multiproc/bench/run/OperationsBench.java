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

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
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
    private static final int MAP_RUNS = 5;
    private static final Pattern NUMBER = Pattern.compile("\"(ops_per_second|first_result_seconds|map_seconds)\": ([0-9.eE+-]+)");

    /**
     * How long JIT warm-up runs before a figure is taken: the map's put and get paths, the pool's
     * task loop and dispatcher reach steady speed (C2) after about two seconds or ten maps on a
     * 2-core machine; a quick run warms up less and says so.
     */
    public record WarmUp(long nanos, int poolMaps) {
        public static final WarmUp FULL = new WarmUp(TimeUnit.SECONDS.toNanos(2), 10);
        public static final WarmUp QUICK = new WarmUp(TimeUnit.MILLISECONDS.toNanos(500), 10);

        String describe() {
            return String.format(Locale.ROOT, "after %.1f s of warm-up", nanos / 1e9);
        }
    }

    /** A figure: what, how much of what unit per second (or seconds), and how it was measured. */
    public record Figure(String name, String what, double value, String unit, String note) {
    }

    private OperationsBench() {
    }

    /** SharedMap put+get pairs per second, run in a child JVM for {@code seconds}. */
    public static Figure sharedMapOps(double seconds, WarmUp warmUp) throws Exception {
        try (Multiproc mp = Multiproc.create();
             SharedMap<String, byte[]> map = mp.map(Codec.string(), Codec.bytes(), MapOptions.of(20_000).withAverageKeyBytes(16)
                     .withAverageValueBytes(8));
             SharedDouble rate = mp.sharedDouble(0)) {
            long nanos = (long) (seconds * 1e9);
            long warmUpNanos = warmUp.nanos();
            JvmProcess child = mp.process(() -> {
                byte[] value = new byte[8];
                String[] keys = new String[10_000];
                for (int k = 0; k < keys.length; k++) {
                    keys[k] = String.format(Locale.ROOT, "key-%012d", k);
                }
                long warmupEnd = System.nanoTime() + warmUpNanos;
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
                    "SharedMap<String, byte[]>, 16-byte keys, 8-byte values, 10,000 keys, lock-free get, striped put; " + warmUp.describe());
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

    /** ProcessPool: creation (from pre-started JVMs) to first result, and a map of {@code tasks} trivial tasks. */
    public static List<Figure> pool(int workers, int tasks, WarmUp warmUp) throws Exception {
        List<Figure> figures = new ArrayList<>();
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
                List<Integer> items = IntStream.range(0, tasks).boxed().toList();
                long warmupEnd = System.nanoTime() + warmUp.nanos();
                for (int run = 0; run < warmUp.poolMaps() || System.nanoTime() < warmupEnd; run++) {
                    pool.map(x -> x + 1, items);
                }
                double[] runs = new double[MAP_RUNS];
                for (int run = 0; run < MAP_RUNS; run++) {
                    long runStart = System.nanoTime();
                    List<Integer> results = pool.map(x -> x + 1, items);
                    runs[run] = (System.nanoTime() - runStart) / 1e9;
                    if (results.getLast() != tasks) {
                        throw new IllegalStateException("pool map returned a wrong result");
                    }
                }
                Arrays.sort(runs);
                double mapSeconds = runs[MAP_RUNS / 2];
                figures.add(new Figure("mp-pool", "creation to first result (" + workers + " warm workers)", first, "s",
                        "mp.prestartProcesses(" + workers + ") beforehand, then mp.pool(" + workers + ").apply(x -> x + 1)"));
                figures.add(new Figure("mp-pool", "map of " + tasks + " trivial tasks, " + workers + " workers", tasks / mapSeconds,
                        "tasks/s", "pool.map(x -> x + 1, items), default chunk size (as Python's), median of " + MAP_RUNS
                                + " runs, " + warmUp.describe() + " (at least " + warmUp.poolMaps() + " maps)"));
            }
        }
        return figures;
    }

    /** Python's Pool: creation to first result, and the same map. */
    public static List<Figure> pythonPool(int workers, int tasks) throws Exception {
        List<String> lines = PythonPeerRunner.run("ops_bench.py", 300, "pool", Integer.toString(workers), Integer.toString(tasks));
        String version = PythonPeerRunner.version();
        return List.of(
                new Figure("python-pool", "creation to first result (" + workers + " workers)", number(lines, "first_result_seconds"), "s",
                        version + " Pool(" + workers + ").apply, spawn start method (peer)"),
                new Figure("python-pool", "map of " + tasks + " trivial tasks, " + workers + " workers", tasks / number(lines, "map_seconds"),
                        "tasks/s", version + " Pool.map(increment, range(n)), default chunk size (peer)"));
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
