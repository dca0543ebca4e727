package dev.multiproc.bench.jmh;

import dev.multiproc.MapOptions;
import dev.multiproc.Multiproc;
import dev.multiproc.SharedLong;
import dev.multiproc.SharedMap;
import dev.multiproc.codec.Codec;
import net.openhft.chronicle.map.ChronicleMap;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.File;
import java.nio.file.Files;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link SharedMap} get and put of 16-byte keys with 8- and 100-byte values, next to Chronicle
 * Map persisted to a file in /dev/shm (the shared-memory peer; same entries and sizes) and
 * {@link ConcurrentHashMap} (heap, one process); and {@code SharedLong.incrementAndGet} next to
 * {@link AtomicLong}. Chronicle needs JVM flags that open JDK internals: the fork gets them.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED", "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
        "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
        "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "-Dchronicle.analytics.disable=true"})
public class MapBenchmark {
    private static final int ENTRIES = 10_000;

    @Param({"8", "100"})
    public int valueBytes;

    private Multiproc context;
    private SharedMap<byte[], byte[]> shared;
    private ChronicleMap<byte[], byte[]> chronicle;
    private File chronicleFile;
    private final ConcurrentHashMap<String, byte[]> heap = new ConcurrentHashMap<>();
    private SharedLong sharedLong;
    private final AtomicLong atomicLong = new AtomicLong();
    private byte[][] keys;
    private String[] heapKeys;
    private byte[] value;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        context = Multiproc.create();
        shared = context.map(Codec.bytes(), Codec.bytes(), MapOptions.of(ENTRIES).withAverageKeyBytes(16).withAverageValueBytes(valueBytes));
        chronicleFile = Files.createTempFile(java.nio.file.Path.of("/dev/shm"), "chronicle-map-bench-", ".dat").toFile();
        chronicleFile.delete();
        // JMH skips the tear-down when a benchmark method throws
        chronicleFile.deleteOnExit();
        chronicle = ChronicleMap.of(byte[].class, byte[].class).name("bench").entries(ENTRIES)
                .averageKeySize(16).averageValueSize(valueBytes).createPersistedTo(chronicleFile);
        sharedLong = context.sharedLong(0);
        keys = new byte[ENTRIES][];
        heapKeys = new String[ENTRIES];
        value = new byte[valueBytes];
        for (int i = 0; i < ENTRIES; i++) {
            keys[i] = String.format("key-%012d", i).getBytes();
            heapKeys[i] = new String(keys[i]);
            shared.put(keys[i], value);
            chronicle.put(keys[i], value);
            heap.put(heapKeys[i], value);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws java.io.IOException {
        chronicle.close();
        Files.deleteIfExists(chronicleFile.toPath());
        context.close();
    }

    private int nextIndex() {
        next = (next + 7919) % ENTRIES;
        return next;
    }

    @Benchmark
    public byte[] sharedMapGet() {
        return shared.get(keys[nextIndex()]);
    }

    @Benchmark
    public byte[] sharedMapPut() {
        return shared.put(keys[nextIndex()], value);
    }

    @Benchmark
    public byte[] chronicleMapGet() {
        return chronicle.get(keys[nextIndex()]);
    }

    @Benchmark
    public byte[] chronicleMapPut() {
        return chronicle.put(keys[nextIndex()], value);
    }

    @Benchmark
    public byte[] concurrentHashMapGet() {
        return heap.get(heapKeys[nextIndex()]);
    }

    @Benchmark
    public long sharedLongIncrementAndGet() {
        return sharedLong.incrementAndGet();
    }

    @Benchmark
    public long atomicLongIncrementAndGet() {
        return atomicLong.incrementAndGet();
    }
}
