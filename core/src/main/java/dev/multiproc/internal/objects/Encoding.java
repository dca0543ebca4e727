package dev.multiproc.internal.objects;

import dev.multiproc.CorruptSharedObjectException;
import dev.multiproc.codec.Codec;

import java.lang.foreign.MemorySegment;

/**
 * Encoding values into shared memory and decoding them out of it. With a codec multiproc does not
 * know, the target of an encode is a slice of exactly the size the codec announced, so a codec that
 * writes more cannot reach the next slot or record: it fails here, with an error that names it.
 * One that writes less must not hand the reader what an earlier message left in the slot, so the
 * slice is zeroed first. The built-in codecs write exactly what they announce (property-tested)
 * and skip both.
 */
public final class Encoding {
    private static final String BUILT_IN_PACKAGE = Codec.class.getPackageName();

    private Encoding() {
    }

    /** The size {@code codec} announces for {@code value}, checked to be one a message can have. */
    public static <T> int size(Codec<T> codec, T value) {
        int size = codec.encodedSize(value);
        if (size < 0) {
            throw new IllegalArgumentException("codec " + codec + " announced " + size + " bytes for a "
                    + value.getClass().getName() + ": a size cannot be negative");
        }
        return size;
    }

    /**
     * {@code value} encoded into a byte array: the array itself for the bytes codec; for the string
     * codec the JDK's UTF-8 bytes in one pass (the bytes its encode writes), not a pass for the
     * size and one to encode.
     */
    public static <T> byte[] toBytes(Codec<T> codec, T value) {
        if (codec == (Object) Codec.bytes()) {
            return (byte[]) value;
        }
        if (codec == (Object) Codec.string()) {
            return ((String) value).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        byte[] bytes = new byte[size(codec, value)];
        encode(codec, value, MemorySegment.ofArray(bytes));
        return bytes;
    }

    /**
     * Decodes bytes copied out of shared memory for this caller alone ({@link #decode}): the bytes
     * codec hands the copy over instead of copying it again.
     */
    @SuppressWarnings("unchecked")
    public static <T> T decodeCopy(Codec<T> codec, byte[] copy, String objectName, String what) {
        if (codec == (Object) Codec.bytes()) {
            return (T) copy;
        }
        return decode(codec, MemorySegment.ofArray(copy), objectName, what);
    }

    /**
     * Reads a value another process wrote. Bytes a built-in codec cannot make sense of (a buggy or
     * hostile writer, a length corrupted in the object) are a corrupt value of the object, named.
     * What a codec refuses on purpose reaches the caller as the codec threw it: the allow-list's
     * {@code SecurityException}, and anything a user's own codec throws.
     */
    public static <T> T decode(Codec<T> codec, MemorySegment source, String objectName, String what) {
        try {
            return codec.decode(source);
        } catch (RuntimeException undecodable) {
            if (!isBuiltIn(codec) || undecodable instanceof SecurityException || undecodable instanceof CorruptSharedObjectException) {
                throw undecodable;
            }
            throw new CorruptSharedObjectException(objectName, what + " length", source.byteSize(),
                    codec + " could not decode its bytes (" + undecodable + ")", undecodable);
        }
    }

    private static boolean isBuiltIn(Codec<?> codec) {
        return codec.getClass().getPackageName().equals(BUILT_IN_PACKAGE);
    }

    /** Writes {@code value} into {@code target}, whose size is what {@code codec} announced. */
    public static <T> void encode(Codec<T> codec, T value, MemorySegment target) {
        if (isBuiltIn(codec)) {
            codec.encode(value, target);
            return;
        }
        target.fill((byte) 0);
        try {
            codec.encode(value, target);
        } catch (IndexOutOfBoundsException overrun) {
            throw new IllegalArgumentException("codec " + codec + " wrote past the " + target.byteSize()
                    + " bytes its encodedSize announced for a " + value.getClass().getName()
                    + "; nothing was sent (encodedSize must return exactly what encode writes)", overrun);
        }
    }
}
