package dev.multiproc.bench.jmh;

import dev.multiproc.JoinableQueue;
import dev.multiproc.Multiproc;
import dev.multiproc.QueueMode;
import dev.multiproc.QueueOptions;
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
 * {@link ArrayBlockingQueue}; through the codec (a Long) and zero-copy (8 bytes in place); the
 * same on an SPSC queue (no CAS on either side) and on a {@link JoinableQueue} (put, take and
 * taskDone: the goal is within 1.2x of the plain queue's offer and poll). Run with {@code -prof gc}
 * to see what each allocates.
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
    private SharedQueue<Long> singleProducerSingleConsumer;
    private JoinableQueue<Long> joinable;
    private final ArrayBlockingQueue<Long> jdk = new ArrayBlockingQueue<>(1024);
    private final Long value = 42L;
    private long read;
    private static final java.util.function.Consumer<MemorySegment> WRITE_LONG = slot -> slot.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 42L);
    /** Made once, as a zero-copy consumer would: a method reference made per call would allocate. */
    private final java.util.function.Consumer<MemorySegment> readLong = this::readLong;

    @Setup
    public void setUp() {
        context = Multiproc.create();
        shared = context.queue(Codec.longs(), 1024);
        sharedBytes = context.queue(Codec.bytes(), 1024);
        singleProducerSingleConsumer = context.queue(Codec.longs(), QueueOptions.of(1024).withMode(QueueMode.SPSC));
        joinable = context.joinableQueue(Codec.longs(), 1024);
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
    public Long singleProducerSingleConsumerOfferPoll() {
        singleProducerSingleConsumer.offer(value);
        return singleProducerSingleConsumer.poll();
    }

    /** What the joinable queue adds to a put and a take (its consumer's debt), without the {@code taskDone} a plain queue has no counterpart for. */
    @Benchmark
    public Long joinableQueueOfferPoll() {
        joinable.offer(value);
        return joinable.poll();
    }

    @Benchmark
    public Long joinableQueueOfferPollTaskDone() {
        joinable.offer(value);
        Long taken = joinable.poll();
        joinable.taskDone();
        return taken;
    }

    @Benchmark
    public long sharedQueueInPlaceOfferPoll() {
        sharedBytes.offerInPlace(8, WRITE_LONG);
        sharedBytes.pollInPlace(readLong);
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
