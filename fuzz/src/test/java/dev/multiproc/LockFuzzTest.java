package dev.multiproc;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

class LockFuzzTest {
    private static final Multiproc MP = Multiproc.create();

    @FuzzTest(maxDuration = "20s")
    void aCorruptedLocksOperationsEndInTime(FuzzedDataProvider data) throws Exception {
        try (SharedLock lock = MP.lock(); SharedReentrantLock reentrant = MP.reentrantLock()) {
            lock.lock();
            reentrant.lock();
            Fuzzing.corrupt(lock, data);
            Fuzzing.corrupt(reentrant, data);
            Fuzzing.bounded(List.of(lock, reentrant), Set.of(IllegalMonitorStateException.class),
                    () -> lock.tryLock(5, TimeUnit.MILLISECONDS),
                    lock::isLocked,
                    lock::ownerPid,
                    lock::recoveredFromDeadOwner,
                    () -> {
                        lock.unlock();
                    },
                    () -> reentrant.tryLock(5, TimeUnit.MILLISECONDS),
                    reentrant::getHoldCount,
                    () -> {
                        reentrant.unlock();
                    });
        }
    }
}
