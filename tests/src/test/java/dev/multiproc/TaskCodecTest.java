package dev.multiproc;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The pool's wire format: every packed kind, the serialised fallback and failures read back equal. */
@WithoutNativePlatform
class TaskCodecTest {

    private static List<?> roundTrip(List<?> items) {
        byte[] work = JvmProcess.serialise((SerializableFunction<Object, Object>) x -> x, "test");
        TaskCodec.Task task = TaskCodec.decodeTask(TaskCodec.encodeTask(7, work, items));
        assertEquals(7, task.id());
        PoolWorker.Result result = TaskCodec.decodeResult(TaskCodec.encodeResult(7, task.items(), null, -1));
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
    void aFailureComesBackWithItsItemAndMessage() {
        PoolWorker.Result result = TaskCodec.decodeResult(
                TaskCodec.encodeResult(9, null, new IllegalArgumentException("bad item"), 4));
        assertEquals(9, result.id());
        assertEquals(4, result.failedItem());
        assertInstanceOf(IllegalArgumentException.class, result.failure());
        assertEquals("bad item", result.failure().getMessage());
    }

    @Test
    void aCallHasNoItems() {
        byte[] work = JvmProcess.serialise((SerializableCallable<Integer>) () -> 1, "test");
        TaskCodec.Task task = TaskCodec.decodeTask(TaskCodec.encodeTask(3, work, null));
        assertNull(task.items());
        assertInstanceOf(SerializableCallable.class, task.work());
    }
}
