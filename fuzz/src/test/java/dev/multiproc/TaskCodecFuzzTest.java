package dev.multiproc;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import dev.multiproc.internal.pool.ResultSlice;
import dev.multiproc.internal.pool.TaskCodec;
import dev.multiproc.internal.pool.WorkCache;

class TaskCodecFuzzTest {
    /** What a map's results array holds outside the chunk a result is read into: never overwritten. */
    private static final Object NEIGHBOUR = new Object();

    @FuzzTest(maxDuration = "20s")
    void poolMessagesFromAnotherProcessAreReadWithinTheirBytes(byte[] message) {
        Object[] mapResults = new Object[12];
        Arrays.fill(mapResults, NEIGHBOUR);
        // a chunk of 0 to 7 items in the middle of a map's results, as many as the message's length picks
        int chunk = message.length % 8;
        Fuzzing.bounded(List.of(), Set.of(),
                () -> TaskCodec.decodeTask(message, new WorkCache()),
                () -> TaskCodec.decodeResult(message),
                () -> TaskCodec.decodeResult(message, message.length, new ResultSlice(mapResults, 2, 2 + chunk)));
        for (int i = 0; i < mapResults.length; i++) {
            if ((i < 2 || i >= 2 + chunk) && mapResults[i] != NEIGHBOUR) {
                throw new AssertionError("a result read into a map's chunk [2, " + (2 + chunk) + ") wrote at " + i);
            }
        }
    }
}
