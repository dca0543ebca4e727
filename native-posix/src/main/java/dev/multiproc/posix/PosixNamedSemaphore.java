package dev.multiproc.posix;

import dev.multiproc.spi.NamedSemaphore;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@code sem_open} semaphore. Waits are cut into slices so that a waiting thread notices
 * {@link Thread#interrupt()}, which does not reach a thread blocked in {@code sem_wait}.
 */
final class PosixNamedSemaphore implements NamedSemaphore {
    private static final long WAIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final String name;
    private final MemorySegment semaphore;
    private final AtomicBoolean closed = new AtomicBoolean();

    PosixNamedSemaphore(String name, MemorySegment semaphore) {
        this.name = name;
        this.semaphore = semaphore;
    }

    @Override
    public String name() {
        return name;
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("semaphore '" + name + "' is closed");
        }
    }

    @Override
    public boolean acquire(long timeoutNanos) throws InterruptedException {
        ensureOpen();
        if (Libc.semTryWait(semaphore, name)) {
            return true;
        }
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while waiting on semaphore '" + name + "'");
            }
            long slice = WAIT_SLICE_NANOS;
            if (timeoutNanos >= 0) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                slice = Math.min(slice, remaining);
            }
            long epochNanos = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis()) + slice;
            if (Libc.semTimedWait(semaphore, epochNanos, name) == 0) {
                return true;
            }
        }
    }

    @Override
    public boolean tryAcquire() {
        ensureOpen();
        return Libc.semTryWait(semaphore, name);
    }

    @Override
    public void release() {
        ensureOpen();
        Libc.semPost(semaphore, name);
    }

    @Override
    public int value() {
        ensureOpen();
        return Libc.semGetValue(semaphore, name);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            Libc.semClose(semaphore, name);
        }
    }
}
