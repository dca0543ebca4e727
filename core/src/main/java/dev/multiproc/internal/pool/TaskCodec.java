package dev.multiproc.internal.pool;

import dev.multiproc.MultiprocException;
import dev.multiproc.codec.Deserialization;
import dev.multiproc.internal.process.TargetBytes;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The pool's wire format for tasks and results (big-endian, see {@code spec/pool.md}). Lists of
 * boxed numbers or strings — what most {@code map} calls carry — go as packed arrays written
 * straight into a buffer (a nanosecond or two an item, where stream-based writing costs tens);
 * anything else, and the functions, go by Java serialisation.
 *
 * <pre>
 * task:   id (8) | work id (8) | work length (4) | work (serialised; empty when the worker has it) | items (absent for a call)
 * result: id (8) | failed item (4, -1 when none) | items, or the failure (serialised)
 * items:  kind (1) | count (4) | ints, longs, doubles, strings (length + UTF-8 each) or a serialised list
 * </pre>
 *
 * A function goes to a worker once per work id: the pool and each worker keep the same
 * {@link WorkCache} of the last functions sent, in the same order, so the pool knows when it may
 * leave the work out.
 */
public final class TaskCodec {
    private static final byte INTS = 1;
    private static final byte LONGS = 2;
    private static final byte DOUBLES = 3;
    private static final byte STRINGS = 4;
    private static final byte OBJECTS = 5;
    /** Bytes before a result's items: id, then failed item. */
    private static final int PREFIX = Long.BYTES + Integer.BYTES;
    /** Bytes before a list's items: kind, count. */
    private static final int ITEMS_HEAD = 1 + Integer.BYTES;
    /** Bytes before a task's work: id, work id, work length. */
    private static final int TASK_PREFIX = 2 * Long.BYTES + Integer.BYTES;
    private static final VarHandle INT_AT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG_AT = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle DOUBLE_AT = MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.BIG_ENDIAN);

    private TaskCodec() {
    }

    /**
     * A task's message but for its head: its items (none for a call), encoded once when the task
     * is submitted, behind room for the head that {@link #encodeTask} writes in place — most tasks
     * go out without being copied again.
     */
    public static byte[] encodeItems(Object[] items, int from, int to) {
        if (items == null) {
            return new byte[TASK_PREFIX];
        }
        Writer out = new Writer(TASK_PREFIX + itemsBytes(items, from, to));
        out.buffer.position(TASK_PREFIX);
        writeItems(out, items, from, to, "a task's items");
        return out.toBytes();
    }

    /** The bytes of the message {@link #encodeTask} makes. */
    public static int taskBytes(byte[] work, boolean withWork, byte[] encodedItems) {
        return encodedItems.length + (withWork ? work.length : 0);
    }

    /**
     * A task message, from what {@link #encodeItems} made of its items; {@code work} is left out
     * ({@code withWork} false) when the worker has that work id already, and the message is then
     * {@code encodedItems} itself, its head written in place.
     */
    public static byte[] encodeTask(long id, long workId, byte[] work, boolean withWork, byte[] encodedItems) {
        if (!withWork) {
            ByteBuffer.wrap(encodedItems).putLong(id).putLong(workId).putInt(0);
            return encodedItems;
        }
        ByteBuffer out = ByteBuffer.allocate(taskBytes(work, true, encodedItems));
        out.putLong(id).putLong(workId).putInt(work.length).put(work).put(encodedItems, TASK_PREFIX, encodedItems.length - TASK_PREFIX);
        return out.array();
    }

    /** What a worker remembers of a work it could not deserialise. */
    private record UnreadableWork(Exception cause) {
    }

    /** The id of a task message, if it is long enough to have one (to report a task that cannot be read). */
    static java.util.OptionalLong idOf(byte[] message) {
        return message.length >= Long.BYTES ? java.util.OptionalLong.of(ByteBuffer.wrap(message).getLong()) : java.util.OptionalLong.empty();
    }

    /** A task as the worker reads it: its work, deserialised, or found in {@code works}. */
    public record Task(long id, Object work, List<?> items) {
    }

    /**
     * Reads a task; its work comes with it (and is remembered in {@code works}) or from
     * {@code works}. A task whose work is neither is a task that fails.
     */
    public static Task decodeTask(byte[] message, WorkCache works) {
        try {
            ByteBuffer in = ByteBuffer.wrap(message);
            long id = in.getLong();
            long workId = in.getLong();
            byte[] serialised = workBytes(in);
            List<?> items = in.hasRemaining() ? readItems(in, null) : null;
            return new Task(id, work(workId, serialised, works), items);
        } catch (IOException | ClassNotFoundException | BufferUnderflowException e) {
            throw new IllegalStateException("a pool task could not be read: " + e, e);
        }
    }

    /**
     * For a task the worker skips (taken back): does to {@code works} what reading it would, as
     * the pool counted its work as sent to this worker; a work that cannot be read is remembered
     * as such, and nothing is thrown.
     */
    static void keepWork(byte[] message, WorkCache works) {
        try {
            ByteBuffer in = ByteBuffer.wrap(message);
            in.getLong();
            long workId = in.getLong();
            work(workId, workBytes(in), works);
        } catch (IOException | ClassNotFoundException | RuntimeException noMatter) {
            // the task will not run here; what its work's later tasks will do is remembered
        }
    }

    /** The serialised work at {@code in}'s position (empty: the worker has it). */
    private static byte[] workBytes(ByteBuffer in) throws IOException {
        byte[] serialised = new byte[length(in, in.getInt(), 1, "work")];
        in.get(serialised);
        return serialised;
    }

    /** A task's work: {@code serialised} deserialised (and remembered), or, if empty, recalled. */
    private static Object work(long workId, byte[] serialised, WorkCache works) throws IOException, ClassNotFoundException {
        if (serialised.length > 0) {
            try {
                Object work = deserialise(serialised);
                works.remember(workId, work);
                return work;
            } catch (IOException | ClassNotFoundException | RuntimeException unreadable) {
                // the pool counts it as sent: later tasks of this work fail the same way
                works.remember(workId, new UnreadableWork(unreadable));
                throw unreadable;
            }
        }
        Object work = works.recall(workId);
        if (work == null) {
            throw new IOException("work " + workId + " was neither sent nor remembered");
        }
        if (work instanceof UnreadableWork unreadable) {
            throw new IOException("its work could not be read when it came: " + unreadable.cause(), unreadable.cause());
        }
        return work;
    }

    /** A result message: the {@code values} of a task that ran, or its {@code failure} at {@code failedItem}. */
    static byte[] encodeResult(long id, Object[] values, Throwable failure, int failedItem) {
        if (failure != null) {
            byte[] serialised = TargetBytes.serialise(failure, "a task failure");
            Writer out = new Writer(PREFIX + serialised.length);
            out.buffer.putLong(id).putInt(failedItem).put(serialised);
            return out.toBytes();
        }
        Writer out = new Writer(PREFIX + itemsBytes(values, 0, values.length));
        out.buffer.putLong(id).putInt(-1);
        writeItems(out, values, 0, values.length, "a task's results");
        return out.toBytes();
    }

    public static PoolWorker.Result decodeResult(byte[] message) {
        return decodeResult(message, message.length, null);
    }

    /**
     * A result from the first {@code length} bytes of {@code bytes} (a buffer the caller reuses:
     * nothing read keeps it). Its values go into {@code into} when it is given — the part of a
     * map's results array that the task's chunk fills, whose length the result must have — so
     * that a map's results are in one array as they come, not copied together at its end.
     */
    public static PoolWorker.Result decodeResult(byte[] bytes, int length, ResultSlice into) {
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes, 0, length);
            long id = in.getLong();
            int failedItem = in.getInt();
            if (failedItem < 0) {
                return new PoolWorker.Result(id, readItems(in, into), null, -1);
            }
            if (!(deserialise(remaining(in)) instanceof Throwable failure)) {
                throw new MultiprocException("a pool worker's result could not be read: it reports a failure that is not a Throwable");
            }
            return new PoolWorker.Result(id, null, failure, failedItem);
        } catch (IOException | ClassNotFoundException | BufferUnderflowException e) {
            throw new MultiprocException("a pool worker's result could not be read: " + e, e);
        }
    }

    /** A heap buffer that grows as items are written into it. */
    private static final class Writer {
        ByteBuffer buffer;

        Writer(int expected) {
            buffer = ByteBuffer.allocate(expected);
        }

        ByteBuffer room(int bytes) {
            if (buffer.remaining() < bytes) {
                ByteBuffer larger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + bytes));
                buffer = larger.put(buffer.flip());
            }
            return buffer;
        }

        byte[] toBytes() {
            return buffer.position() == buffer.capacity() ? buffer.array() : Arrays.copyOf(buffer.array(), buffer.position());
        }
    }

    private static byte[] remaining(ByteBuffer in) {
        byte[] bytes = new byte[in.remaining()];
        in.get(bytes);
        return bytes;
    }

    private static Object deserialise(byte[] bytes) throws IOException, ClassNotFoundException {
        return Deserialization.read(bytes);
    }

    /**
     * A count read from a message, checked against what is left of it: {@code count} items of at
     * least {@code bytesEach} bytes must fit, so a few bytes cannot make us allocate much.
     */
    private static int length(ByteBuffer in, int count, int bytesEach, String what) throws IOException {
        if (count < 0 || (long) count * bytesEach > in.remaining()) {
            throw new IOException("a count of " + count + " " + what + " does not fit the " + in.remaining() + " bytes left of the message");
        }
        return count;
    }

    /** The packed kind every item of {@code items[from, to)} has, judged by the first one; a range that breaks it is found while writing. */
    private static byte kindOf(Object[] items, int from, int to) {
        Object first = from == to ? null : items[from];
        if (first instanceof Integer) {
            return INTS;
        }
        if (first instanceof Long) {
            return LONGS;
        }
        if (first instanceof Double) {
            return DOUBLES;
        }
        return first instanceof String ? STRINGS : OBJECTS;
    }

    /** The bytes {@code items[from, to)} take packed: exact for numbers, so that no buffer is copied to trim it; a guess otherwise. */
    private static int itemsBytes(Object[] items, int from, int to) {
        int each = switch (kindOf(items, from, to)) {
            case INTS -> Integer.BYTES;
            case LONGS -> Long.BYTES;
            case DOUBLES -> Double.BYTES;
            default -> 16;
        };
        return ITEMS_HEAD + (to - from) * each;
    }

    /**
     * Writes {@code items[from, to)} packed if they are all of the first one's type (one pass: an
     * item of another type, or null, sends the writer back to serialise the whole range).
     */
    private static void writeItems(Writer out, Object[] items, int from, int to, String what) {
        byte kind = kindOf(items, from, to);
        int start = out.buffer.position();
        out.room(ITEMS_HEAD).put(kind).putInt(to - from);
        if (kind != OBJECTS && writePacked(out, items, from, to, kind)) {
            return;
        }
        out.buffer.position(start);
        out.room(ITEMS_HEAD).put(OBJECTS).putInt(to - from);
        byte[] serialised = TargetBytes.serialise(new ArrayList<>(Arrays.asList(items).subList(from, to)), what);
        out.room(serialised.length).put(serialised);
    }

    /** Writes every item of {@code items[from, to)} as {@code kind}; false at the first that is not one. */
    private static boolean writePacked(Writer out, Object[] items, int from, int to, byte kind) {
        if (kind == STRINGS) {
            for (int i = from; i < to; i++) {
                if (!(items[i] instanceof String value)) {
                    return false;
                }
                byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
                out.room(Integer.BYTES + utf8.length).putInt(utf8.length).put(utf8);
            }
            return true;
        }
        ByteBuffer buffer = out.room((to - from) * (kind == INTS ? Integer.BYTES : Long.BYTES));
        int end = switch (kind) {
            case INTS -> writeInts(buffer.array(), buffer.position(), items, from, to);
            case LONGS -> writeLongs(buffer.array(), buffer.position(), items, from, to);
            default -> writeDoubles(buffer.array(), buffer.position(), items, from, to);
        };
        if (end < 0) {
            return false;
        }
        buffer.position(end);
        return true;
    }

    // one small loop per kind, so that the JIT inlines the byte-array view into each

    /** @return where the ints end in {@code bytes}, or -1 at the first item that is not an Integer */
    private static int writeInts(byte[] bytes, int at, Object[] items, int from, int to) {
        for (int i = from; i < to; i++, at += Integer.BYTES) {
            if (!(items[i] instanceof Integer value)) {
                return -1;
            }
            INT_AT.set(bytes, at, (int) value);
        }
        return at;
    }

    private static int writeLongs(byte[] bytes, int at, Object[] items, int from, int to) {
        for (int i = from; i < to; i++, at += Long.BYTES) {
            if (!(items[i] instanceof Long value)) {
                return -1;
            }
            LONG_AT.set(bytes, at, (long) value);
        }
        return at;
    }

    private static int writeDoubles(byte[] bytes, int at, Object[] items, int from, int to) {
        for (int i = from; i < to; i++, at += Double.BYTES) {
            if (!(items[i] instanceof Double value)) {
                return -1;
            }
            DOUBLE_AT.set(bytes, at, (double) value);
        }
        return at;
    }

    /**
     * The items at {@code in}'s position, read into {@code into} (which their count must fill) or,
     * without one, into an array of their own; a fixed-size list over them.
     */
    private static List<?> readItems(ByteBuffer in, ResultSlice into) throws IOException, ClassNotFoundException {
        byte kind = in.get();
        int count = in.getInt();
        if (kind == OBJECTS) {
            Object items = deserialise(remaining(in));
            if (!(items instanceof List<?> list)) {
                throw new IOException("serialised items are " + (items == null ? "null" : "a " + items.getClass().getName()) + ", not a list");
            }
            if (into == null) {
                return list;
            }
            ResultSlice filled = fitting(into, list.size());
            System.arraycopy(list.toArray(), 0, filled.array(), filled.from(), filled.length());
            return filled.asList();
        }
        int itemBytes = switch (kind) {
            case INTS -> Integer.BYTES;
            case LONGS -> Long.BYTES;
            case DOUBLES -> Double.BYTES;
            case STRINGS -> Integer.BYTES;
            default -> throw new IOException("unknown item kind " + kind);
        };
        length(in, count, itemBytes, "items");
        ResultSlice items = into == null ? ResultSlice.whole(new Object[count]) : fitting(into, count);
        byte[] bytes = in.array();
        int at = in.arrayOffset() + in.position();
        switch (kind) {
            case INTS -> readInts(bytes, at, items);
            case LONGS -> readLongs(bytes, at, items);
            case DOUBLES -> readDoubles(bytes, at, items);
            default -> {
                Object[] array = items.array();
                for (int i = items.from(); i < items.to(); i++) {
                    byte[] utf8 = new byte[length(in, in.getInt(), 1, "string bytes")];
                    in.get(utf8);
                    array[i] = new String(utf8, StandardCharsets.UTF_8);
                }
            }
        }
        if (kind != STRINGS) {
            in.position(in.position() + count * itemBytes);
        }
        return items.asList();
    }

    /** {@code into}, if a result of {@code count} values fills it exactly (a worker answers a chunk with one value an item). */
    private static ResultSlice fitting(ResultSlice into, int count) throws IOException {
        if (count != into.length()) {
            throw new IOException("a result of " + count + " values for a task of " + into.length() + " items");
        }
        return into;
    }

    private static void readInts(byte[] bytes, int at, ResultSlice items) {
        Object[] array = items.array();
        for (int i = items.from(); i < items.to(); i++, at += Integer.BYTES) {
            array[i] = (int) INT_AT.get(bytes, at);
        }
    }

    private static void readLongs(byte[] bytes, int at, ResultSlice items) {
        Object[] array = items.array();
        for (int i = items.from(); i < items.to(); i++, at += Long.BYTES) {
            array[i] = (long) LONG_AT.get(bytes, at);
        }
    }

    private static void readDoubles(byte[] bytes, int at, ResultSlice items) {
        Object[] array = items.array();
        for (int i = items.from(); i < items.to(); i++, at += Double.BYTES) {
            array[i] = (double) DOUBLE_AT.get(bytes, at);
        }
    }
}
