package dev.multiproc.bench.jmh;

import dev.multiproc.Multiproc;
import dev.multiproc.SharedMemory;
import dev.multiproc.shm.Words;
import dev.multiproc.shm.wait.WaitPoint;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NativePlatform;
import dev.multiproc.spi.Platforms;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cost of the two primitives everything else is built from: an atomic add on a word of
 * shared memory (next to the same add on the Java heap), and waking a wait point nobody sleeps
 * on (next to the raw futex wake system call that the sleeper count lets us skip).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SharedWordBenchmark {
    private Multiproc context;
    private SharedMemory memory;
    private MemorySegment segment;
    private final AtomicLong heapCounter = new AtomicLong();
    private NativePlatform platform;
    private MappedRegion region;
    private String regionName;
    private WaitPoint waitPoint;

    @Setup
    public void setUp() {
        context = Multiproc.create();
        memory = context.sharedMemory(64);
        segment = memory.segment();
        platform = Platforms.current();
        regionName = "mp-bench-wait-" + ProcessHandle.current().pid();
        region = platform.createRegion(regionName, 64);
        waitPoint = new WaitPoint(platform, region, 0);
    }

    @TearDown
    public void tearDown() {
        region.close();
        platform.unlinkRegion(regionName);
        memory.close();
        context.close();
    }

    @Benchmark
    public long atomicAddSharedMemory() {
        return (long) Words.LONG.getAndAdd(segment, 0L, 1L);
    }

    @Benchmark
    public long atomicAddHeapAtomicLong() {
        return heapCounter.getAndIncrement();
    }

    @Benchmark
    public void wakeWithNoSleeper() {
        waitPoint.wakeAll();
    }

    @Benchmark
    public void futexWakeSystemCall() {
        platform.wake(region, 0, Integer.MAX_VALUE);
    }
}
