package dev.multiproc;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.multiproc.codec.Codec;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;

class ListenerFuzzTest {
    private static final Multiproc MP = Multiproc.create();

    @FuzzTest(maxDuration = "20s")
    void aCorruptedListenersOperationsEndInTime(FuzzedDataProvider data) throws Exception {
        String name = "fuzz-" + UUID.randomUUID();
        try (Listener<String> listener = MP.listen(name, Codec.string())) {
            Connection<String> claimed = MP.connect(name, Codec.string(), Duration.ofMillis(50));
            Fuzzing.corrupt(listener, data);
            Fuzzing.bounded(List.of(listener, claimed), Set.of(),
                    () -> listener.accept(Duration.ofMillis(5)),
                    () -> MP.connect(name, Codec.string(), Duration.ofMillis(5)).close(),
                    listener::waitingConnections,
                    () -> {
                        Connection<String> accepted = listener.accept(Duration.ofMillis(5));
                        if (accepted != null) {
                            claimed.send("x");
                            accepted.poll(Duration.ofMillis(5));
                            accepted.close();
                        }
                    },
                    Multiproc::listObjects);
            claimed.close();
        } finally {
            MP.unlink(name);
        }
    }
}
