package dev.multiproc.internal.shm;

import dev.multiproc.internal.shm.table.ParticipantTable;
import dev.multiproc.internal.shm.table.ParticipantTableLayout;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.*;

/** The participant table (spec/participant-table.md): many live owners, the high-water mark, a corrupt mark. */
class ParticipantTableProtocolTest {
    private final TestParticipants participants = new TestParticipants();
    private final MemorySegment memory = participants.raw(ParticipantTableLayout.LENGTH).segment();
    private final ParticipantTable table = new ParticipantTable(memory, 0);

    /** The table held 64 slots: a 65th live process went untracked, and its death was never seen. */
    @Test
    void aThousandLiveOwnersEachHaveASlotAndTheDeathOfTheLastIsSeen() {
        Set<Integer> slots = new HashSet<>();
        for (long token = 1; token <= 1_000; token++) {
            int slot = table.claim(token);
            assertNotEquals(ParticipantTable.NO_SLOT, slot, "owner " + token);
            assertTrue(slots.add(slot), "a slot of its own");
            assertEquals(slot, table.claim(token), "claiming again finds it");
            table.add(slot, token);
        }
        assertEquals(1_000, table.slotsUsed(), "slots used from the first up");
        participants.kill(1_000);
        assertEquals(List.of(new ParticipantTable.Reclaimed(1_000, 1_000)), table.reclaimDead(participants));
        assertEquals(999, table.tokens().size());
        assertEquals(999, table.claim(5_000), "the freed slot is used before the mark rises");
        assertEquals(1_000, table.slotsUsed());
    }

    @Test
    void scansStopAtTheHighWaterMark() {
        assertEquals(0, table.claim(7));
        // a token written past the mark, which no claim can have put there, is not read
        memory.set(ValueLayout.JAVA_LONG, ParticipantTableLayout.slotOffset(5) + ParticipantTableLayout.TOKEN_OFFSET, 99L);
        participants.kill(99);
        assertEquals(List.of(7L), table.tokens());
        assertEquals(List.of(), table.reclaimDead(participants));
    }

    @Test
    void aFullTableRefusesTheNextOwnerAndAFreedSlotTakesIt() {
        for (long token = 1; token <= ParticipantTableLayout.SLOTS; token++) {
            assertEquals(token - 1, table.claim(token));
        }
        assertEquals(ParticipantTable.NO_SLOT, table.claim(ParticipantTableLayout.SLOTS + 1L));
        table.release(42, 43);
        assertEquals(42, table.claim(ParticipantTableLayout.SLOTS + 1L));
    }

    @Test
    void aMarkOutsideTheTableClaimsNothingAndNeverHangs() {
        memory.set(ValueLayout.JAVA_LONG, ParticipantTableLayout.HIGH_WATER_OFFSET, -5L);
        assertEquals(ParticipantTable.NO_SLOT, table.claim(1));
        assertEquals(0, table.slotsUsed());
        memory.set(ValueLayout.JAVA_LONG, ParticipantTableLayout.HIGH_WATER_OFFSET, Long.MAX_VALUE);
        assertEquals(ParticipantTableLayout.SLOTS, table.slotsUsed(), "scans keep within the table");
        assertEquals(0, table.claim(1), "a free slot within the table is still claimed");
    }

    @Test
    void ownersRacingToRaiseTheMarkGetASlotEach() throws Exception {
        int threads = 4;
        int perThread = 500;
        Set<Integer> taken = ConcurrentHashMap.newKeySet();
        List<Thread> claimers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long first = 1 + (long) t * perThread;
            claimers.add(Thread.ofPlatform().start(() -> {
                for (long token = first; token < first + perThread; token++) {
                    int slot = table.claim(token);
                    assertNotEquals(ParticipantTable.NO_SLOT, slot);
                    assertTrue(taken.add(slot), "slot " + slot + " given twice");
                }
            }));
        }
        for (Thread claimer : claimers) {
            claimer.join(60_000);
        }
        assertEquals(threads * perThread, taken.size());
        assertEquals(threads * perThread, table.slotsUsed(), "no slot skipped");
        assertEquals(threads * perThread, table.tokens().size());
    }
}
