package dev.multiproc;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.multiproc.codec.Codec;

import java.time.Duration;
import java.util.List;
import java.util.Set;

class PipeFuzzTest {
    private static final Multiproc MP = Multiproc.create();

    @FuzzTest(maxDuration = "20s")
    void aCorruptedPipesOperationsEndInTime(FuzzedDataProvider data) throws Exception {
        try (Pipe<byte[]> pipe = MP.pipe(Codec.bytes(), PipeOptions.duplexPipe().withCapacityBytes(4096).withMaxMessageBytes(100_000))) {
            Connection<byte[]> first = pipe.first();
            Connection<byte[]> second = pipe.second();
            second.sendBytes(new byte[40]);
            second.sendBytes(new byte[3000]);
            first.recvBytes();
            second.sendBytes(new byte[8]);
            first.sendBytes(new byte[24]);
            Fuzzing.corrupt(first, data);
            Fuzzing.bounded(List.of(first, second), Set.of(BufferTooShortException.class),
                    first::poll,
                    () -> first.poll(Duration.ofMillis(5)),
                    () -> {
                        if (first.poll(Duration.ofMillis(5))) {
                            first.recvBytes();
                        }
                    },
                    () -> {
                        if (first.poll(Duration.ofMillis(5))) {
                            first.recvBytesInto(new byte[64]);
                        }
                    },
                    () -> {
                        if (second.poll(Duration.ofMillis(5))) {
                            second.recvBytes();
                        }
                    },
                    () -> {
                        second.sendBytes(new byte[100]);
                    },
                    () -> Connection.waitAny(List.of(first, second), Duration.ofMillis(5)));
        }
    }
}
