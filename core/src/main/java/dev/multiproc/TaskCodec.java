package dev.multiproc;

import dev.multiproc.codec.Deserialization;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
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
 * task:   id (8) | work length (4) | work (serialised) | items (see below, absent for a call)
 * result: id (8) | failed item (4, -1 when none) | items, or the failure (serialised)
 * items:  kind (1) | count (4) | ints, longs, doubles, strings (length + UTF-8 each) or a serialised list
 * </pre>
 */
final class TaskCodec {
    private static final byte INTS = 1;
    private static final byte LONGS = 2;
    private static final byte DOUBLES = 3;
    private static final byte STRINGS = 4;
    private static final byte OBJECTS = 5;
    /** Bytes before the items: id, then work length or failed item. */
    private static final int PREFIX = Long.BYTES + Integer.BYTES;

    private TaskCodec() {
    }

    static byte[] encodeTask(long id, byte[] work, List<?> items) {
        Writer out = new Writer(PREFIX + work.length + (items == null ? 0 : 5 + items.size() * 8));
        out.buffer.putLong(id).putInt(work.length).put(work);
        if (items != null) {
            writeItems(out, items, "a task's items");
        }
        return out.toBytes();
    }

    /** A task as the worker reads it. */
    record Task(long id, Object work, List<?> items) {
    }

    static Task decodeTask(byte[] message) {
        try {
            ByteBuffer in = ByteBuffer.wrap(message);
            long id = in.getLong();
            byte[] work = new byte[length(in, in.getInt(), 1, "work")];
            in.get(work);
            List<?> items = in.hasRemaining() ? readItems(in) : null;
            return new Task(id, deserialise(work), items);
        } catch (IOException | ClassNotFoundException | BufferUnderflowException e) {
            throw new IllegalStateException("a pool task could not be read: " + e, e);
        }
    }

    static byte[] encodeResult(long id, List<?> values, Throwable failure, int failedItem) {
        if (failure != null) {
            byte[] serialised = JvmProcess.serialise(failure, "a task failure");
            Writer out = new Writer(PREFIX + serialised.length);
            out.buffer.putLong(id).putInt(failedItem).put(serialised);
            return out.toBytes();
        }
        Writer out = new Writer(PREFIX + 5 + values.size() * 8);
        out.buffer.putLong(id).putInt(-1);
        writeItems(out, values, "a task's results");
        return out.toBytes();
    }

    static PoolWorker.Result decodeResult(byte[] message) {
        try {
            ByteBuffer in = ByteBuffer.wrap(message);
            long id = in.getLong();
            int failedItem = in.getInt();
            if (failedItem < 0) {
                return new PoolWorker.Result(id, readItems(in), null, -1);
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

    private static byte kindOf(List<?> items) {
        if (items.isEmpty()) {
            return OBJECTS;
        }
        Class<?> type = items.getFirst() == null ? null : items.getFirst().getClass();
        for (Object item : items) {
            if (item == null || item.getClass() != type) {
                return OBJECTS;
            }
        }
        if (type == Integer.class) {
            return INTS;
        }
        if (type == Long.class) {
            return LONGS;
        }
        if (type == Double.class) {
            return DOUBLES;
        }
        return type == String.class ? STRINGS : OBJECTS;
    }

    private static void writeItems(Writer out, List<?> items, String what) {
        byte kind = kindOf(items);
        out.room(5).put(kind).putInt(items.size());
        switch (kind) {
            case INTS -> {
                ByteBuffer buffer = out.room(items.size() * Integer.BYTES);
                for (Object item : items) {
                    buffer.putInt((Integer) item);
                }
            }
            case LONGS -> {
                ByteBuffer buffer = out.room(items.size() * Long.BYTES);
                for (Object item : items) {
                    buffer.putLong((Long) item);
                }
            }
            case DOUBLES -> {
                ByteBuffer buffer = out.room(items.size() * Double.BYTES);
                for (Object item : items) {
                    buffer.putDouble((Double) item);
                }
            }
            case STRINGS -> {
                for (Object item : items) {
                    byte[] utf8 = ((String) item).getBytes(StandardCharsets.UTF_8);
                    out.room(Integer.BYTES + utf8.length).putInt(utf8.length).put(utf8);
                }
            }
            default -> {
                byte[] serialised = JvmProcess.serialise(new ArrayList<>(items), what);
                out.room(serialised.length).put(serialised);
            }
        }
    }

    private static List<?> readItems(ByteBuffer in) throws IOException, ClassNotFoundException {
        byte kind = in.get();
        int count = in.getInt();
        if (kind == OBJECTS) {
            return (List<?>) deserialise(remaining(in));
        }
        int itemBytes = switch (kind) {
            case INTS -> Integer.BYTES;
            case LONGS -> Long.BYTES;
            case DOUBLES -> Double.BYTES;
            case STRINGS -> Integer.BYTES;
            default -> throw new IOException("unknown item kind " + kind);
        };
        Object[] items = new Object[length(in, count, itemBytes, "items")];
        switch (kind) {
            case INTS -> {
                for (int i = 0; i < count; i++) {
                    items[i] = in.getInt();
                }
            }
            case LONGS -> {
                for (int i = 0; i < count; i++) {
                    items[i] = in.getLong();
                }
            }
            case DOUBLES -> {
                for (int i = 0; i < count; i++) {
                    items[i] = in.getDouble();
                }
            }
            case STRINGS -> {
                for (int i = 0; i < count; i++) {
                    byte[] utf8 = new byte[length(in, in.getInt(), 1, "string bytes")];
                    in.get(utf8);
                    items[i] = new String(utf8, StandardCharsets.UTF_8);
                }
            }
            default -> throw new IOException("unknown item kind " + kind);
        }
        return Arrays.asList(items);
    }
}
