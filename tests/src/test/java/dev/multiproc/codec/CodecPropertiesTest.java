package dev.multiproc.codec;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every built-in codec is exact: {@code encode} writes every one of the {@code encodedSize}
 * bytes it announced (and cannot write more: it gets a slice of that size), and
 * {@code decode(encode(x))} gives {@code x} back (a string: what {@code getBytes(UTF_8)} makes of
 * it, so unpaired surrogates come back as '?').
 */
class CodecPropertiesTest {

    /** The bytes {@code codec} writes for {@code value}, checked to be exactly the announced ones. */
    static <T> byte[] exactEncoding(Codec<T> codec, T value) {
        int size = codec.encodedSize(value);
        byte[] zeros = new byte[size];
        byte[] ones = new byte[size];
        Arrays.fill(ones, (byte) 0xFF);
        codec.encode(value, MemorySegment.ofArray(zeros));
        codec.encode(value, MemorySegment.ofArray(ones));
        assertArrayEquals(zeros, ones, "every announced byte is written: an unwritten one keeps what the slot held before");
        return zeros;
    }

    @Provide
    Arbitrary<String> strings() {
        Arbitrary<String> anyChars = Arbitraries.chars().all().list().ofMaxSize(64).map(chars -> {
            StringBuilder text = new StringBuilder();
            chars.forEach(text::append);
            return text.toString();
        });
        Arbitrary<String> surrogateSoup = Arbitraries.strings().withChars('a', '\u00e9', '\u20ac', '\uD800', '\uDBFF', '\uDC00', '\uDFFF')
                .ofMaxLength(32);
        Arbitrary<String> long_ = Arbitraries.strings().all().ofMinLength(10_000).ofMaxLength(100_000);
        return Arbitraries.oneOf(anyChars, surrogateSoup, long_, Arbitraries.just(""));
    }

    @Property(tries = 2000)
    void stringsRoundTripAsGetBytesWouldMakeThem(@ForAll("strings") String value) {
        byte[] encoded = exactEncoding(Codec.string(), value);
        assertArrayEquals(value.getBytes(StandardCharsets.UTF_8), encoded, "the same bytes as String.getBytes(UTF_8)");
        assertArrayEquals(encoded, dev.multiproc.internal.objects.Encoding.toBytes(Codec.string(), value),
                "the maps' one-pass encoding writes what the codec writes");
        assertEquals(new String(encoded, StandardCharsets.UTF_8), Codec.string().decode(MemorySegment.ofArray(encoded)));
    }

    @Property
    void bytesRoundTrip(@ForAll byte[] value) {
        assertArrayEquals(value, Codec.bytes().decode(MemorySegment.ofArray(exactEncoding(Codec.bytes(), value))));
    }

    @Property
    void numbersRoundTrip(@ForAll long aLong, @ForAll int anInt, @ForAll double aDouble) {
        assertEquals(aLong, Codec.longs().decode(MemorySegment.ofArray(exactEncoding(Codec.longs(), aLong))));
        assertEquals(anInt, Codec.ints().decode(MemorySegment.ofArray(exactEncoding(Codec.ints(), anInt))));
        byte[] doubleBytes = exactEncoding(Codec.doubles(), aDouble);
        assertEquals(Double.doubleToRawLongBits(aDouble), MemorySegment.ofArray(doubleBytes).get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
        assertEquals(aDouble, Codec.doubles().decode(MemorySegment.ofArray(doubleBytes)));
    }

    record Point(int x, String label) implements Serializable {
    }

    @Property(tries = 300)
    void serializableValuesRoundTrip(@ForAll int x, @ForAll("strings") String label) {
        Codec<List<Point>> codec = Codec.serializable(Point.class, ArrayList.class);
        List<Point> value = new ArrayList<>(List.of(new Point(x, label), new Point(-x, "")));
        assertEquals(value, codec.decode(MemorySegment.ofArray(exactEncoding(codec, value))));
    }
}
