package dev.multiproc;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

class BarrierFuzzTest {
    private static final Multiproc MP = Multiproc.create();

    @FuzzTest(maxDuration = "20s")
    void aCorruptedBarriersOperationsEndInTime(FuzzedDataProvider data) throws Exception {
        try (SharedBarrier barrier = MP.barrier(2)) {
            Fuzzing.corrupt(barrier, data);
            Fuzzing.bounded(List.of(barrier), Set.of(),
                    () -> barrier.await(5, TimeUnit.MILLISECONDS),
                    barrier::isBroken,
                    barrier::waiting,
                    barrier::parties,
                    () -> {
                        barrier.reset();
                    },
                    () -> barrier.await(5, TimeUnit.MILLISECONDS));
        }
    }
}
