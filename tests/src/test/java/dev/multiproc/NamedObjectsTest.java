package dev.multiproc;

import dev.multiproc.codec.Codec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import dev.multiproc.internal.admin.ObjectNames;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Named objects in one process: open-or-create, the shape and codec checks of every kind, the
 * naming rule, and what removes a named object (only {@code unlink}). Independent processes
 * meeting on them: {@link ServicesTest}.
 */
@Timeout(60)
class NamedObjectsTest extends ContextPerTest {
    /** Names made by this test, unlinked afterwards: named objects outlive contexts by design. */
    private final List<String> names = new ArrayList<>();

    private String name(String what) {
        String name = "t-" + what + "-" + UUID.randomUUID();
        names.add(name);
        return name;
    }

    @AfterEach
    void unlinkNames() {
        try (Multiproc cleaner = Multiproc.create()) {
            names.forEach(cleaner::unlink);
        }
    }

    @Test
    void contextIdsAreSixteenRandomHexDigits() {
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String id = ObjectNames.newContextId();
            assertTrue(id.matches("[0-9a-f]{16}"), id);
            ids.add(id);
        }
        assertEquals(1000, ids.size(), "1000 ids of 64 random bits do not repeat");
        long ones = ids.stream().mapToLong(id -> Long.bitCount(Long.parseUnsignedLong(id, 16))).sum();
        assertTrue(ones > 30_000 && ones < 34_000, "about half of the 64,000 bits are set: " + ones);
    }

    @Test
    void openingANameTwiceGivesTheSameObjectAndItsOsNameIsKeptApartFromGeneratedOnes() throws Exception {
        String name = name("queue");
        SharedQueue<String> made = mp.openQueue(name, Codec.string(), 16);
        try (Multiproc other = Multiproc.create()) {
            SharedQueue<String> opened = other.openQueue(name, Codec.string(), 16);
            made.put("hello");
            assertEquals("hello", opened.take());
            assertEquals("mp-n-" + name, opened.name());
            assertEquals(made.name(), SharedQueue.attach(made.name(), Codec.string()).name(), "attachable by its name too");
        }
    }

    @Test
    void aNamedObjectOutlivesItsCreatorsHandleAndContextAndGarbageCollection() throws Exception {
        String name = name("long");
        try (Multiproc creator = Multiproc.create()) {
            creator.openSharedLong(name, 41).incrementAndGet();
        }
        assertTrue(Multiproc.collectGarbage().stream().noneMatch(removed -> removed.contains(name)));
        SharedLong again = mp.openSharedLong(name, 0);
        assertEquals(42, again.get(), "the value the closed context left; 'initial' only counts for the creator");
        again.close();
        assertTrue(mp.unlink(name));
        assertFalse(mp.unlink(name), "gone");
        assertEquals(0, mp.openSharedLong(name, 0).get(), "opening it again makes a new one");
    }

    @Test
    void everyKindRefusesAnotherShapeNamingBoth() {
        assertMismatch(() -> mp.openQueue(name("q"), Codec.string(), 16).name(), n -> mp.openQueue(n, Codec.string(), 32),
                "a queue of 16 slots", "a queue of 32 slots");
        assertMismatch(() -> mp.openQueue(name("q"), Codec.string(), QueueOptions.of(8)).name(),
                n -> mp.openQueue(n, Codec.string(), QueueOptions.of(8).withSlotBytes(1000)), "of 240 bytes", "of 1008 bytes");
        assertMismatch(() -> mp.openQueue(name("q"), Codec.string(), 8).name(), n -> mp.openJoinableQueue(n, Codec.string(), 8),
                "a queue of 8", "a joinable queue of 8");
        assertMismatch(() -> mp.openQueue(name("q"), Codec.string(), 8).name(), n -> mp.openQueue(n, Codec.longs(), 8),
                "identity 'utf-8'", "identity 'int64-le'");
        assertMismatch(() -> mp.openMap(name("m"), Codec.string(), Codec.longs(), 100).name(),
                n -> mp.openMap(n, Codec.string(), Codec.longs(), 5000), "up to 100 entries", "up to 5000 entries");
        assertMismatch(() -> mp.openMap(name("m"), Codec.string(), Codec.longs(), 100).name(),
                n -> mp.openMap(n, Codec.string(), Codec.doubles(), 100), "values are encoded by a codec of identity 'int64-le'",
                "identity 'float64-le'");
        assertMismatch(() -> mp.openList(name("l"), Codec.string(), 10).name(), n -> mp.openList(n, Codec.string(), 20),
                "up to 10 elements", "up to 20 elements");
        assertMismatch(() -> mp.openSemaphore(name("s"), 4).name(), n -> mp.openSemaphore(n, 5), "made with 4 permits", "made with 5 permits");
        assertMismatch(() -> mp.openSemaphore(name("s"), 4).name(), n -> mp.openBoundedSemaphore(n, 4), "a semaphore made with 4",
                "a bounded semaphore of 4");
        assertMismatch(() -> mp.openBarrier(name("b"), 3).name(), n -> mp.openBarrier(n, 2), "3 parties", "2 parties");
        assertMismatch(() -> mp.openSharedLongArray(name("a"), 16).name(), n -> mp.openSharedLongArray(n, 8), "16 shared longs", "8 shared longs");
        assertMismatch(() -> mp.openSharedLong(name("v"), 1).name(), n -> mp.openSharedLongArray(n, 2), "1 shared long", "2 shared longs");
        assertMismatch(() -> mp.openSharedDoubleArray(name("d"), 4).name(), n -> mp.openSharedDoubleArray(n, 5), "4 shared doubles", "5 shared doubles");
        assertMismatch(() -> mp.openSharedMemory(name("m"), 4096).name(), n -> mp.openSharedMemory(n, 8192), "4096 bytes", "8192 bytes");
        assertMismatch(() -> mp.openLock(name("k")).name(), n -> mp.openReentrantLock(n), "it is a lock", "as a rlock");
        assertMismatch(() -> mp.openEvent(name("e")).name(), n -> mp.openLock(n), "it is a event", "as a lock");
    }

    /** Makes an object with {@code make} (which gives its OS name), then opens its name with {@code reopen}: refused, naming both shapes, memory untouched. */
    private void assertMismatch(java.util.function.Supplier<String> make, java.util.function.Function<String, Object> reopen,
                                String existingShape, String askedShape) {
        String name = ObjectNames.userNameOf(make.get()).orElseThrow();
        IncompatibleSharedObjectException refused = assertThrows(IncompatibleSharedObjectException.class, () -> reopen.apply(name));
        String message = refused.getMessage();
        assertTrue(message.contains(existingShape) && message.contains(askedShape), message);
        assertTrue(message.contains(name), message);
    }

    @Test
    void aCodecWithoutAnIdentityIsNotComparedAndBytesReadAnything() throws Exception {
        String name = name("q");
        SharedQueue<String> strings = mp.openQueue(name, Codec.string(), 8);
        SharedQueue<byte[]> raw = mp.openQueue(name, Codec.bytes(), 8);
        strings.put("abc");
        assertArrayEquals("abc".getBytes(), raw.take());
    }

    @Test
    void namesFollowTheRule() {
        for (String bad : new String[]{"", "a/b", "a b", "é", "a".repeat(201), "x+s1-2"}) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> mp.openLock(bad), bad);
            assertTrue(refused.getMessage().contains("1 to 200"), refused.getMessage());
        }
        String longest = "a".repeat(200);
        names.add(longest);
        assertNotNull(mp.openEvent(longest));
        names.add("._-Az09");
        assertNotNull(mp.openEvent("._-Az09"));
    }

    @LinuxOnly
    @Test
    void aNamedQueueSpillsLikeAnyOtherAndItsSpillsCannotBeNamedObjects() throws Exception {
        String name = name("spill");
        SharedQueue<byte[]> queue = mp.openQueue(name, Codec.bytes(), 4);
        queue.put(new byte[100_000]);
        assertTrue(Multiproc.listObjects().stream().anyMatch(info -> info.name().startsWith("mp-n-" + name + "+s")),
                "the spill is named after its queue, with a character no chosen name has");
        assertEquals(100_000, queue.take().length);
    }

    @LinuxOnly
    @Test
    void lsShowsANamedObjectsNameAndWhoHasItOpen() throws Exception {
        String name = name("event");
        mp.openEvent(name);
        SharedObjectInfo info = Multiproc.listObjects().stream().filter(object -> object.name().equals("mp-n-" + name)).findFirst()
                .orElseThrow();
        assertEquals(name + " (stays until unlinked)", info.details().get("named"));
    }

    @LinuxOnly
    @Test
    void unlinkRemovesEveryKindAndSaysWhetherThereWasOne() {
        List<Executable> opens = List.of(
                () -> mp.openQueue(name("u"), Codec.string()), () -> mp.openJoinableQueue(name("u"), Codec.string()),
                () -> mp.openMap(name("u"), Codec.string(), Codec.string(), 10), () -> mp.openList(name("u"), Codec.string()),
                () -> mp.openLock(name("u")), () -> mp.openReentrantLock(name("u")), () -> mp.openSemaphore(name("u"), 1),
                () -> mp.openBoundedSemaphore(name("u"), 1), () -> mp.openEvent(name("u")), () -> mp.openBarrier(name("u"), 2),
                () -> mp.openSharedLong(name("u"), 0), () -> mp.openSharedDouble(name("u"), 0), () -> mp.openSharedLongArray(name("u"), 2),
                () -> mp.openSharedDoubleArray(name("u"), 2), () -> mp.openSharedMemory(name("u"), 64));
        assertAll(opens);
        for (String name : List.copyOf(names)) {
            assertTrue(mp.unlink(name), name);
            assertFalse(Multiproc.listObjects().stream().anyMatch(info -> info.name().equals("mp-n-" + name)), name);
        }
    }
}
