package dev.multiproc.spi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A named shared-memory object mapped into this process. The segment belongs to a shared arena
 * whose closing unmaps the memory (and lets go of anything else the platform holds for the
 * mapping), so any thread that touches the segment after {@link #close()} gets an
 * {@link IllegalStateException} instead of a crash. Closing never removes the name: that is
 * {@link NativePlatform#unlinkRegion}.
 *
 * <p>Threads that wait on the mapping — sleeping in the kernel on a word of it (a futex), and
 * keeping count of themselves in it before and after — announce it with
 * {@link #enterBlockingCall()}: {@link #close()} waits for them to leave, so memory is never
 * unmapped under a waiting thread, and refuses new waiters from the moment it starts.
 */
public final class MappedRegion implements AutoCloseable {
    /** How long {@link #close()} waits for threads blocked in a native call on the memory. */
    public static final long CLOSE_WAIT_MILLIS = 2_000;
    /** Set in {@link #blocked} once closing has begun. */
    private static final int CLOSING = 1 << 30;

    private final String name;
    private final MemorySegment segment;
    private final Arena arena;
    private final Liveness liveness;
    private final long fileId;
    /** Threads inside a blocking native call on the memory, plus {@link #CLOSING}. */
    private final AtomicInteger blocked = new AtomicInteger();

    /**
     * @param name     the object's name without any OS prefix
     * @param segment  the mapped memory, owned by {@code arena}
     * @param arena    closed by {@link #close()}; its cleanup unmaps the memory
     * @param liveness who is alive among the processes that use this object
     * @param fileId   what tells this object from another of the same name made later (an inode
     *                 number), or 0 where the platform cannot tell
     */
    public MappedRegion(String name, MemorySegment segment, Arena arena, Liveness liveness, long fileId) {
        this.name = Objects.requireNonNull(name);
        this.segment = Objects.requireNonNull(segment);
        this.arena = Objects.requireNonNull(arena);
        this.liveness = Objects.requireNonNull(liveness);
        this.fileId = fileId;
    }

    public String name() {
        return name;
    }

    public MemorySegment segment() {
        return segment;
    }

    public long size() {
        return segment.byteSize();
    }

    /** Who is alive among the processes that use this object, and this process's token among them. */
    public Liveness liveness() {
        return liveness;
    }

    /** The identity of the object behind the name when it was mapped (0: unknown). */
    public long fileId() {
        return fileId;
    }

    /**
     * Announces a thread about to wait on the memory (and maybe sleep in the kernel on it).
     *
     * @return false if the region is closing: the caller must not sleep (and must not call
     * {@link #exitBlockingCall()})
     */
    public boolean enterBlockingCall() {
        if ((blocked.incrementAndGet() & CLOSING) != 0) {
            blocked.decrementAndGet();
            return false;
        }
        return true;
    }

    /** Whether {@link #close()} has begun: a thread waiting on the memory should stop. */
    public boolean isClosing() {
        return (blocked.get() & CLOSING) != 0;
    }

    /** The thread that {@link #enterBlockingCall() entered} has stopped waiting on the memory. */
    public void exitBlockingCall() {
        blocked.decrementAndGet();
    }

    /**
     * Unmaps the memory; idempotent. Callers wake this process's sleepers first; this waits for
     * them to leave the kernel, for at most {@link #CLOSE_WAIT_MILLIS} ms, before giving up with
     * an exception (the memory then stays mapped).
     */
    @Override
    public void close() {
        int before = blocked.getAndUpdate(count -> count | CLOSING);
        if ((before & CLOSING) != 0 && !arena.scope().isAlive()) {
            return;
        }
        long deadline = System.nanoTime() + CLOSE_WAIT_MILLIS * 1_000_000L;
        while ((blocked.get() & ~CLOSING) != 0) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("cannot unmap '" + name + "': a thread is still blocked in a native call on it");
            }
            Thread.onSpinWait();
            Thread.yield();
        }
        synchronized (this) {
            if (arena.scope().isAlive()) {
                arena.close();
            }
        }
    }

    @Override
    public String toString() {
        return "MappedRegion[" + name + ", " + segment.byteSize() + " bytes]";
    }
}
