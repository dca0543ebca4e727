package dev.multiproc;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.multiproc.codec.Codec;
import dev.multiproc.internal.shm.queue.QueueSlots;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.Platforms;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

class QueueFuzzTest {
    private static final Multiproc MP = Multiproc.create();

    @FuzzTest(maxDuration = "20s")
    void aCorruptedQueuesOperationsEndInTime(FuzzedDataProvider data) throws Exception {
        try (JoinableQueue<byte[]> queue = MP.joinableQueue(Codec.bytes(), QueueOptions.of(8).withSlotBytes(128).withMaxMessageBytes(4096))) {
            queue.put(new byte[16]);
            queue.put(new byte[300]);
            queue.take();
            queue.put(new byte[20]);
            Fuzzing.corrupt(queue, data);
            Fuzzing.bounded(List.of(queue), Set.of(),
                    () -> queue.offer(new byte[10], 5, TimeUnit.MILLISECONDS),
                    () -> queue.offer(new byte[500], 5, TimeUnit.MILLISECONDS),
                    () -> queue.poll(5, TimeUnit.MILLISECONDS),
                    queue::poll,
                    queue::size,
                    queue::peek,
                    () -> queue.drainTo(new ArrayList<>(), 3),
                    () -> queue.contains(new byte[1]),
                    queue::taskDone,
                    () -> queue.join(java.time.Duration.ofMillis(5)),
                    () -> {
                        try (MappedRegion region = Platforms.current().openRegion(queue.name())) {
                            QueueSlots fresh = new QueueSlots(Platforms.current(), region);
                            fresh.size();
                            fresh.unfinished();
                        }
                    });
        }
    }
}
