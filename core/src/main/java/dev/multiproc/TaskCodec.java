package dev.multiproc;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The pool's wire format for tasks and results. Lists of boxed numbers or strings — what most
 * {@code map} calls carry — go as packed arrays (a few nanoseconds an item instead of Java
 * serialisation's per-object bookkeeping); anything else, and the functions, go by Java
 * serialisation.
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

    private TaskCodec() {
    }

    static byte[] encodeTask(long id, byte[] work, List<?> items) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(work.length + 64 + (items == null ? 0 : items.size() * 8));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(id);
            out.writeInt(work.length);
            out.write(work);
            if (items != null) {
                writeItems(out, items, "a task's items");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** A task as the worker reads it. */
    record Task(long id, Object work, List<?> items) {
    }

    static Task decodeTask(byte[] message) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(message))) {
            long id = in.readLong();
            byte[] work = new byte[in.readInt()];
            in.readFully(work);
            List<?> items = in.available() > 0 ? readItems(in) : null;
            return new Task(id, deserialise(work), items);
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("a pool task could not be read: " + e, e);
        }
    }

    static byte[] encodeResult(long id, List<?> values, Throwable failure, int failedItem) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + (values == null ? 0 : values.size() * 8));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(id);
            out.writeInt(failure == null ? -1 : failedItem);
            if (failure == null) {
                writeItems(out, values, "a task's results");
            } else {
                out.write(JvmProcess.serialise(failure, "a task failure"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static PoolWorker.Result decodeResult(byte[] message) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(message))) {
            long id = in.readLong();
            int failedItem = in.readInt();
            if (failedItem < 0) {
                return new PoolWorker.Result(id, readItems(in), null, -1);
            }
            return new PoolWorker.Result(id, null, (Throwable) deserialise(in.readAllBytes()), failedItem);
        } catch (IOException | ClassNotFoundException e) {
            throw new MultiprocException("a pool worker's result could not be read: " + e, e);
        }
    }

    private static Object deserialise(byte[] bytes) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            return in.readObject();
        }
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

    private static void writeItems(DataOutputStream out, List<?> items, String what) throws IOException {
        byte kind = kindOf(items);
        out.writeByte(kind);
        out.writeInt(items.size());
        switch (kind) {
            case INTS -> {
                for (Object item : items) {
                    out.writeInt((Integer) item);
                }
            }
            case LONGS -> {
                for (Object item : items) {
                    out.writeLong((Long) item);
                }
            }
            case DOUBLES -> {
                for (Object item : items) {
                    out.writeDouble((Double) item);
                }
            }
            case STRINGS -> {
                for (Object item : items) {
                    byte[] utf8 = ((String) item).getBytes(StandardCharsets.UTF_8);
                    out.writeInt(utf8.length);
                    out.write(utf8);
                }
            }
            default -> out.write(JvmProcess.serialise(new ArrayList<>(items), what));
        }
    }

    private static List<?> readItems(DataInputStream in) throws IOException, ClassNotFoundException {
        byte kind = in.readByte();
        int count = in.readInt();
        Object[] items = new Object[count];
        switch (kind) {
            case INTS -> {
                for (int i = 0; i < count; i++) {
                    items[i] = in.readInt();
                }
            }
            case LONGS -> {
                for (int i = 0; i < count; i++) {
                    items[i] = in.readLong();
                }
            }
            case DOUBLES -> {
                for (int i = 0; i < count; i++) {
                    items[i] = in.readDouble();
                }
            }
            case STRINGS -> {
                for (int i = 0; i < count; i++) {
                    byte[] utf8 = new byte[in.readInt()];
                    in.readFully(utf8);
                    items[i] = new String(utf8, StandardCharsets.UTF_8);
                }
            }
            default -> {
                return (List<?>) deserialise(in.readAllBytes());
            }
        }
        return Arrays.asList(items);
    }
}
