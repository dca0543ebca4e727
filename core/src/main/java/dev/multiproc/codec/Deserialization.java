package dev.multiproc.codec;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.StreamCorruptedException;

/**
 * Limits on what Java deserialisation of bytes from another process may build: process targets,
 * pool tasks and results, and {@link Codec#serializable} messages all read through it.
 *
 * <ul>
 *   <li>no array longer than the whole message is bytes (every element takes at least a byte on
 *       the stream): a few bytes cannot ask for a huge array;</li>
 *   <li>object graphs at most {@value #DEFAULT_MAX_DEPTH} deep (system property
 *       {@code multiproc.deserialization.maxDepth}) and with at most
 *       {@value #DEFAULT_MAX_REFERENCES} references ({@code multiproc.deserialization.maxReferences});</li>
 *   <li>messages of at most {@value #DEFAULT_MAX_BYTES} bytes ({@code multiproc.deserialization.maxBytes}).</li>
 * </ul>
 *
 * A stream that breaks a limit is refused with an {@link InvalidClassException} before the
 * offending object or array is made.
 *
 * <p>Process targets, pool tasks and pool results are code and objects of the program's own
 * classes, sent between processes of the same user (every object is mode 0600), as Python's
 * multiprocessing pickles them: {@link #read} accepts any class, unless the JVM's serial filter
 * ({@code -Djdk.serialFilter}, JEP 290) says otherwise. Messages of a queue or pipe are data: their
 * {@link Codec#serializable} codec accepts only the classes it lists.
 */
public final class Deserialization {
    public static final long DEFAULT_MAX_DEPTH = 512;
    public static final long DEFAULT_MAX_REFERENCES = 10_000_000;
    public static final long DEFAULT_MAX_BYTES = 1L << 30;

    private static final long MAX_DEPTH = Long.getLong("multiproc.deserialization.maxDepth", DEFAULT_MAX_DEPTH);
    private static final long MAX_REFERENCES = Long.getLong("multiproc.deserialization.maxReferences", DEFAULT_MAX_REFERENCES);
    private static final long MAX_BYTES = Long.getLong("multiproc.deserialization.maxBytes", DEFAULT_MAX_BYTES);

    private Deserialization() {
    }

    /**
     * A filter for a stream of {@code length} bytes: the limits, then {@code classes} for the
     * classes (null: any class).
     */
    public static ObjectInputFilter filter(long length, ObjectInputFilter classes) {
        return info -> {
            if (info.depth() > MAX_DEPTH || info.references() > MAX_REFERENCES || info.streamBytes() > MAX_BYTES
                    || info.arrayLength() > length) {
                return ObjectInputFilter.Status.REJECTED;
            }
            if (classes == null) {
                return ObjectInputFilter.Status.ALLOWED;
            }
            return classes.checkInput(info);
        };
    }

    /**
     * Reads one object from {@code bytes} within the limits (any class the JVM's serial filter allows).
     *
     * @throws IOException            if the bytes are not a serialised object, or break a limit
     * @throws ClassNotFoundException if a class in them is not on this JVM's path
     */
    public static Object read(byte[] bytes) throws IOException, ClassNotFoundException {
        if (bytes.length > MAX_BYTES) {
            throw new InvalidClassException("a serialised object of " + bytes.length + " bytes is more than multiproc.deserialization.maxBytes ("
                    + MAX_BYTES + ")");
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            in.setObjectInputFilter(filter(bytes.length, ObjectInputFilter.Config.getSerialFilter()));
            return in.readObject();
        } catch (RuntimeException malformed) {
            // ObjectInputStream answers some malformed streams with NullPointerException and the like
            throw new StreamCorruptedException("not a serialised object: " + malformed);
        }
    }
}
