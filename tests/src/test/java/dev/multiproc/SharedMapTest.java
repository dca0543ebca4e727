package dev.multiproc;

import dev.multiproc.codec.Codec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static dev.multiproc.Children.*;
import static org.junit.jupiter.api.Assertions.*;

/** SharedMap, SharedList and the shared values across real child JVMs. */
@Timeout(300)
class SharedMapTest extends ContextPerTest {
    static String valueOf(long key) {
        return "value-" + key + "-" + Long.toHexString(key * 0x9E3779B97F4A7C15L);
    }

    /** Process {@code p} works on keys [p * 50000, p * 50000 + 100000): overlapping with its neighbours. */
    static void putGetRemove(SharedMap<Long, String> map, SharedBarrier barrier, int process) {
        long from = process * 50_000L;
        try {
            for (long key = from; key < from + 100_000; key++) {
                map.put(key, valueOf(key));
                String read = map.get(key);
                if (!valueOf(key).equals(read)) {
                    System.exit(20);
                }
            }
            barrier.await(120, TimeUnit.SECONDS);
            for (long key = from; key < from + 100_000; key++) {
                if (key % 3 == process) {
                    map.remove(key);
                }
            }
            barrier.await(120, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void threeProcessesPuttingGettingAndRemovingEndAsTheModelSays() throws Exception {
        try (SharedMap<Long, String> map = mp.map(Codec.longs(), Codec.string(), 250_000); SharedBarrier barrier = mp.barrier(3)) {
            List<JvmProcess> workers = start(mp, () -> putGetRemove(map, barrier, 0), () -> putGetRemove(map, barrier, 1),
                    () -> putGetRemove(map, barrier, 2));
            joinAll(workers, 0);
            Map<Long, String> model = new HashMap<>();
            for (int process = 0; process < 3; process++) {
                for (long key = process * 50_000L; key < process * 50_000L + 100_000; key++) {
                    model.put(key, valueOf(key));
                }
            }
            for (int process = 0; process < 3; process++) {
                for (long key = process * 50_000L; key < process * 50_000L + 100_000; key++) {
                    if (key % 3 == process) {
                        model.remove(key);
                    }
                }
            }
            assertEquals(model.size(), map.size());
            for (Map.Entry<Long, String> entry : model.entrySet()) {
                assertEquals(entry.getValue(), map.get(entry.getKey()), "key " + entry.getKey());
            }
            assertEquals(model, new HashMap<>(map), "and nothing else is there");
        }
    }

    @Test
    void mergedCountersSumExactlyAcrossProcesses() throws Exception {
        try (SharedMap<String, Long> counters = mp.map(Codec.string(), Codec.longs(), 1000)) {
            SerializableRunnable counting = () -> {
                for (int i = 0; i < 10_000; i++) {
                    counters.merge("key-" + (i % 100), 1L, Long::sum);
                }
            };
            joinAll(start(mp, counting, counting, counting), 0);
            assertEquals(100, counters.size());
            for (int key = 0; key < 100; key++) {
                assertEquals(300L, counters.get("key-" + key), "key-" + key);
            }
        }
    }

    @Test
    void aFullMapSaysWhatIsFullAndChangesNothing() {
        try (SharedMap<Integer, String> map = mp.map(Codec.ints(), Codec.string(), MapOptions.of(100).withStripes(1))) {
            MapFullException full = null;
            int put = 0;
            try {
                for (; put < 10_000; put++) {
                    map.put(put, "v" + put);
                }
            } catch (MapFullException e) {
                full = e;
            }
            assertNotNull(full, "a map made for 100 entries refuses 10,000");
            assertTrue(full.getMessage().contains("entries") && full.getMessage().contains("MapOptions"), full.getMessage());
            assertEquals(put, map.size(), "the refused put left nothing");
            assertNull(map.get(put));
            String huge = "x".repeat(1 << 20);
            MapFullException tooBig = assertThrows(MapFullException.class, () -> map.replace(0, huge));
            assertTrue(tooBig.getMessage().contains("bytes"), tooBig.getMessage());
            assertEquals("v0", map.get(0), "the failed replace changed nothing");
        }
    }

    @Test
    void largeValuesFitAMapSizedForThem() {
        MapOptions options = MapOptions.of(200).withAverageValueBytes(20_000);
        try (SharedMap<Integer, byte[]> map = mp.map(Codec.ints(), Codec.bytes(), options)) {
            Random random = new Random(3);
            Map<Integer, byte[]> model = new HashMap<>();
            for (int i = 0; i < 1000; i++) {
                int key = random.nextInt(150);
                byte[] value = new byte[random.nextInt(40_000)];
                random.nextBytes(value);
                map.put(key, value);
                model.put(key, value);
            }
            assertEquals(model.size(), map.size());
            model.forEach((key, value) -> assertArrayEquals(value, map.get(key), "key " + key));
        }
    }

    @Test
    void overwritingKeysCompactsBackAndForthForAnySizing() {
        for (int entries : new int[]{1, 7, 333, 10_000}) {
            for (int valueBytes : new int[]{1, 8, 100}) {
                MapOptions options = MapOptions.of(entries).withAverageKeyBytes(16).withAverageValueBytes(valueBytes);
                try (SharedMap<String, byte[]> map = mp.map(Codec.string(), Codec.bytes(), options)) {
                    Map<String, byte[]> model = new HashMap<>();
                    Random random = new Random(entries * 31L + valueBytes);
                    int keys = Math.max(1, entries / 2);
                    for (int write = 0; write < 20 * keys + 2000; write++) {
                        String key = String.format("key-%012d", random.nextInt(keys));
                        byte[] value = new byte[random.nextInt(2 * valueBytes + 1)];
                        random.nextBytes(value);
                        map.put(key, value);
                        model.put(key, value);
                    }
                    String sizing = entries + " entries of " + valueBytes + " bytes: ";
                    assertEquals(model.size(), map.size(), sizing + "size");
                    model.forEach((key, value) -> assertArrayEquals(value, map.get(key), sizing + key));
                }
            }
        }
    }

    @LinuxOnly
    @Test
    void listingsShowEntriesAndValues() {
        try (SharedMap<String, String> map = mp.map(Codec.string(), Codec.string(), 100);
             SharedList<String> list = mp.list(Codec.string(), 10);
             SharedLongArray longs = mp.sharedLongArray(6);
             SharedDouble half = mp.sharedDouble(0.5)) {
            map.put("a", "1");
            map.put("b", "2");
            list.add("x");
            for (int i = 0; i < longs.length(); i++) {
                longs.set(i, i + 5);
            }
            Map<String, Map<String, String>> details = new HashMap<>();
            Multiproc.listObjects().forEach(object -> details.put(object.name(), object.details()));
            assertEquals("2/100", details.get(map.name()).get("entries"), details.get(map.name()).toString());
            assertEquals("1/10", details.get(list.name()).get("entries"));
            assertEquals("6", details.get(longs.name()).get("length"));
            assertEquals("[5, 6, 7, 8, ...]", details.get(longs.name()).get("values"));
            assertEquals("[0.5]", details.get(half.name()).get("values"));
        }
    }

    /** Rewrites random keys with their value forever (until killed). */
    static void writeForever(SharedMap<Long, String> map) {
        Random random = new Random();
        while (true) {
            long key = random.nextInt(5_000);
            if (random.nextInt(4) == 0) {
                map.remove(key);
            } else {
                map.put(key, valueOf(key) + "-" + "padding".repeat(random.nextInt(20)));
            }
        }
    }

    @Test
    void iterationWhileOthersWriteSeesOnlyWholeEntries() throws Exception {
        try (SharedMap<Long, String> map = mp.map(Codec.longs(), Codec.string(), 10_000)) {
            JvmProcess writer = start(mp, () -> writeForever(map)).getFirst();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            int seen = 0;
            while (System.nanoTime() < deadline) {
                for (Map.Entry<Long, String> entry : map.entrySet()) {
                    assertTrue(entry.getValue().startsWith(valueOf(entry.getKey())), "whole entry: " + entry);
                    seen++;
                }
                map.forEach((key, value) -> assertTrue(value.startsWith(valueOf(key))));
            }
            writer.kill();
            assertTrue(seen > 0, "the writer wrote something");
        }
    }

    @Test
    void writersKilledAtRandomMomentsLeaveEveryEntryWholeAndTheMapUsable() throws Exception {
        Random random = new Random(7);
        try (SharedMap<Long, String> map = mp.map(Codec.longs(), Codec.string(), MapOptions.of(10_000).withStripes(2))) {
            for (int round = 0; round < 20; round++) {
                JvmProcess writer = start(mp, () -> writeForever(map)).getFirst();
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(400 + random.nextInt(400));
                while (System.nanoTime() < until) {
                    Thread.sleep(5);
                }
                writer.kill();
                assertTrue(writer.join(Duration.ofSeconds(10)));
                int counted = 0;
                for (Map.Entry<Long, String> entry : map.entrySet()) {
                    assertTrue(entry.getValue().startsWith(valueOf(entry.getKey())), "round " + round + ": whole entry " + entry);
                    counted++;
                }
                long key = 1_000_000L + round;
                map.put(key, valueOf(key));
                assertEquals(valueOf(key), map.get(key), "round " + round + ": the map goes on");
                assertEquals(counted + 1, map.size(), "round " + round + ": size agrees with the entries");
                map.remove(key);
            }
        }
    }

    /**
     * Starts a child running {@code work} (which sets the event it is given once it works), lets
     * it work for {@code millis}, and kills it.
     */
    private void killWhileWorking(Function<SharedEvent, SerializableRunnable> work, long millis, String when)
            throws Exception {
        try (SharedEvent working = mp.event()) {
            JvmProcess worker = start(mp, work.apply(working)).getFirst();
            try {
                assertTrue(working.await(60, TimeUnit.SECONDS), when + ": the child began");
                Thread.sleep(millis);
            } finally {
                worker.kill();
            }
            assertTrue(worker.join(Duration.ofSeconds(10)), when + ": the child ended");
        }
    }

    private static final int REPLACED_VALUE_BYTES = 64;

    /** Replaces the values of 100 keys in place forever (until killed): each value 64 equal bytes, a new byte each time. */
    static void replaceInPlaceForever(SharedMap<Long, byte[]> map, SharedEvent writing) {
        Random random = new Random();
        byte[] value = new byte[REPLACED_VALUE_BYTES];
        writing.set();
        while (true) {
            Arrays.fill(value, (byte) random.nextInt());
            map.put((long) random.nextInt(100), value);
        }
    }

    /**
     * Kills land anywhere in the writer's loop, and the repair of each dead writer's stripe must
     * leave every value one write's bytes. A replacement's bytes take nanoseconds to write, so a
     * kill rarely lands inside one (a writer without the undo area passed here 80 kills in a row);
     * {@code MapProtocolTest} places a death there.
     */
    @Test
    void writersKilledWhileReplacingValuesInPlaceLeaveEachValueOldOrNewNeverMixed() throws Exception {
        Random random = new Random(11);
        try (SharedMap<Long, byte[]> map = mp.map(Codec.longs(), Codec.bytes(), MapOptions.of(1_000).withStripes(1))) {
            for (long key = 0; key < 100; key++) {
                map.put(key, new byte[REPLACED_VALUE_BYTES]);
            }
            for (int round = 0; round < 20; round++) {
                killWhileWorking(working -> () -> replaceInPlaceForever(map, working), 20 + random.nextInt(100), "round " + round);
                for (long key = 0; key < 100; key++) {
                    byte[] value = map.get(key);
                    assertEquals(REPLACED_VALUE_BYTES, value.length, "round " + round + ", key " + key);
                    for (byte b : value) {
                        assertEquals(value[0], b, "round " + round + ", key " + key + ": one write's bytes, not two: " + Arrays.toString(value));
                    }
                }
                map.put(0L, new byte[REPLACED_VALUE_BYTES]);
                assertEquals(100, map.size(), "round " + round + ": the map goes on");
            }
        }
    }

    private static final int ROTATED_ELEMENTS = 400;

    /**
     * Rotates the list forever (until killed): the first element to the end, then the last to
     * the front — a removal and an insertion at index 0 each move every other element.
     */
    static void rotateForever(SharedList<String> list, SharedEvent rotating) {
        rotating.set();
        while (true) {
            list.add(list.remove(0));
            list.add(0, list.remove(list.size() - 1));
            list.add(list.remove(0));
        }
    }

    /**
     * A list insertion or removal in the middle moves each later element with a put of its own;
     * a process killed part-way must leave the list as one whole change would. Before the list
     * move word, one kill in two left an element twice (a removal half done) or a half-done
     * insertion's copy.
     */
    @Test
    void processesKilledWhileInsertingAndRemovingAtTheFrontLeaveTheListWholeAndInOrder() throws Exception {
        Random random = new Random(13);
        try (SharedList<String> list = mp.list(Codec.string(), 1_000)) {
            for (int element = 0; element < ROTATED_ELEMENTS; element++) {
                list.add("element-" + element);
            }
            for (int round = 0; round < 16; round++) {
                killWhileWorking(working -> () -> rotateForever(list, working), 50 + random.nextInt(150), "round " + round);
                // size() finds the dead rotator's stripe (version odd, lock held) and repairs it
                int size = list.size();
                assertTrue(size == ROTATED_ELEMENTS || size == ROTATED_ELEMENTS - 1,
                        "round " + round + ": every element, or all but the one the rotator held when killed: " + size);
                List<String> copy = new ArrayList<>(list);
                assertEquals(size, copy.size(), "round " + round);
                String first = copy.getFirst();
                // the element a rotator holds between its removal and its insertion is the one before the first
                int start = Integer.parseInt(first.substring("element-".length()));
                for (int index = 0; index < copy.size(); index++) {
                    assertEquals("element-" + (start + index) % ROTATED_ELEMENTS, copy.get(index),
                            "round " + round + ": each element once, in rotated order; around index " + index + ": "
                                    + copy.subList(Math.max(0, index - 2), Math.min(copy.size(), index + 3)));
                }
                if (copy.size() < ROTATED_ELEMENTS) {
                    list.add("element-" + (start + ROTATED_ELEMENTS - 1) % ROTATED_ELEMENTS);
                }
            }
            assertEquals(ROTATED_ELEMENTS, list.size(), "the list goes on");
        }
    }

    @Test
    void sharedValuesAndArraysUnderContentionAddUpExactly() throws Exception {
        try (SharedLong counter = mp.sharedLong(0); SharedDouble total = mp.sharedDouble(0.0);
             SharedLongArray slots = mp.sharedLongArray(4); SharedDoubleArray halves = mp.sharedDoubleArray(2)) {
            SerializableRunnable adding = () -> {
                for (int i = 0; i < 100_000; i++) {
                    counter.incrementAndGet();
                    total.addAndGet(0.5);
                    slots.getAndAdd(i % 4, 2);
                    halves.addAndGet(i % 2, 0.25);
                }
                counter.accumulateAndGet(1_000, Long::sum);
            };
            joinAll(start(mp, adding, adding), 0);
            assertEquals(202_000L, counter.get());
            assertEquals(100_000.0, total.get());
            assertArrayEquals(new long[]{100_000, 100_000, 100_000, 100_000}, slots.toArray());
            assertArrayEquals(new double[]{25_000.0, 25_000.0}, halves.toArray());
            assertTrue(counter.compareAndSet(202_000L, 5L));
            assertEquals(5L, counter.get());
            assertEquals(4, slots.length());
            assertThrows(IndexOutOfBoundsException.class, () -> slots.get(4));
            assertThrows(IllegalArgumentException.class, () -> mp.sharedLongArray(0));
        }
    }

    @Test
    void aSharedListAppendsFromSeveralProcessesAndKeepsEveryElement() throws Exception {
        try (SharedList<String> list = mp.list(Codec.string(), 10_000)) {
            SerializableRunnable appending = () -> {
                String process = Long.toString(JvmProcess.current().pid().orElseThrow());
                for (int i = 0; i < 1000; i++) {
                    list.add(process + ":" + i);
                }
            };
            List<JvmProcess> writers = start(mp, appending, appending);
            joinAll(writers, 0);
            assertEquals(2000, list.size());
            List<String> copy = new ArrayList<>(list);
            for (JvmProcess writer : writers) {
                List<String> mine = copy.stream().filter(e -> e.startsWith(writer.pid().orElseThrow() + ":")).toList();
                assertEquals(1000, mine.size());
                for (int i = 0; i < 1000; i++) {
                    assertEquals(writer.pid().orElseThrow() + ":" + i, mine.get(i), "each process's appends keep their order");
                }
            }
            list.add(0, "first");
            assertEquals("first", list.get(0));
            assertEquals(copy.get(0), list.get(1));
            assertEquals("first", list.remove(0));
            assertEquals(copy.get(0), list.set(0, "replaced"));
            assertEquals("replaced", list.get(0));
            assertThrows(IndexOutOfBoundsException.class, () -> list.get(2000));
            list.clear();
            assertTrue(list.isEmpty());
        }
    }

    @Test
    void theMapIsAConcurrentMap() {
        try (SharedMap<String, Integer> map = mp.map(Codec.string(), Codec.ints(), 100)) {
            assertNull(map.putIfAbsent("a", 1));
            assertEquals(1, map.putIfAbsent("a", 2));
            assertTrue(map.replace("a", 1, 3));
            assertFalse(map.replace("a", 1, 4));
            assertEquals(3, map.replace("a", 5));
            assertNull(map.replace("zz", 1));
            assertEquals(7, map.compute("b", (k, v) -> v == null ? 7 : v + 1));
            assertEquals(8, map.computeIfPresent("b", (k, v) -> v + 1));
            assertEquals(9, map.computeIfAbsent("c", k -> 9));
            assertEquals(9, map.computeIfAbsent("c", k -> 10));
            assertNull(map.computeIfPresent("b", (k, v) -> null));
            assertFalse(map.containsKey("b"));
            assertEquals(2, map.size());
            assertTrue(map.containsValue(9));
            assertFalse(map.remove("a", 4));
            assertTrue(map.remove("a", 5));
            assertEquals(Map.of("c", 9), Map.copyOf(map));
            assertEquals(Map.of("c", 9), map);
            assertThrows(NullPointerException.class, () -> map.put(null, 1));
            assertThrows(NullPointerException.class, () -> map.put("x", null));
            IllegalStateException recursive = assertThrows(IllegalStateException.class,
                    () -> map.compute("c", (k, v) -> map.put(k, 1)));
            assertTrue(recursive.getMessage().contains("recursive"), recursive.getMessage());
            map.keySet().removeIf(k -> k.equals("c"));
            assertTrue(map.isEmpty());
        }
    }
}
