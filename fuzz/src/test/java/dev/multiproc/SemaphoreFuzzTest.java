package dev.multiproc;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

class SemaphoreFuzzTest {
    private static final Multiproc MP = Multiproc.create();

    @FuzzTest(maxDuration = "20s")
    void aCorruptedSemaphoresOperationsEndInTime(FuzzedDataProvider data) throws Exception {
        try (SharedSemaphore bounded = MP.boundedSemaphore(3); SharedSemaphore plain = MP.semaphore(1)) {
            bounded.acquire();
            Fuzzing.corrupt(bounded, data);
            Fuzzing.corrupt(plain, data);
            Fuzzing.bounded(List.of(bounded, plain), Set.of(ArithmeticException.class),
                    () -> bounded.tryAcquire(5, TimeUnit.MILLISECONDS),
                    () -> {
                        bounded.release();
                    },
                    bounded::availablePermits,
                    bounded::heldByThisProcess,
                    bounded::recoverPermitsOfDeadProcesses,
                    bounded::drainPermits,
                    () -> plain.tryAcquire(2, 5, TimeUnit.MILLISECONDS),
                    () -> {
                        plain.release(2);
                    });
        }
    }
}
