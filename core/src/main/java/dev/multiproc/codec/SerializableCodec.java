package dev.multiproc.codec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Java serialisation with an {@link ObjectInputFilter} allow-list (see
 * {@link Codec#serializable}) and the limits of {@link Deserialization}. The size of a value is only known once it is serialised, so
 * {@link #encodedSize} serialises into a per-thread buffer that the following {@link #encode}
 * of the same value copies: one serialisation per message. The codec itself is serialisable
 * (with its allow-list), so that queues and pipe ends using it can travel to other processes.
 */
final class SerializableCodec<T> implements Codec<T>, java.io.Serializable {
    @java.io.Serial
    private static final long serialVersionUID = 1L;
    private static final Set<Class<?>> ALWAYS_ALLOWED = Set.of(String.class, Boolean.class, Byte.class, Character.class,
            Short.class, Integer.class, Long.class, Float.class, Double.class, Number.class, Enum.class);

    /** The last value serialised by this thread, and its bytes. */
    private record Encoded(Object value, byte[] bytes) {
    }

    @SuppressWarnings("serial") // always a List.of(...), which serialises
    private final List<Class<?>> allowed;
    private transient ObjectInputFilter filter;
    private transient ThreadLocal<Encoded> lastEncoded;

    SerializableCodec(Class<?>... allowed) {
        this.allowed = List.of(allowed);
        initialiseTransients();
    }

    private void initialiseTransients() {
        this.filter = this::check;
        this.lastEncoded = new ThreadLocal<>();
    }

    @java.io.Serial
    private void readObject(java.io.ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        initialiseTransients();
    }

    private ObjectInputFilter.Status check(ObjectInputFilter.FilterInfo info) {
        Class<?> type = info.serialClass();
        if (type == null) {
            return ObjectInputFilter.Status.UNDECIDED;
        }
        while (type.isArray()) {
            type = type.getComponentType();
        }
        // an Object[] (a collection's storage) holds nothing by itself: each element is checked on its own
        if (type.isPrimitive() || type == Object.class || ALWAYS_ALLOWED.contains(type)) {
            return ObjectInputFilter.Status.ALLOWED;
        }
        return allowedType(type) ? ObjectInputFilter.Status.ALLOWED : ObjectInputFilter.Status.REJECTED;
    }

    private boolean allowedType(Class<?> type) {
        for (Class<?> permitted : allowed) {
            if (permitted.isAssignableFrom(type)) {
                return true;
            }
        }
        return false;
    }

    private byte[] serialise(T value) {
        Objects.requireNonNull(value, "value");
        Encoded last = lastEncoded.get();
        if (last != null && last.value() == value) {
            return last.bytes();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        } catch (NotSerializableException e) {
            throw new IllegalArgumentException("cannot encode a " + value.getClass().getName() + ": it holds a "
                    + e.getMessage() + ", which is not Serializable", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot encode a " + value.getClass().getName() + ": " + e, e);
        }
        byte[] encoded = bytes.toByteArray();
        lastEncoded.set(new Encoded(value, encoded));
        return encoded;
    }

    @Override
    public int encodedSize(T value) {
        return serialise(value).length;
    }

    @Override
    public void encode(T value, MemorySegment target) {
        byte[] bytes = serialise(value);
        MemorySegment.copy(bytes, 0, target, ValueLayout.JAVA_BYTE, 0, bytes.length);
        lastEncoded.remove();
    }

    @Override
    @SuppressWarnings("unchecked")
    public T decode(MemorySegment source) {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(source.toArray(ValueLayout.JAVA_BYTE)))) {
            in.setObjectInputFilter(Deserialization.filter(source.byteSize(), filter));
            return (T) in.readObject();
        } catch (InvalidClassException e) {
            throw new SecurityException("refused to decode a message: " + e.getMessage()
                    + " (classes allowed by this codec: " + allowed + ")", e);
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            // ObjectInputStream answers some malformed streams with NullPointerException and the like
            throw new IllegalArgumentException("cannot decode a message: " + e, e);
        }
    }

    /** Every serializable codec reads what any other writes; the allow-list is each reader's own policy. */
    @Override
    public String identity() {
        return "java-serialization";
    }

    @Override
    public String toString() {
        return "Codec.serializable(" + allowed + ")";
    }
}
