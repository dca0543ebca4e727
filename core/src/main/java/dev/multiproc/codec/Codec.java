package dev.multiproc.codec;

import java.lang.foreign.MemorySegment;

/**
 * Turns values into bytes in shared memory and back, in place: a producer encodes straight into
 * the queue slot or pipe record it claimed, and a consumer decodes straight from it, so a
 * message is copied once on each side (and not at all for {@code MemorySegment} consumers).
 *
 * <p>A codec must be stateless (or thread-safe) and must not keep the segments it is given:
 * they are valid only during the call. A queue or pipe end sent to another process takes its
 * codec along, so codecs of shared objects that travel must be {@link java.io.Serializable}
 * (the built-in ones are).
 *
 * @param <T> the type of the values
 */
public interface Codec<T> {

    /**
     * The exact number of bytes {@link #encode} will write for {@code value}.
     *
     * @throws NullPointerException if value is null
     */
    int encodedSize(T value);

    /** Writes {@code value} into {@code target}, whose size is {@link #encodedSize}. */
    void encode(T value, MemorySegment target);

    /** Reads a value from {@code source}, which holds exactly what {@link #encode} wrote. */
    T decode(MemorySegment source);

    /**
     * What names this codec's encoding to other processes, so that a named object opened with a
     * codec that writes other bytes is refused ({@code IncompatibleSharedObjectException}) instead
     * of decoding garbage: the same for every codec that reads what this one writes. Empty (the
     * default) for a codec that does not say; then nothing is checked.
     */
    default String identity() {
        return "";
    }

    /** Raw bytes, as they are. */
    static Codec<byte[]> bytes() {
        return BuiltInCodecs.BYTES.typed();
    }

    /** Strings as UTF-8. */
    static Codec<String> string() {
        return BuiltInCodecs.STRING.typed();
    }

    /** {@code long} values, 8 bytes little-endian. */
    static Codec<Long> longs() {
        return BuiltInCodecs.LONGS.typed();
    }

    /** {@code int} values, 4 bytes little-endian. */
    static Codec<Integer> ints() {
        return BuiltInCodecs.INTS.typed();
    }

    /** {@code double} values, 8 bytes (IEEE 754) little-endian. */
    static Codec<Double> doubles() {
        return BuiltInCodecs.DOUBLES.typed();
    }

    /**
     * Java serialisation behind an allow-list: decoding accepts only the listed classes (and
     * their subclasses and arrays), plus strings, boxed primitives and primitive arrays; anything
     * else is refused before it is instantiated, so a process that can write into a queue cannot
     * make its reader run code. List every class your values contain.
     *
     * @param allowed the classes that may be decoded
     */
    static <T> Codec<T> serializable(Class<?>... allowed) {
        return new SerializableCodec<>(allowed);
    }
}
