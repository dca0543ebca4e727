package dev.multiproc;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.multiproc.internal.shm.header.ObjectKind;

import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

class EventAndConditionFuzzTest {
    private static final Multiproc MP = Multiproc.create();

    @FuzzTest(maxDuration = "20s")
    void aCorruptedEventsAndConditionsOperationsEndInTime(FuzzedDataProvider data) throws Exception {
        try (SharedEvent event = MP.event(); SharedLock lock = MP.lock()) {
            SharedCondition condition = (SharedCondition) lock.newCondition();
            Fuzzing.corrupt(event, data);
            Fuzzing.corrupt(condition, data);
            Fuzzing.bounded(List.of(event, condition), Set.of(IllegalMonitorStateException.class),
                    () -> event.await(5, TimeUnit.MILLISECONDS),
                    event::isSet,
                    () -> {
                        event.set();
                        event.clear();
                    },
                    () -> {
                        lock.lock();
                        try {
                            condition.signal();
                            condition.await(5, TimeUnit.MILLISECONDS);
                        } finally {
                            lock.unlock();
                        }
                    },
                    condition::waiting,
                    () -> Multiproc.context().attach(new SharedObjectReference(ObjectKind.CONDITION.code(), condition.name(), 0)));
            condition.close();
        }
    }
}
