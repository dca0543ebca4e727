package dev.multiproc.internal.shm;

import dev.multiproc.internal.shm.header.ObjectHeaderLayout;
import dev.multiproc.spi.Liveness;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NativePlatform;
import dev.multiproc.spi.Platforms;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Participants of a protocol test in one JVM: tokens the test hands to each role, all alive until
 * the test {@link #kill kills} one — what the protocols see when that participant's process dies,
 * without a process. Regions are zeroed memory shaped like a shared object (a header with its total
 * size, then the body); waits and wakes are the platform's (a futex works on any memory).
 */
final class TestParticipants implements Liveness {
    static final NativePlatform PLATFORM = Platforms.current();

    private final Set<Long> dead = ConcurrentHashMap.newKeySet();
    private final Arena arena = Arena.ofAuto();

    /** Marks {@code token}'s process dead: from now on every liveness check says so. */
    void kill(long token) {
        dead.add(token);
    }

    /** A region with a header and {@code bodyBytes} of zeroed body, seen through these participants. */
    MappedRegion object(long bodyBytes) {
        long total = ObjectHeaderLayout.LENGTH + bodyBytes;
        MemorySegment memory = arena.allocate(total, 64);
        memory.set(ValueLayout.JAVA_LONG, ObjectHeaderLayout.TOTAL_SIZE_OFFSET, total);
        return new MappedRegion("protocol-test", memory, arena, this, 0);
    }

    /** A region that is all body, for structures placed at an offset of their own (a ring). */
    MappedRegion raw(long bytes) {
        return new MappedRegion("protocol-test", arena.allocate(bytes, 64), arena, this, 0);
    }

    @Override
    public long currentToken() {
        return 1;
    }

    @Override
    public boolean isAlive(long token) {
        return !dead.contains(token);
    }

    @Override
    public OptionalLong pid(long token) {
        return OptionalLong.empty();
    }

    @Override
    public String describe(long token) {
        return "test participant " + token + (isAlive(token) ? "" : " (killed)");
    }
}
