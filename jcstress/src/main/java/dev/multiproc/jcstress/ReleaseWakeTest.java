package dev.multiproc.jcstress;

import dev.multiproc.internal.shm.Words;
import dev.multiproc.internal.shm.header.ObjectHeaderLayout;
import dev.multiproc.internal.shm.queue.QueueLayout;
import dev.multiproc.internal.shm.queue.QueueSlots;
import dev.multiproc.internal.shm.wait.WaitPointLayout;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * No lost wake-up between a consumer giving a slot back the way {@code drain} does — a release
 * store per slot ({@link QueueSlots#releaseQuietly}), then one {@link QueueSlots#wakeProducers}
 * (a full fence, a read of the sleeper count) — and a producer going to sleep on a full queue
 * (it raises the sleeper count, then tries to claim). A queue of two, full; the oldest message
 * taken and not yet given back.
 */
@JCStressTest
@Outcome(id = "1, 1", expect = Expect.ACCEPTABLE, desc = "the producer claimed the slot, and was woken too")
@Outcome(id = "0, 1", expect = Expect.ACCEPTABLE, desc = "the producer claimed the slot; the consumer saw no sleeper")
@Outcome(id = "1, 0", expect = Expect.ACCEPTABLE, desc = "the producer would sleep, and the consumer woke it")
@Outcome(id = "0, 0", expect = Expect.FORBIDDEN, desc = "lost wake-up: the producer would sleep and nobody wakes it")
@State
public class ReleaseWakeTest {
    private static final long NOT_FULL = ObjectHeaderLayout.LENGTH + QueueLayout.NOT_FULL_OFFSET;

    private final MemorySegment memory;
    private final QueueSlots slots;
    private final long taken;

    public ReleaseWakeTest() {
        HeapRegions.Queue queue = HeapRegions.queue(2, QueueLayout.MODE_MPMC);
        this.memory = queue.memory();
        this.slots = queue.slots();
        slots.publish(slots.tryClaimForProducer(0), 0, QueueLayout.FLAG_INLINE);
        slots.publish(slots.tryClaimForProducer(0), 0, QueueLayout.FLAG_INLINE);
        this.taken = slots.tryClaimForConsumer(1, false);
    }

    @Actor
    public void consumerDraining() {
        slots.releaseQuietly(taken);
        slots.wakeProducers();
    }

    @Actor
    public void producerAboutToSleep(II_Result r) {
        Words.INT.getAndAdd(memory, NOT_FULL + WaitPointLayout.SLEEPERS_OFFSET, 1);
        r.r2 = slots.tryClaimForProducer(2) >= 0 ? 1 : 0;
    }

    @Arbiter
    public void woken(II_Result r) {
        r.r1 = memory.get(ValueLayout.JAVA_INT, NOT_FULL + WaitPointLayout.SEQUENCE_OFFSET) != 0 ? 1 : 0;
    }
}
