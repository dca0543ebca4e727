package dev.multiproc.internal.shm;

import dev.multiproc.internal.shm.header.ObjectHeaderLayout;
import dev.multiproc.internal.shm.map.KeyHash;
import dev.multiproc.internal.shm.map.MapLayout;
import dev.multiproc.internal.shm.map.MapStripe;
import dev.multiproc.internal.shm.map.MapStripes;
import dev.multiproc.internal.shm.map.StripeFullException;
import dev.multiproc.spi.MappedRegion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A list's element moves (spec/map.md "List moves"), in one JVM: a writer that dies after any
 * step of an insertion or removal leaves a list that the next reader's repair makes whole.
 * The dead writer is played by hand, as the spec's steps, so each death point is met.
 */
@Timeout(60)
class ListMovesProtocolTest {
    private static final long WRITER = 61;
    private static final long READER = 62;
    private static final int BUCKETS = 64;
    private static final int ENTRIES = 24;
    private static final int SIZE = 6;
    /** Where the dead writer's insertion or removal goes. */
    private static final int INDEX = 2;
    private final TestParticipants participants = new TestParticipants();

    /** Elements of three lengths, so that some moves replace in place and others write new records. */
    private static byte[] element(String name) {
        return (name + "-" + "x".repeat(Math.floorMod(name.hashCode(), 3) * 20)).getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> names(int... numbers) {
        List<String> names = new ArrayList<>();
        for (int number : numbers) {
            names.add("e" + number);
        }
        return names;
    }

    private record StripeList(MappedRegion region, MapStripe stripe, long stripeStart) {
    }

    private StripeList newList(int recordBytes, List<String> elements) {
        MappedRegion region = participants.object(MapLayout.length(1, BUCKETS, recordBytes));
        MapStripes.initialise(region, 1, ENTRIES, BUCKETS, recordBytes, ENTRIES);
        MapStripe stripe = MapStripes.open(TestParticipants.PLATFORM, region).stripes()[0];
        StripeList list = new StripeList(region, stripe, ObjectHeaderLayout.LENGTH + MapLayout.STRIPES_START);
        stripe.lock(WRITER, 1);
        try {
            for (int index = 0; index < elements.size(); index++) {
                put(list, index, element(elements.get(index)));
            }
        } finally {
            stripe.unlock();
        }
        return list;
    }

    private static void put(StripeList list, int index, byte[] element) {
        byte[] key = MapStripe.listKey(index);
        list.stripe().put(KeyHash.of(key), key, element);
    }

    private static byte[] locked(StripeList list, int index) {
        byte[] key = MapStripe.listKey(index);
        return list.stripe().getLocked(KeyHash.of(key), key);
    }

    private static void storeMove(StripeList list, long move) {
        list.region().segment().set(ValueLayout.JAVA_LONG, list.stripeStart() + MapLayout.LIST_MOVE_OFFSET, move);
    }

    /** The list as a reader sees it: the first read meets the dead writer's stripe and repairs it. */
    private static List<byte[]> read(StripeList list) {
        List<byte[]> elements = new ArrayList<>();
        for (int index = 0; ; index++) {
            byte[] key = MapStripe.listKey(index);
            byte[] element = list.stripe().get(KeyHash.of(key), key, READER, 2);
            if (element == null) {
                return elements;
            }
            elements.add(element);
        }
    }

    private static void assertList(List<String> expected, StripeList list, String when) {
        List<byte[]> read = read(list);
        List<String> seen = read.stream().map(bytes -> new String(bytes, StandardCharsets.UTF_8).split("-")[0]).toList();
        assertEquals(expected, seen, when);
        for (int index = 0; index < read.size(); index++) {
            assertArrayEquals(element(expected.get(index)), read.get(index), when + ": element " + index + " whole");
        }
        assertEquals(expected.size(), list.stripe().count(), when + ": counted");
        assertEquals(0, list.stripe().version() % 2, when + ": the write ended");
        assertEquals(MapLayout.NO_LIST_MOVE, list.region().segment().get(ValueLayout.JAVA_LONG,
                list.stripeStart() + MapLayout.LIST_MOVE_OFFSET), when + ": the moves finished");
    }

    /** Plays a writer that takes the lock, makes the version odd, and then dies. */
    private void beginDyingWrite(StripeList list) {
        list.stripe().lock(WRITER, 1);
        long versionAt = list.stripeStart() + MapLayout.VERSION_OFFSET;
        list.region().segment().set(ValueLayout.JAVA_LONG, versionAt, list.stripe().version() + 1);
    }

    /**
     * Death points of an insertion at {@value #INDEX} of six elements: {@code died / 2} whole
     * steps (each: store the move word, then put), and for an odd {@code died} the next step's word
     * stored but not its put. Step 5 is the new element's put; after it, the word is cleared.
     */
    @ParameterizedTest(name = "died after {0} half-steps")
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void anInsertionCutShortAtAnyStepIsUndoneWhole(int died) {
        StripeList list = newList(4096, names(0, 1, 2, 3, 4, 5));
        beginDyingWrite(list);
        int halfSteps = 0;
        for (int target = SIZE; target >= INDEX && halfSteps < died; target--) {
            storeMove(list, MapLayout.listMove(target + 1, SIZE));
            if (++halfSteps == died) {
                break;
            }
            put(list, target, target == INDEX ? element("new") : locked(list, target - 1));
            halfSteps++;
        }
        participants.kill(WRITER);
        assertList(names(0, 1, 2, 3, 4, 5), list, "died after " + died + " half-steps");
        assertEquals(SIZE, list.stripe().count());
    }

    /** Death points of a removal at {@value #INDEX} of six elements, as above (three moves, then the last key's removal). */
    @ParameterizedTest(name = "died after {0} half-steps")
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8})
    void aRemovalCutShortAtAnyStepIsCompletedWhole(int died) {
        StripeList list = newList(4096, names(0, 1, 2, 3, 4, 5));
        beginDyingWrite(list);
        int halfSteps = 0;
        for (int from = INDEX + 1; from <= SIZE && halfSteps < died; from++) {
            storeMove(list, MapLayout.listMove(from, SIZE - 1));
            if (++halfSteps == died) {
                break;
            }
            byte[] key = MapStripe.listKey(from == SIZE ? SIZE - 1 : from - 1);
            if (from == SIZE) {
                list.stripe().remove(KeyHash.of(key), key);
            } else {
                list.stripe().put(KeyHash.of(key), key, locked(list, from));
            }
            halfSteps++;
        }
        participants.kill(WRITER);
        List<String> expected = died == 0 ? names(0, 1, 2, 3, 4, 5) : names(0, 1, 3, 4, 5);
        assertList(expected, list, "died after " + died + " half-steps");
    }

    @Test
    void insertionsAndRemovalsMoveTheElementsAndClearTheWord() {
        StripeList list = newList(4096, names(0, 1, 2, 3, 4, 5));
        list.stripe().lock(WRITER, 1);
        try {
            list.stripe().insertListElement(INDEX, SIZE, element("e9"));
            list.stripe().insertListElement(0, SIZE + 1, element("e8"));
            list.stripe().insertListElement(SIZE + 2, SIZE + 2, element("e7"));
            assertArrayEquals(element("e1"), list.stripe().removeListElement(2, SIZE + 3));
        } finally {
            list.stripe().unlock();
        }
        assertList(names(8, 0, 9, 2, 3, 4, 5, 7), list, "after three insertions and a removal");
    }

    @Test
    void aMoveWordThatNamesNoMovesTheListCouldHaveIsRefusedByTheRepair() {
        StripeList list = newList(4096, names(0, 1, 2));
        beginDyingWrite(list);
        storeMove(list, MapLayout.listMove(0, 2));
        participants.kill(WRITER);
        byte[] key = MapStripe.listKey(0);
        RuntimeException refused = assertThrows(RuntimeException.class, () -> list.stripe().get(KeyHash.of(key), key, READER, 2));
        assertTrue(refused.getMessage().contains("list move"), refused.getMessage());
    }

    /**
     * A move writes a copy while its original stands: an insertion whose moves might not fit the
     * record area fails before its first move, leaving the list as it was.
     */
    @Test
    void anInsertionWhoseMovesMightNotFitFailsBeforeChangingAnything() {
        // six records of 32, 48 and 72 bytes: 304 live; two copies of the longest do not fit beside them in 384
        StripeList list = newList(384, names(0, 1, 2, 3, 4, 5));
        list.stripe().lock(WRITER, 1);
        try {
            StripeFullException full = assertThrows(StripeFullException.class,
                    () -> list.stripe().insertListElement(0, SIZE, element("e99")));
            assertFalse(full.entriesExhausted());
        } finally {
            list.stripe().unlock();
        }
        assertList(names(0, 1, 2, 3, 4, 5), list, "after the refused insertion");
    }
}
