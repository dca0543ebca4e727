package dev.multiproc;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.util.List;
import java.util.Set;
import dev.multiproc.internal.pool.TaskCodec;
import dev.multiproc.internal.pool.WorkCache;

class TaskCodecFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void poolMessagesFromAnotherProcessAreReadWithinTheirBytes(byte[] message) {
        Fuzzing.bounded(List.of(), Set.of(),
                () -> TaskCodec.decodeTask(message, new WorkCache()),
                () -> TaskCodec.decodeResult(message));
    }
}
