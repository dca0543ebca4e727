package dev.multiproc.jcstress;

import dev.multiproc.internal.shm.header.ObjectHeader;
import dev.multiproc.internal.shm.header.ObjectHeaderLayout;
import dev.multiproc.internal.shm.queue.QueueLayout;
import dev.multiproc.internal.shm.queue.QueueSlots;
import dev.multiproc.spi.Liveness;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NativePlatform;
import dev.multiproc.spi.Platforms;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.OptionalLong;

/**
 * Regions for the tests: zeroed native memory shaped like a shared object (a header whose total
 * size is set, then the body), one per test state, freed with it. The protocols cannot tell it
 * from a mapping: they see the same memory ordering, and a futex wake works on any memory. Every
 * participant counts as alive: these tests are about orderings, not deaths.
 */
final class HeapRegions {
    static final NativePlatform PLATFORM = Platforms.current();
    /** Intent entries 0 to 7, which the tests use by number. */
    private static final long ENTRIES_THE_TESTS_USE = 8;

    private static final Liveness ALL_ALIVE = new Liveness() {
        @Override
        public long currentToken() {
            return 1;
        }

        @Override
        public boolean isAlive(long token) {
            return true;
        }

        @Override
        public OptionalLong pid(long token) {
            return OptionalLong.of(ProcessHandle.current().pid());
        }

        @Override
        public String describe(long token) {
            return "this process";
        }
    };

    private HeapRegions() {
    }

    /** A region with a header and {@code bodyBytes} of zeroed body. */
    static MappedRegion withBody(long bodyBytes) {
        long total = ObjectHeaderLayout.LENGTH + bodyBytes;
        Arena arena = Arena.ofAuto();
        MemorySegment memory = arena.allocate(total, 64);
        memory.set(ValueLayout.JAVA_LONG, ObjectHeaderLayout.TOTAL_SIZE_OFFSET, total);
        return new MappedRegion("jcstress-heap", memory, arena, ALL_ALIVE, 0);
    }

    /** A queue's protocol over a region of its own, and the region's memory (to look at its words). */
    record Queue(QueueSlots slots, MemorySegment memory) {
    }

    /** A queue of {@code capacity} messages of up to 1 KiB in {@code mode} ({@link QueueLayout#MODE_MPMC}, ...). */
    static Queue queue(int capacity, int mode) {
        MappedRegion region = withBody(QueueLayout.length(capacity, QueueLayout.MIN_SLOT_DATA));
        QueueSlots.initialise(region, capacity, QueueLayout.MIN_SLOT_DATA, false, mode, 1024);
        // the tests write intents into the first entries without claiming them: the table's scans must reach them
        ObjectHeader.body(region).set(ValueLayout.JAVA_LONG, QueueLayout.INTENTS_USED_OFFSET, ENTRIES_THE_TESTS_USE);
        return new Queue(new QueueSlots(PLATFORM, region), region.segment());
    }

    /** A region that is all body (for structures placed at an offset of their own). */
    static MappedRegion raw(long bytes) {
        Arena arena = Arena.ofAuto();
        return new MappedRegion("jcstress-heap", arena.allocate(bytes, 64), arena, ALL_ALIVE, 0);
    }
}
