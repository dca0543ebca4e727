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
 * No lost wake-up between a producer's publish and a consumer going to sleep on not-empty. The
 * producer runs the real {@link QueueSlots#publish}: here, where the process accepts remote fences,
 * a release store of the sequence and no fence, then a read of the sleeper count, waking if it is
 * not 0 (the wake bumps the wait point's sequence). The consumer does what {@code WaitPoint} does
 * before its long sleep (spec/wait-point.md): it raises the sleeper count with an atomic add,
 * fences the producers ({@code membarrier}), then checks its condition. If it then sees nothing
 * published, it would sleep, so the producer must have seen it and woken it. Without the fence
 * the forbidden outcome shows: the producer's read of the sleeper count passes its own store.
 */
@JCStressTest
@Outcome(id = "1, 1", expect = Expect.ACCEPTABLE, desc = "the sleeper saw the message, and was woken too")
@Outcome(id = "0, 1", expect = Expect.ACCEPTABLE, desc = "the sleeper saw the message; the producer saw no sleeper")
@Outcome(id = "1, 0", expect = Expect.ACCEPTABLE, desc = "the sleeper would sleep, and the producer woke it")
@Outcome(id = "0, 0", expect = Expect.FORBIDDEN, desc = "lost wake-up: the sleeper would sleep and nobody wakes it")
@State
public class PublishWakeTest {
    private static final long NOT_EMPTY = ObjectHeaderLayout.LENGTH + QueueLayout.NOT_EMPTY_OFFSET;

    private final MemorySegment memory;
    private final QueueSlots slots;

    public PublishWakeTest() {
        if (!HeapRegions.PLATFORM.acceptRemoteFences()) {
            throw new IllegalStateException("this test needs a platform with remote fences (Linux 4.16+ membarrier)");
        }
        HeapRegions.Queue queue = HeapRegions.queue(4, QueueLayout.MODE_MPMC);
        this.memory = queue.memory();
        this.slots = queue.slots();
    }

    @Actor
    public void producer() {
        long position = slots.tryClaimForProducer(0);
        slots.publish(position, 0, QueueLayout.FLAG_INLINE);
    }

    @Actor
    public void consumerAboutToSleep(II_Result r) {
        Words.INT.getAndAdd(memory, NOT_EMPTY + WaitPointLayout.SLEEPERS_OFFSET, 1);
        if (!HeapRegions.PLATFORM.fenceRemoteThreads()) {
            throw new IllegalStateException("this process cannot fence the others");
        }
        r.r2 = slots.holds(slots.head()) ? 1 : 0;
    }

    @Arbiter
    public void woken(II_Result r) {
        r.r1 = memory.get(ValueLayout.JAVA_INT, NOT_EMPTY + WaitPointLayout.SEQUENCE_OFFSET) != 0 ? 1 : 0;
    }
}
