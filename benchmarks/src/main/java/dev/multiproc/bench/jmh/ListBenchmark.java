package dev.multiproc.bench.jmh;

import dev.multiproc.Multiproc;
import dev.multiproc.SharedList;
import dev.multiproc.codec.Codec;
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

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@link SharedList} of {@code size} 16-character strings: a read, an append and removal of the
 * last element (nothing moves), and an insertion and removal at the front (every element moves
 * up, then down: each move a put into the list's stripe), next to a synchronized
 * {@link ArrayList} on the heap for scale.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ListBenchmark {
    @Param({"100", "1000"})
    public int size;

    private Multiproc context;
    private SharedList<String> shared;
    private final List<String> heap = Collections.synchronizedList(new ArrayList<>());
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        context = Multiproc.create();
        shared = context.list(Codec.string(), size * 2);
        for (int i = 0; i < size; i++) {
            String element = String.format("element-%08d", i);
            shared.add(element);
            heap.add(element);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        context.close();
    }

    private int nextIndex() {
        next = (next + 7919) % size;
        return next;
    }

    @Benchmark
    public String sharedListGet() {
        return shared.get(nextIndex());
    }

    @Benchmark
    public String sharedListAppendAndRemoveLast() {
        shared.add("element-appended");
        return shared.remove(size);
    }

    @Benchmark
    public String sharedListInsertAndRemoveAtFront() {
        shared.add(0, "element-inserted");
        return shared.remove(0);
    }

    @Benchmark
    public String heapListInsertAndRemoveAtFront() {
        heap.add(0, "element-inserted");
        return heap.remove(0);
    }
}
