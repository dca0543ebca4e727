package dev.multiproc.windows;

import dev.multiproc.spi.NamedSemaphore;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** A named Win32 semaphore; waits are cut into slices so that interrupts are noticed. */
final class WindowsNamedSemaphore implements NamedSemaphore {
    private static final int WAIT_SLICE_MILLIS = 50;

    private final String name;
    private final MemorySegment handle;
    private final AtomicBoolean closed = new AtomicBoolean();

    WindowsNamedSemaphore(String name, MemorySegment handle) {
        this.name = name;
        this.handle = handle;
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
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while waiting on semaphore '" + name + "'");
            }
            int slice = WAIT_SLICE_MILLIS;
            if (timeoutNanos >= 0) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return tryAcquire();
                }
                slice = (int) Math.max(1, Math.min(slice, TimeUnit.NANOSECONDS.toMillis(remaining)));
            }
            if (Kernel32.waitForSingleObject(handle, slice, name) == Kernel32.WAIT_OBJECT_0) {
                return true;
            }
        }
    }

    @Override
    public boolean tryAcquire() {
        ensureOpen();
        return Kernel32.waitForSingleObject(handle, 0, name) == Kernel32.WAIT_OBJECT_0;
    }

    @Override
    public void release() {
        ensureOpen();
        Kernel32.releaseSemaphore(handle, 1, name);
    }

    /** Win32 has no call that reads a semaphore's count; taking and giving back a permit tells whether one is free. */
    @Override
    public int value() {
        ensureOpen();
        if (!tryAcquire()) {
            return 0;
        }
        return Kernel32.releaseSemaphore(handle, 1, name) + 1;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            Kernel32.closeHandle(handle, name);
        }
    }
}
