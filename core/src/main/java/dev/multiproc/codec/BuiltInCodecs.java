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
    BYTES {
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
    STRING {
        @Override
        public int encodedSize(Object value) {
            return utf8Length((String) value);
        }

        @Override
        public void encode(Object value, MemorySegment target) {
            byte[] bytes = ((String) value).getBytes(StandardCharsets.UTF_8);
            MemorySegment.copy(bytes, 0, target, ValueLayout.JAVA_BYTE, 0, bytes.length);
        }

        @Override
        public Object decode(MemorySegment source) {
            return new String(source.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        }
    },
    LONGS {
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
            return source.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
        }
    },
    INTS {
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
            return source.get(ValueLayout.JAVA_INT_UNALIGNED, 0);
        }
    },
    DOUBLES {
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
            return source.get(ValueLayout.JAVA_DOUBLE_UNALIGNED, 0);
        }
    };

    /** The UTF-8 length of a string without encoding it. */
    static int utf8Length(String value) {
        int length = value.length();
        int bytes = length;
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (c >= 0x80) {
                if (c < 0x800) {
                    bytes += 1;
                } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(value.charAt(i + 1))) {
                    bytes += 2;
                    i++;
                } else {
                    bytes += 2;
                }
            }
        }
        return bytes;
    }

    <T> Codec<T> typed() {
        return (Codec<T>) this;
    }

    @Override
    public String toString() {
        return "Codec." + name().toLowerCase(java.util.Locale.ROOT) + "()";
    }
}
