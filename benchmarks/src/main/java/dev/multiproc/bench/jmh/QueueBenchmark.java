package dev.multiproc.bench.jmh;

import dev.multiproc.Multiproc;
import dev.multiproc.SharedQueue;
import dev.multiproc.codec.Codec;
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
import java.lang.foreign.ValueLayout;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The in-process hot path of {@link SharedQueue}: one offer and one poll, next to
 * {@link ArrayBlockingQueue}; through the codec (a Long) and zero-copy (8 bytes in place).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class QueueBenchmark {
    private Multiproc context;
    private SharedQueue<Long> shared;
    private SharedQueue<byte[]> sharedBytes;
    private final ArrayBlockingQueue<Long> jdk = new ArrayBlockingQueue<>(1024);
    private final Long value = 42L;
    private long read;

    @Setup
    public void setUp() {
        context = Multiproc.create();
        shared = context.queue(Codec.longs(), 1024);
        sharedBytes = context.queue(Codec.bytes(), 1024);
    }

    @TearDown
    public void tearDown() {
        context.close();
    }

    @Benchmark
    public Long sharedQueueOfferPoll() {
        shared.offer(value);
        return shared.poll();
    }

    @Benchmark
    public long sharedQueueInPlaceOfferPoll() {
        sharedBytes.offerInPlace(8, slot -> slot.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 42L));
        sharedBytes.pollInPlace(this::readLong);
        return read;
    }

    private void readLong(MemorySegment message) {
        read = message.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
    }

    @Benchmark
    public Long arrayBlockingQueueOfferPoll() {
        jdk.offer(value);
        return jdk.poll();
    }
}
