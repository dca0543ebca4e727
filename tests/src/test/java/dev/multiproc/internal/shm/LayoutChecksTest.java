package dev.multiproc.internal.shm;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Every layout's fields are checked when its class loads; the checks catch an overlap, a misaligned word, a field past the end. */
class LayoutChecksTest {
    private static final List<String> LAYOUTS = List.of("barrier.BarrierLayout", "condition.ConditionLayout", "event.EventLayout",
            "header.ObjectHeaderLayout", "listener.ListenerLayout", "lock.LockLayout", "map.MapLayout", "pipe.PipeLayout",
            "process.BootstrapLayout", "queue.QueueLayout", "ring.RingLayout", "semaphore.SemaphoreLayout",
            "table.ParticipantTableLayout", "values.ValuesLayout", "wait.WaitPointLayout");

    @Test
    void everyLayoutPassesItsOwnChecks() throws Exception {
        for (String layout : LAYOUTS) {
            Class.forName("dev.multiproc.internal.shm." + layout, true, getClass().getClassLoader());
        }
    }

    @Test
    void anOverlapAMisalignedWordAndAFieldPastTheEndAreCaughtByName() {
        AssertionError overlap = assertThrows(AssertionError.class, () -> LayoutChecks.of("Sample")
                .field("head", 0, Long.BYTES).field("tail", 4, Integer.BYTES));
        assertEquals("Sample: tail at 4 overlaps head, which ends at 8", overlap.getMessage());
        AssertionError misaligned = assertThrows(AssertionError.class, () -> LayoutChecks.of("Sample").field("count", 12, Long.BYTES));
        assertEquals("Sample: count at 12 is not aligned to 8 bytes", misaligned.getMessage());
        AssertionError past = assertThrows(AssertionError.class, () -> LayoutChecks.of("Sample").field("count", 8, Long.BYTES).within(12));
        assertEquals("Sample: count ends at 16, past the length 12", past.getMessage());
        AssertionError shared = assertThrows(AssertionError.class, () -> LayoutChecks.of("Sample")
                .ownLines("tail", 0, Long.BYTES, 64, 1).field("head", 32, Long.BYTES));
        assertEquals("Sample: head at 32 overlaps tail, which ends at 64", shared.getMessage());
        LayoutChecks.of("Sample").bytes("name", 3, 5).field("count", 8, Long.BYTES).within(16);
    }
}
