package dev.multiproc;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.multiproc.codec.Codec;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Set;

class CodecFuzzTest {
    private static final List<Codec<?>> CODECS = List.of(Codec.bytes(), Codec.string(), Codec.longs(), Codec.ints(), Codec.doubles(),
            Codec.serializable(java.util.ArrayList.class, java.util.HashMap.class));

    @FuzzTest(maxDuration = "20s")
    void everyCodecDecodesAnyBytesOrRefusesThem(byte[] message) {
        for (Codec<?> codec : CODECS) {
            Fuzzing.bounded(List.of(), Set.of(SecurityException.class, IllegalArgumentException.class, IndexOutOfBoundsException.class),
                    () -> codec.decode(MemorySegment.ofArray(message)));
        }
    }
}
