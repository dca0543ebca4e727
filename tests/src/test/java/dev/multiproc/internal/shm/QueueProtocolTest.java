package dev.multiproc.internal.shm;

import dev.multiproc.internal.shm.header.ObjectHeader;
import dev.multiproc.internal.shm.queue.QueueLayout;
import dev.multiproc.internal.shm.queue.QueueSlots;
import dev.multiproc.internal.shm.table.ParticipantTable;
import dev.multiproc.internal.shm.table.ParticipantTableLayout;
import dev.multiproc.spi.MappedRegion;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The queue's slot protocol (spec/queue.md) with producers and consumers that die on the test's
 * word, in one JVM: what the survivors do with the positions the dead left claimed.
 */
class QueueProtocolTest {
    private static final long A = 41;
    private static final long B = 42;
    private static final long C = 43;
    private final TestParticipants participants = new TestParticipants();

    private QueueSlots queue(int capacity) {
        return queue(capacity, QueueLayout.MODE_MPMC);
    }

    private QueueSlots queue(int capacity, int mode) {
        return new QueueSlots(TestParticipants.PLATFORM, region(capacity, false, mode));
    }

    /** A queue's memory, initialised, for tests that need the region or several views of it. */
    private MappedRegion region(int capacity, boolean joinable, int mode) {
        MappedRegion region = participants.object(QueueLayout.length(capacity, QueueLayout.MIN_SLOT_DATA));
        QueueSlots.initialise(region, capacity, QueueLayout.MIN_SLOT_DATA, joinable, mode, 1024);
        return region;
    }

    private static void put(QueueSlots slots, int entry, long value) {
        long position = slots.tryClaimForProducer(entry);
        assertTrue(position >= 0, "room for " + value);
        slots.slot(position, Long.BYTES).set(ValueLayout.JAVA_LONG_UNALIGNED, 0, value);
        slots.publish(position, Long.BYTES, QueueLayout.FLAG_INLINE);
    }

    /** Takes what is there; a skipped position reads as null. */
    private static List<Long> takeAll(QueueSlots slots, int entry) {
        List<Long> taken = new ArrayList<>();
        for (List<Long> one; !(one = takeOne(slots, entry)).isEmpty(); ) {
            taken.addAll(one);
        }
        return taken;
    }

