package dev.multiproc.bench.jmh;

import dev.multiproc.Multiproc;
import dev.multiproc.SharedLock;
import dev.multiproc.SharedReentrantLock;
import dev.multiproc.SharedSemaphore;
import dev.multiproc.spi.NamedSemaphore;
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

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Uncontended lock/unlock and semaphore acquire/release, next to {@link ReentrantLock} and
 * {@link Semaphore}, and next to a POSIX {@code sem_open} semaphore (the alternative design for
 * {@link SharedSemaphore}, measured here to choose between them).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class LockBenchmark {
    private Multiproc context;
    private SharedLock sharedLock;
    private SharedReentrantLock sharedReentrantLock;
    private SharedSemaphore sharedSemaphore;
    private SharedSemaphore sharedBoundedSemaphore;
    private NamedSemaphore posixSemaphore;
    private String posixSemaphoreName;
    private NativePlatform platform;
    private final ReentrantLock jdkLock = new ReentrantLock();
    private final Semaphore jdkSemaphore = new Semaphore(1);

    @Setup
    public void setUp() {
        context = Multiproc.create();
        sharedLock = context.lock();
        sharedReentrantLock = context.reentrantLock();
        sharedSemaphore = context.semaphore(1);
        sharedBoundedSemaphore = context.boundedSemaphore(1);
        platform = Platforms.current();
        posixSemaphoreName = "mp-bench-sem-" + ProcessHandle.current().pid();
        posixSemaphore = platform.createSemaphore(posixSemaphoreName, 1);
    }

    @TearDown
    public void tearDown() {
        posixSemaphore.close();
        platform.unlinkSemaphore(posixSemaphoreName);
        context.close();
    }

    @Benchmark
    public void sharedLockLockUnlock() {
        sharedLock.lock();
        sharedLock.unlock();
    }

    @Benchmark
    public void sharedReentrantLockLockUnlock() {
        sharedReentrantLock.lock();
        sharedReentrantLock.unlock();
    }

    @Benchmark
    public void jdkReentrantLockLockUnlock() {
        jdkLock.lock();
        jdkLock.unlock();
    }

    @Benchmark
    public boolean sharedSemaphoreAcquireRelease() {
        boolean got = sharedSemaphore.tryAcquire();
        sharedSemaphore.release();
        return got;
    }

    /** A bounded semaphore also records what each process holds, to give a dead holder's permits back. */
    @Benchmark
    public boolean sharedBoundedSemaphoreAcquireRelease() {
        boolean got = sharedBoundedSemaphore.tryAcquire();
        sharedBoundedSemaphore.release();
        return got;
    }

    @Benchmark
    public boolean jdkSemaphoreAcquireRelease() {
        boolean got = jdkSemaphore.tryAcquire();
        jdkSemaphore.release();
        return got;
    }

    @Benchmark
    public boolean posixSemaphoreAcquireRelease() {
        boolean got = posixSemaphore.tryAcquire();
        posixSemaphore.release();
        return got;
    }
}
