package dev.multiproc.codec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The fixed codecs behind {@link Codec}'s factories. An enum, so that each is a serialisable
 * singleton: a queue or pipe end that travels to another process takes its codec along.
 */
@SuppressWarnings({"rawtypes", "unchecked"})
enum BuiltInCodecs implements Codec {
    /** Reads whatever any codec wrote, so it names no encoding. */
    BYTES("") {
        @Override
        public int encodedSize(Object value) {
            return ((byte[]) value).length;
        }

        @Override
        public void encode(Object value, MemorySegment target) {
            byte[] bytes = (byte[]) value;
            MemorySegment.copy(bytes, 0, target, ValueLayout.JAVA_BYTE, 0, bytes.length);
        }

        @Override
        public Object decode(MemorySegment source) {
            return source.toArray(ValueLayout.JAVA_BYTE);
        }
    },
    STRING("utf-8") {
        @Override
        public int encodedSize(Object value) {
            return utf8Length((String) value);
        }

        @Override
        public void encode(Object value, MemorySegment target) {
            writeUtf8((String) value, target);
        }

        @Override
        public Object decode(MemorySegment source) {
            return new String(source.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        }
    },
    LONGS("int64-le") {
        @Override
        public int encodedSize(Object value) {
            Objects.requireNonNull(value);
            return Long.BYTES;
        }

        @Override
        public void encode(Object value, MemorySegment target) {
            target.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, (Long) value);
        }

        @Override
        public Object decode(MemorySegment source) {
            return source.get(ValueLayout.JAVA_LONG_UNALIGNED, checkSize(source, Long.BYTES));
        }
    },
    INTS("int32-le") {
        @Override
        public int encodedSize(Object value) {
            Objects.requireNonNull(value);
            return Integer.BYTES;
        }

        @Override
        public void encode(Object value, MemorySegment target) {
            target.set(ValueLayout.JAVA_INT_UNALIGNED, 0, (Integer) value);
        }

        @Override
        public Object decode(MemorySegment source) {
            return source.get(ValueLayout.JAVA_INT_UNALIGNED, checkSize(source, Integer.BYTES));
        }
    },
    DOUBLES("float64-le") {
        @Override
        public int encodedSize(Object value) {
            Objects.requireNonNull(value);
            return Double.BYTES;
        }

        @Override
        public void encode(Object value, MemorySegment target) {
            target.set(ValueLayout.JAVA_DOUBLE_UNALIGNED, 0, (Double) value);
        }

        @Override
        public Object decode(MemorySegment source) {
            return source.get(ValueLayout.JAVA_DOUBLE_UNALIGNED, checkSize(source, Double.BYTES));
        }
    };

    private final String identity;

    BuiltInCodecs(String identity) {
        this.identity = identity;
    }

    @Override
    public String identity() {
        return identity;
    }

    /** The offset to read a fixed-size value at (0), once the source is checked to hold exactly {@code size} bytes. */
    long checkSize(MemorySegment source, int size) {
        if (source.byteSize() != size) {
            throw new IllegalArgumentException(this + " decodes " + size + " bytes, not " + source.byteSize());
        }
        return 0;
    }

    /**
     * The UTF-8 length of a string, exactly what {@link #writeUtf8} writes: 1, 2 or 3 bytes per
     * char, 4 per surrogate pair, 1 per unpaired surrogate (written as '?').
     */
    static int utf8Length(String value) {
        int length = value.length();
        long bytes = length;
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (c < 0x80) {
                continue;
            }
            if (c < 0x800) {
                bytes += 1;
            } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(value.charAt(i + 1))) {
                bytes += 2;
                i++;
            } else if (!Character.isSurrogate(c)) {
                bytes += 2;
            }
        }
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a string of " + bytes + " UTF-8 bytes is longer than a message can be");
        }
        return (int) bytes;
    }

    /**
     * Encodes {@code value} as UTF-8 into {@code target} (its size is {@link #utf8Length}): the
     * JDK's encoder (a copy for ASCII text), then one bulk copy — byte by byte, every store into
     * a segment paid its own access checks (the string codec took a quarter of a map's put+get).
     * The JDK writes what {@link #utf8Length} counts: a lone surrogate as {@code '?'}.
     */
    static void writeUtf8(String value, MemorySegment target) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(bytes, 0, target, ValueLayout.JAVA_BYTE, 0, bytes.length);
    }

    <T> Codec<T> typed() {
        return (Codec<T>) this;
    }

    @Override
    public String toString() {
        return "Codec." + name().toLowerCase(java.util.Locale.ROOT) + "()";
    }
}
