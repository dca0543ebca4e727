package dev.multiproc.spi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A named shared-memory object mapped into this process. The segment belongs to a shared arena
 * whose closing unmaps the memory (the platform registers the unmap as the arena's cleanup), so
 * any thread that touches the segment after {@link #close()} gets an {@link IllegalStateException}
 * instead of a crash. Closing never removes the name: that is {@link NativePlatform#unlinkRegion}.
 */
public final class MappedRegion implements AutoCloseable {
    private final String name;
    private final MemorySegment segment;
    private final Arena arena;

    /**
     * @param name    the object's name without any OS prefix
     * @param segment the mapped memory, owned by {@code arena}
     * @param arena   closed by {@link #close()}; its cleanup unmaps the memory
     */
    public MappedRegion(String name, MemorySegment segment, Arena arena) {
        this.name = Objects.requireNonNull(name);
        this.segment = Objects.requireNonNull(segment);
        this.arena = Objects.requireNonNull(arena);
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

    /** Whether the mapping is still in place. */
    public boolean isMapped() {
        return arena.scope().isAlive();
    }

    /**
     * Unmaps the memory; idempotent. A thread inside a native call on the memory (a futex
     * sleep) keeps the mapping alive; callers wake such threads first, and this waits for them
     * to leave, for at most {@link #CLOSE_WAIT_MILLIS} ms, before giving up with an exception.
     */
    @Override
    public void close() {
        long deadline = System.nanoTime() + CLOSE_WAIT_MILLIS * 1_000_000L;
        while (arena.scope().isAlive()) {
            try {
                arena.close();
                return;
            } catch (IllegalStateException inUse) {
                if (!arena.scope().isAlive()) {
                    return;
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("cannot unmap '" + name + "': a thread is still blocked in a native call on it", inUse);
                }
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while unmapping '" + name + "'", inUse);
                }
            }
        }
    }

    /** How long {@link #close()} waits for threads blocked in a native call on the memory. */
    public static final long CLOSE_WAIT_MILLIS = 2_000;

    @Override
    public String toString() {
        return "MappedRegion[" + name + ", " + segment.byteSize() + " bytes]";
    }
}
