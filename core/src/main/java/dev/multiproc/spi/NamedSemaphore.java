package dev.multiproc.spi;

/**
 * An operating-system counting semaphore known by name ({@code sem_open} on POSIX,
 * {@code CreateSemaphoreW} on Windows). Closing releases this process's handle only.
 */
public interface NamedSemaphore extends AutoCloseable {

    String name();

    /**
     * Takes one permit, waiting at most {@code timeoutNanos} (negative: forever).
     *
     * @return whether a permit was taken
     * @throws InterruptedException if the thread is interrupted while it waits
     */
    boolean acquire(long timeoutNanos) throws InterruptedException;

    /** Takes a permit only if one is free now. */
    boolean tryAcquire();

    void release();

    /** The permits free at this moment. */
    int value();

    @Override
    void close();
}
