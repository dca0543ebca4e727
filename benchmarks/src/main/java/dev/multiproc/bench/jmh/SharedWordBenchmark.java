package dev.multiproc.bench.jmh;

import dev.multiproc.Multiproc;
import dev.multiproc.SharedEvent;
import dev.multiproc.SharedMemory;
import dev.multiproc.bench.run.SharedWords;
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
 * shared memory (next to the same add on the Java heap), and setting an event nobody waits on —
 * a write, a fence and a read of its sleeper count — next to the raw futex wake system call that
 * the sleeper count lets every wake-up with nobody asleep skip.
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
    private SharedEvent event;

    @Setup
    public void setUp() {
        context = Multiproc.create();
        memory = context.sharedMemory(64);
        segment = memory.segment();
        platform = Platforms.current();
        regionName = "mp-bench-wait-" + ProcessHandle.current().pid();
        region = platform.createRegion(regionName, 64);
        event = context.event();
    }

    @TearDown
    public void tearDown() {
        region.close();
        platform.unlinkRegion(regionName);
        event.close();
        memory.close();
        context.close();
    }

    @Benchmark
    public long atomicAddSharedMemory() {
        return (long) SharedWords.LONG.getAndAdd(segment, 0L, 1L);
    }

    @Benchmark
    public long atomicAddHeapAtomicLong() {
        return heapCounter.getAndIncrement();
    }

    @Benchmark
    public void setEventWithNoWaiter() {
        event.set();
    }

    @Benchmark
    public void futexWakeSystemCall() {
        platform.wake(region, 0, Integer.MAX_VALUE);
    }
}
