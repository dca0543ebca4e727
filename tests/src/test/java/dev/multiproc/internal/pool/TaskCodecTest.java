package dev.multiproc.internal.pool;

import dev.multiproc.SerializableCallable;
import dev.multiproc.SerializableFunction;
import dev.multiproc.WithoutNativePlatform;
import dev.multiproc.codec.Deserialization;
import dev.multiproc.internal.process.TargetBytes;
import org.junit.jupiter.api.Test;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The pool's wire format: every packed kind, the serialised fallback and failures read back equal. */
@WithoutNativePlatform
class TaskCodecTest {

    /** A task's items as the pool encodes a chunk: a range of the whole list's references. */
    private static byte[] encoded(List<?> items) {
        Object[] padded = new Object[items.size() + 2];
        System.arraycopy(items.toArray(), 0, padded, 1, items.size());
        return TaskCodec.encodeItems(padded, 1, 1 + items.size());
    }

    private static List<?> roundTrip(List<?> items) {
        byte[] work = TargetBytes.serialise((SerializableFunction<Object, Object>) x -> x, "test");
        TaskCodec.Task task = TaskCodec.decodeTask(TaskCodec.encodeTask(7, 1, work, true, encoded(items)), new WorkCache());
        assertEquals(7, task.id());
        PoolWorker.Result result = TaskCodec.decodeResult(TaskCodec.encodeResult(7, task.items().toArray(), null, -1));
        assertNull(result.failure());
        return result.values();
    }

    @Test
    void everyKindOfItemsComesBackEqual() {
        List<List<?>> cases = List.of(
                List.of(1, -2, Integer.MAX_VALUE, Integer.MIN_VALUE),
                List.of(1L, -2L, Long.MAX_VALUE, Long.MIN_VALUE),
                List.of(0.5, -0.0, Double.NaN, Double.POSITIVE_INFINITY),
                List.of("", "ascii", "ünïcödé ✓", "x".repeat(100_000)),
                List.of(1, 2L, "mixed"),
                List.of(Duration.ofSeconds(3), Duration.ZERO),
                List.of());
        for (List<?> items : cases) {
            assertEquals(items, roundTrip(items), items.toString());
        }
        List<Object> withNull = new ArrayList<>(Arrays.asList(1, null, 3));
        assertEquals(withNull, roundTrip(withNull), "a null item falls back to serialisation");
        List<Integer> many = new ArrayList<>();
        for (int i = 0; i < 300_000; i++) {
            many.add(i * 7);
        }
        assertEquals(many, roundTrip(many), "the buffer grows past its first guess");
    }

    @Test
    void aResultReadFromAReusedBufferEndsAtItsLengthAndKeepsNothingOfTheBuffer() {
        byte[] message = TaskCodec.encodeResult(3, new Object[] {"kept", 5, 6L}, null, -1);
        byte[] buffer = new byte[message.length + 64];
        Arrays.fill(buffer, (byte) 0x7f);
        System.arraycopy(message, 0, buffer, 0, message.length);
        PoolWorker.Result result = TaskCodec.decodeResult(buffer, message.length, null);
        assertEquals(3, result.id());
        Arrays.fill(buffer, (byte) 0);
        assertEquals(List.of("kept", 5, 6L), result.values(), "the values owe nothing to the buffer, which the next result overwrites");
        System.arraycopy(message, 0, buffer, 0, message.length);
        assertThrows(RuntimeException.class, () -> TaskCodec.decodeResult(buffer, message.length - 1, null),
                "a length that cuts the result short is refused, whatever the buffer holds after it");
    }

    @Test
    void aFailureComesBackWithItsItemAndMessage() {
        PoolWorker.Result result = TaskCodec.decodeResult(
                TaskCodec.encodeResult(9, null, new IllegalArgumentException("bad item"), 4));
        assertEquals(9, result.id());
        assertEquals(4, result.failedItem());
        assertInstanceOf(IllegalArgumentException.class, result.failure());
        assertEquals("bad item", result.failure().getMessage());
    }

    @Test
    void encodedItemsSentAgainWithOrWithoutTheWorkReadTheSame() {
        byte[] work = TargetBytes.serialise((SerializableFunction<Integer, Integer>) x -> x, "test");
        byte[] items = encoded(List.of(4, 5, 6));
        WorkCache first = new WorkCache();
        assertEquals(List.of(4, 5, 6), TaskCodec.decodeTask(TaskCodec.encodeTask(1, 7, work, false, items), rememberingWork(work, 7)).items(),
                "the head written in place in front of the items");
        TaskCodec.Task withWork = TaskCodec.decodeTask(TaskCodec.encodeTask(2, 7, work, true, items), first);
        assertEquals(2, withWork.id());
        assertEquals(List.of(4, 5, 6), withWork.items(), "the items copied behind the work");
        TaskCodec.Task again = TaskCodec.decodeTask(TaskCodec.encodeTask(3, 7, work, false, items), first);
        assertEquals(3, again.id(), "a task sent again (its worker died) carries its new head");
        assertEquals(List.of(4, 5, 6), again.items());
    }

    private static WorkCache rememberingWork(byte[] work, long workId) {
        WorkCache cache = new WorkCache();
        TaskCodec.decodeTask(TaskCodec.encodeTask(0, workId, work, true, TaskCodec.encodeItems(null, 0, 0)), cache);
        return cache;
    }