    /** Takes the message at the head, if any (a skipped position reads as null). */
    private static List<Long> takeOne(QueueSlots slots, int entry) {
        long claimed = slots.tryClaimForConsumer(entry, false);
        if (claimed < 0) {
            return List.of();
        }
        long position = QueueSlots.claimedPosition(claimed);
        List<Long> taken = new ArrayList<>();
        if (QueueSlots.isSkippedClaim(claimed)) {
            slots.releaseSkippedQuietly(position);
            taken.add(null);
        } else {
            taken.add(slots.slot(position, slots.length(position)).get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
            slots.releaseQuietly(position);
        }
        slots.wakeProducers();
        return taken;
    }

    /**
     * Consumer processes come and go (a pool's workers replaced, services restarted), and only a
     * {@code join()} used to reclaim the debt slots of those that died: once 64 had, every later
     * consumer went untracked, and one that died holding a message left {@code join()} waiting
     * for it for good.
     */
    @Test
    void aConsumerFindingTheDebtTableFullOfTheDeadSettlesThemAndIsTracked() {
        MappedRegion region = region(8, true, QueueLayout.MODE_MPMC);
        QueueSlots slots = new QueueSlots(TestParticipants.PLATFORM, region);
        int producer = slots.claimEntry(A);
        put(slots, producer, 1);
        put(slots, producer, 2);
        for (long dead = 1_000; dead < 1_000 + ParticipantTableLayout.SLOTS; dead++) {
            int slot = slots.claimDebtSlot(dead);
            assertNotEquals(ParticipantTable.NO_SLOT, slot);
            // the first took message 1 and died holding it; the others had done all they took
            slots.addDebt(slot, dead == 1_000 ? 1 : 0);
            participants.kill(dead);
        }
        assertEquals(2, slots.unfinished());

        int latecomer = slots.claimDebtSlot(B);
        assertNotEquals(ParticipantTable.NO_SLOT, latecomer, "the dead's slots were settled and one given to the latecomer");
        assertEquals(1, slots.unfinished(), "the message the dead consumer held counts as done");
        slots.addDebt(latecomer, 1);
        participants.kill(B);
        assertEquals(1, slots.forgiveDeadConsumers(), "the latecomer, tracked, dies holding message 2: join() counts it done");
        assertEquals(0, slots.unfinished());
    }

    @Test
    void aPositionClaimedByAProducerThatDiedIsPublishedSkippedAndTheMessagesBehindItFollow() {
        QueueSlots slots = queue(4);
        int dying = slots.claimEntry(A);
        int producer = slots.claimEntry(B);
        int consumer = slots.claimEntry(C);
        assertEquals(0, slots.tryClaimForProducer(dying), "A claims position 0 and never publishes");
        put(slots, producer, 7);
        assertEquals(List.of(), takeAll(slots, consumer), "position 0 holds the line");
        assertFalse(slots.recoverAbandonedProducerSlot(), "a live producer is only slow");
        participants.kill(A);
        assertTrue(slots.recoverAbandonedProducerSlot());
        assertFalse(slots.recoverAbandonedProducerSlot(), "once");
        assertEquals(java.util.Arrays.asList(null, 7L), takeAll(slots, consumer));
        QueueSlots.Counters counters = slots.counters();
        assertEquals(1, counters.skipped());
        assertEquals(0, slots.size(), "the skip is taken like a message");
    }

    @Test
    void aMessageTakenByAConsumerThatDiedIsDeliveredAgainAtTheTailWhenProducersComeRoundToItsSlot() {
        QueueSlots slots = queue(2);
        int producer = slots.claimEntry(A);
        int dying = slots.claimEntry(B);
        int consumer = slots.claimEntry(C);
        put(slots, producer, 1);
        put(slots, producer, 2);
        assertEquals(0, slots.tryClaimForConsumer(dying, false), "B takes message 1 and dies reading it");
        assertEquals(List.of(2L), takeAll(slots, consumer));
        assertEquals(-1, slots.tryClaimForProducer(producer), "position 2 needs the slot B holds");
        assertFalse(slots.recoverAbandonedConsumerSlot(spill -> fail("no spill")), "a live consumer is only slow");
        participants.kill(B);
        assertTrue(slots.recoverAbandonedConsumerSlot(spill -> fail("no spill")));
        assertFalse(slots.recoverAbandonedConsumerSlot(spill -> fail("no spill")), "once");
        assertEquals(3, slots.tail(), "message 1 took position 2, the tail past it");
        assertEquals(1, slots.size());
        assertEquals(List.of(1L), takeAll(slots, consumer), "message 1 comes again");
        put(slots, producer, 3);
        assertEquals(List.of(3L), takeAll(slots, consumer), "the queue goes on");
        assertEquals(new QueueSlots.Counters(4, 4, 0, 0, 0, 0, 0), slots.counters(), "a redelivery counts as a message put and taken");
    }

    /**
     * A consumer that finds nothing looks for the oldest message a dead consumer holds, to skip
     * producers' positions up to its slot: a live consumer's message is only slow.
     */
    @Test
    void theOldestMessageThatDeadConsumersHoldIsFoundAndNoneThatALiveOneHolds() {
        QueueSlots slots = queue(8);
        int producer = slots.claimEntry(A);
        for (long value = 1; value <= 4; value++) {
            put(slots, producer, value);
        }
        int live = slots.claimEntry(B);
        int later = slots.claimEntry(100);
        int earlier = slots.claimEntry(101);
        assertEquals(0, slots.tryClaimForConsumer(earlier, false));
        assertEquals(1, slots.tryClaimForConsumer(live, false));
        assertEquals(2, slots.tryClaimForConsumer(later, false));
        assertEquals(-1, slots.heldByDeadConsumer(), "all three holders live");
        participants.kill(100);
        assertEquals(2, slots.heldByDeadConsumer());
        participants.kill(101);
        assertEquals(0, slots.heldByDeadConsumer(), "the oldest first: the skips up to it pass the others' slots");
        assertEquals(-1, queue(8, QueueLayout.MODE_MPSC).heldByDeadConsumer(), "a single consumer's successor delivers it again itself");
    }

    /** The recoverer publishes the message again with one CAS and moves the tail after: killed between, the next producer moves it. */
    @Test
    void aRedeliveryWhoseRecovererDiedBeforeMovingTheTailIsFinishedByTheNextProducer() {
        MappedRegion region = region(2, true, QueueLayout.MODE_MPMC);
        QueueSlots slots = new QueueSlots(TestParticipants.PLATFORM, region);
        int producer = slots.claimEntry(A);
        int consumer = slots.claimEntry(C);
        put(slots, producer, 1);
        put(slots, producer, 2);
        assertEquals(List.of(1L, 2L), takeAll(slots, consumer));
        assertTrue(slots.taskDone() && slots.taskDone());
        // as a recoverer leaves it: slot 0 published as position 2's message, the tail still at 2
        MemorySegment body = dev.multiproc.internal.shm.header.ObjectHeader.body(region);
        body.set(ValueLayout.JAVA_LONG, QueueLayout.SLOTS_OFFSET + QueueLayout.SLOT_SEQUENCE_OFFSET, 3L);
        assertEquals(2, slots.tail());
        assertEquals(0, slots.unfinished(), "not counted before the tail passes it");
        assertTrue(slots.taskDone(), "a task done finds it, moving the tail past it");
        assertEquals(3, slots.tail());
        assertEquals(List.of(1L), takeAll(slots, consumer));
        body.set(ValueLayout.JAVA_LONG, QueueLayout.SLOTS_OFFSET + QueueLayout.slotLength(QueueLayout.MIN_SLOT_DATA) + QueueLayout.SLOT_SEQUENCE_OFFSET, 4L);
        assertEquals(4, slots.tryClaimForProducer(producer), "a producer finds position 3 published, moves the tail past it and claims 4");
    }

    /** A message that kills whoever reads it must not go round for ever. */
    @Test
    void aMessageWhoseConsumersDiedHoldingItThreeTimesOverIsLostAtTheFourthDeath() throws IOException {
        QueueSlots slots = queue(2);
        int producer = slots.claimEntry(A);
        int consumer = slots.claimEntry(B);
        put(slots, producer, 1);
        for (int death = 0; death <= QueueLayout.MAX_REDELIVERIES; death++) {
            long dying = 100 + death;
            long position = slots.tryClaimForConsumer(slots.claimEntry(dying), false);
            assertEquals(1L, slots.slot(position, Long.BYTES).get(ValueLayout.JAVA_LONG_UNALIGNED, 0), "delivery " + (death + 1));
            participants.kill(dying);
            put(slots, producer, 2);
            assertEquals(-1, slots.tryClaimForProducer(producer), "the next position needs the dead consumer's slot");
            assertTrue(slots.recoverAbandonedConsumerSlot(spill -> fail("no spill")));
            assertEquals(List.of(2L), takeOne(slots, consumer));
        }
        assertEquals(List.of(), takeAll(slots, consumer), "after " + QueueLayout.MAX_REDELIVERIES + " deliveries again, the fourth death loses it");
        String spec = Files.readString(Path.of("../spec/queue.md")).replaceAll("\\s+", " ");
        assertTrue(spec.contains("delivered again at most " + QueueLayout.MAX_REDELIVERIES + " times"), "spec/queue.md gives the limit the code has");
    }

    /** A spilled message's consumer removes its spill object only once it has read it whole, just before it gives the slot back. */
    @Test
    void aSpilledMessageWhoseSpillObjectItsDeadConsumerRemovedIsNotDeliveredAgain() {
        MappedRegion region = region(2, false, QueueLayout.MODE_MPMC);
        QueueSlots slots = new QueueSlots(TestParticipants.PLATFORM, region);
        int producer = slots.claimEntry(A);
        int consumer = slots.claimEntry(B);
        long position = slots.tryClaimForProducer(producer);
        String removedSpill = QueueSlots.spillPrefix(region.name()) + "29-1";
        slots.publish(position, slots.writeSpillName(position, removedSpill), QueueLayout.FLAG_SPILLED);
        slots.tryClaimForConsumer(slots.claimEntry(C), false);
        participants.kill(C);
        put(slots, producer, 2);
        assertEquals(-1, slots.tryClaimForProducer(producer));
        List<String> removed = new ArrayList<>();
        assertTrue(slots.recoverAbandonedConsumerSlot(removed::add));
        assertEquals(List.of(removedSpill), removed, "given back, its (gone) spill named for removal");
        assertEquals(List.of(2L), takeAll(slots, consumer), "not delivered again: its consumer had read it whole");
    }

    /** A queue of one message delivers a dead consumer's message again only once the message after it is taken. */
    @Test
    void aQueueOfOneDeliversADeadConsumersMessageAgainOnlyWhenEmpty() {
        QueueSlots slots = queue(1);
        int producer = slots.claimEntry(A);
        int consumer = slots.claimEntry(B);
        put(slots, producer, 1);
        slots.tryClaimForConsumer(slots.claimEntry(C), false);
        participants.kill(C);
        put(slots, producer, 2);
        assertFalse(slots.recoverAbandonedConsumerSlot(spill -> fail("no spill")), "message 2 fills the queue");
        assertEquals(List.of(2L), takeOne(slots, consumer));
        assertTrue(slots.recoverAbandonedConsumerSlot(spill -> fail("no spill")));
        assertEquals(-1, slots.tryClaimForProducer(producer), "full again, with message 1");
        assertEquals(List.of(1L), takeAll(slots, consumer));
    }

    /**
     * A single consumer that dies reading leaves the head where it last stored it: the thread that
     * takes the role next drops what the dead one read before and takes the message it was reading
     * again, first, so the order holds.
     */
    @Test
    void aSingleConsumersSuccessorTakesTheMessageItDiedReadingFirstAndNoneItReadBefore() {
        MappedRegion region = region(8, false, QueueLayout.MODE_MPSC);
        QueueSlots slots = new QueueSlots(TestParticipants.PLATFORM, region);
        // the dying consumer's process has a view of its own: what it keeps unstored dies with it
        QueueSlots dyingView = new QueueSlots(TestParticipants.PLATFORM, region);
        int producer = slots.claimEntry(A);
        for (long value = 1; value <= 5; value++) {
            put(slots, producer, value);
        }
        int dying = dyingView.claimEntry(B);
        dyingView.holdRole(false, dying, B, entry -> false);
        for (long expected = 1; expected <= 3; expected++) {
            long position = dyingView.tryClaimForConsumer(dying, false);
            assertEquals(expected, dyingView.slot(position, Long.BYTES).get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
            if (expected < 3) {
                dyingView.releaseQuietly(position);
            }
        }
        participants.kill(B);
        assertEquals(0, slots.head(), "it died with messages 1 and 2 read, the head not stored, reading 3");
        int successor = slots.claimEntry(C);
        slots.holdRole(false, successor, C, entry -> false);
        assertEquals(2, slots.head());
        assertEquals(List.of(3L, 4L, 5L), takeAll(slots, successor));
    }

    /**
     * A waiting consumer's look reads the slot's second cache line and tests the word there against
     * the slot's offset (only to keep the read); messages that hold exactly that word are taken whole
     * and in order, lap after lap, whether the consumer claims with a CAS or moves the head alone.
     */
    @Test
    void messagesHoldingWhatAConsumersLookTestsTheSecondLineForAreTakenWhole() {
        for (int mode : new int[] {QueueLayout.MODE_MPMC, QueueLayout.MODE_SPSC}) {
            QueueSlots slots = queue(4, mode);
            int producer = slots.claimEntry(A);
            int consumer = slots.claimEntry(B);
            long slotLength = QueueLayout.slotLength(slots.slotData());
            int secondLineInData = (int) (QueueLayout.CACHE_LINE - QueueLayout.SLOT_DATA_OFFSET);
            for (int lap = 0; lap < 3; lap++) {
                List<byte[]> sent = new ArrayList<>();
                for (int index = 0; index < 4; index++) {
                    byte[] message = new byte[64];
                    ByteBuffer bytes = ByteBuffer.wrap(message).order(ByteOrder.nativeOrder());
                    bytes.putLong(0, lap * 4L + index);
                    bytes.putLong(secondLineInData, QueueLayout.SLOTS_OFFSET + index * slotLength);
                    long position = slots.tryClaimForProducer(producer);
                    assertEquals(lap * 4L + index, position);
                    MemorySegment.copy(message, 0, slots.slot(position, message.length), ValueLayout.JAVA_BYTE, 0, message.length);
                    slots.publish(position, message.length, QueueLayout.FLAG_INLINE);
                    sent.add(message);
                }
                for (byte[] message : sent) {
                    long claimed = slots.tryClaimForConsumer(consumer, true);
                    assertTrue(claimed >= 0 && !QueueSlots.isSkippedClaim(claimed), "mode " + mode + ", lap " + lap);
                    long position = QueueSlots.claimedPosition(claimed);
                    assertArrayEquals(message, slots.slot(position, slots.length(position)).toArray(ValueLayout.JAVA_BYTE),
                            "mode " + mode + ", position " + position);
                    slots.releaseQuietly(position);
                }
                slots.wakeProducers();
                assertEquals(-1, slots.tryClaimForConsumer(consumer, true), "nothing more in lap " + lap);
            }
        }
    }

    @Test
    void anEntryClaimedWithSomeKeptFreeLeavesThemToClaimsThatKeepNone() {
        QueueSlots slots = queue(4);
        int keptFree = 32;
        for (int claimed = 0; claimed < QueueLayout.INTENT_ENTRIES - keptFree; claimed++) {
            assertTrue(slots.claimEntry(A, keptFree) >= 0, "entry " + claimed);
        }
        assertEquals(-1, slots.claimEntry(B, keptFree), "only the kept ones are free");
        for (int claimed = 0; claimed < keptFree; claimed++) {
            assertTrue(slots.claimEntry(B) >= 0, "kept entry " + claimed);
        }
        assertEquals(-1, slots.claimEntry(C), "the table is full");
        participants.kill(A);
        assertTrue(slots.claimEntry(C, keptFree) >= 0, "a dead process's settled entries are free again");
    }

    /**
     * The intent table held 128 entries: a 129th process got none and could not use the queue.
     * Entries are used from the first up under a mark that every scan stops at, so recovery
     * still finds the claim of a producer on the 1,001st entry.
     */
    @Test
    void aThousandProcessesEachGetAnEntryAndADeadOnesClaimOnTheLastIsRecovered() {
        QueueSlots slots = queue(4);
        java.util.Set<Integer> entries = new java.util.HashSet<>();
        for (long token = 1_000; token < 2_000; token++) {
            assertTrue(entries.add(slots.claimEntry(token)), "an entry of its own for " + token);
        }
        assertEquals(1_000, slots.entriesUsed());
        int dying = slots.claimEntry(A);
        int consumer = slots.claimEntry(B);
        assertEquals(1_000, dying, "the 1,001st entry");
        assertEquals(0, slots.tryClaimForProducer(dying), "A claims position 0 and never publishes");
        assertFalse(slots.recoverAbandonedProducerSlot(), "a live producer is only slow");
        participants.kill(A);
        assertTrue(slots.recoverAbandonedProducerSlot(), "the claim on the 1,001st entry is seen");
        assertEquals(java.util.Arrays.asList((Long) null), takeAll(slots, consumer));
        assertEquals(1_002, slots.entriesUsed());
    }

    /**
     * A claimer killed between taking the entry above the mark and raising the mark: the next
     * claimer raises the mark for it and takes the entry after, and the dead one's entry is freed
     * as any dead process's is once its intent is settled.
     */
    @Test
    void anEntryTakenAboveTheMarkByAClaimerThatDiedIsCoveredByTheNextClaimer() {
        MappedRegion region = region(4, false, QueueLayout.MODE_MPMC);
        QueueSlots slots = new QueueSlots(TestParticipants.PLATFORM, region);
        MemorySegment body = ObjectHeader.body(region);
        assertEquals(0, slots.claimEntry(A));
        body.set(ValueLayout.JAVA_LONG, QueueLayout.intentOffset(1) + QueueLayout.INTENT_TOKEN_OFFSET, C);
        participants.kill(C);
        assertEquals(2, slots.claimEntry(B), "the entry after the dead claimer's");
        assertEquals(3, slots.entriesUsed(), "the mark covers the dead claimer's entry too");
        // its position was never written: it reads as a producer's intent on position 0, settled once that is published
        put(slots, 2, 7);
        int keepAllButTheThreeUsedFree = QueueLayout.INTENT_ENTRIES - 3;
        assertEquals(1, slots.claimEntry(41_000, keepAllButTheThreeUsedFree), "the dead claimer's entry, freed");
    }

    @Test
    void aMarkOfIntentEntriesOutsideTheTableGivesNoEntryAndNeverHangs() {
        MappedRegion region = region(4, false, QueueLayout.MODE_MPMC);
        QueueSlots slots = new QueueSlots(TestParticipants.PLATFORM, region);
        MemorySegment body = ObjectHeader.body(region);
        body.set(ValueLayout.JAVA_LONG, QueueLayout.INTENTS_USED_OFFSET, -3L);
        assertEquals(-1, slots.claimEntry(A));
        body.set(ValueLayout.JAVA_LONG, QueueLayout.INTENTS_USED_OFFSET, Long.MAX_VALUE);
        assertEquals(QueueLayout.INTENT_ENTRIES, slots.entriesUsed(), "scans keep within the table");
        assertEquals(0, slots.claimEntry(A), "an entry within the table whose token is 0 is still free");
    }

    @Test
    void aQueueOfOneHoldsOneMessageOnItsTwoSlots() {
        QueueSlots slots = queue(1);
        int producer = slots.claimEntry(A);
        int consumer = slots.claimEntry(B);
        put(slots, producer, 1);
        assertEquals(-1, slots.tryClaimForProducer(producer), "full at one message");
        assertEquals(List.of(1L), takeAll(slots, consumer));
        put(slots, producer, 2);
        assertEquals(List.of(2L), takeAll(slots, consumer));
    }
}