    @Test
    void aCallHasNoItems() {
        byte[] work = TargetBytes.serialise((SerializableCallable<Integer>) () -> 1, "test");
        TaskCodec.Task task = TaskCodec.decodeTask(TaskCodec.encodeTask(3, 1, work, true, TaskCodec.encodeItems(null, 0, 0)), new WorkCache());
        assertNull(task.items());
        assertInstanceOf(SerializableCallable.class, task.work());
    }

    @Test
    void aWorkGoesOnceAndLaterTasksFindItByIdInTheSameCacheThePoolKeeps() {
        byte[] work = TargetBytes.serialise((SerializableFunction<Integer, Integer>) x -> x + 1, "test");
        WorkCache pool = new WorkCache();
        WorkCache worker = new WorkCache();
        for (long id = 1; id <= 2 * WorkCache.CAPACITY + 10; id++) {
            long workId = id % 3 == 0 ? 1000 : id;
            boolean withWork = !pool.holds(workId);
            pool.sent(workId);
            assertTrue(!withWork || workId != 1000 || id == 3, "a work used every third task goes once: task " + id);
            byte[] message = TaskCodec.encodeTask(id, workId, work, withWork, encoded(List.of(1)));
            assertInstanceOf(SerializableFunction.class, TaskCodec.decodeTask(message, worker).work(), "task " + id);
        }
        byte[] withoutWork = TaskCodec.encodeTask(99, 2, work, false, encoded(List.of(1)));
        IllegalStateException forgotten = assertThrows(IllegalStateException.class, () -> TaskCodec.decodeTask(withoutWork, worker),
                "work 2 was evicted on both sides long ago: the pool would have sent it");
        assertTrue(forgotten.getMessage().contains("neither sent nor remembered"), forgotten.getMessage());
        byte[] unreadable = TaskCodec.encodeTask(100, 500, new byte[]{1, 2, 3}, true, encoded(List.of(1)));
        assertThrows(IllegalStateException.class, () -> TaskCodec.decodeTask(unreadable, worker));
        IllegalStateException again = assertThrows(IllegalStateException.class,
                () -> TaskCodec.decodeTask(TaskCodec.encodeTask(101, 500, work, false, encoded(List.of(1))), worker));
        assertTrue(again.getMessage().contains("could not be read when it came"), again.getMessage());
    }

    @Test
    void aTaskSkippedUnreadStillLeavesItsWorkWithTheWorkerAsThePoolCountedIt() {
        byte[] work = TargetBytes.serialise((SerializableFunction<Integer, Integer>) x -> x + 1, "test");
        WorkCache works = new WorkCache();
        TaskCodec.keepWork(TaskCodec.encodeTask(1, 9, work, true, encoded(List.of(1))), works);
        TaskCodec.Task next = TaskCodec.decodeTask(TaskCodec.encodeTask(2, 9, work, false, encoded(List.of(41))), works);
        assertEquals(42, ((SerializableFunction<Object, Object>) next.work()).apply(next.items().getFirst()));
    }

    @Test
    void aChunksResultIsReadIntoItsPlaceInTheMapsArrayAndMustFillIt() {
        List<List<?>> cases = List.of(List.of(7, 8, 9), List.of(7L, 8L, 9L), List.of(0.5, 1.5, 2.5), List.of("a", "bé", ""),
                List.of(1, "mixed", 2L));
        for (List<?> values : cases) {
            Object[] results = {"before", null, null, null, "after"};
            byte[] message = TaskCodec.encodeResult(5, values.toArray(), null, -1);
            PoolWorker.Result result = TaskCodec.decodeResult(message, message.length, new ResultSlice(results, 1, 4));
            assertEquals(values, result.values(), values.toString());
            assertEquals(List.of("before", values.get(0), values.get(1), values.get(2), "after"), Arrays.asList(results),
                    "read in place, the neighbours untouched: " + values);
            assertThrows(RuntimeException.class, () -> TaskCodec.decodeResult(message, message.length, new ResultSlice(new Object[4], 0, 4)),
                    "a result of 3 values cannot answer a chunk of 4 items: " + values);
        }
    }

    @Test
    void aMapsResultsGrowAndShrinkAsAnArrayListAndTravelAsOne() throws Exception {
        List<Object> results = new MapResults<>(new Object[] {1, 2, 3});
        results.add(4);
        results.add(0, 0);
        assertEquals(List.of(0, 1, 2, 3, 4), results);
        assertEquals(2, results.remove(2));
        results.set(0, "zero");
        assertEquals(List.of("zero", 1, 3, 4), results);
        results.addAll(List.of(5, 6, 7, 8, 9, 10));
        results.subList(1, 4).clear();
        assertEquals(List.of("zero", 5, 6, 7, 8, 9, 10), results);
        assertThrows(IndexOutOfBoundsException.class, () -> results.get(7));
        assertThrows(IndexOutOfBoundsException.class, () -> results.add(8, "past the end"));
        Object read = Deserialization.read(TargetBytes.serialise((Serializable) results, "test"));
        assertEquals(ArrayList.class, read.getClass(), "a reader needs no class of the pool's");
        assertEquals(results, read);
    }
}
