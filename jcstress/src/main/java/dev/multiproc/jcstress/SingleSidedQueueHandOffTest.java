package dev.multiproc.jcstress;

import dev.multiproc.internal.shm.queue.QueueLayout;
import dev.multiproc.internal.shm.queue.QueueSlots;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.J_Result;

/**
 * {@link QueueSlotHandOffTest} in SPSC mode, where each side moves its position with a release
 * store instead of a CAS: the message still arrives whole.
 */
@JCStressTest
@Outcome(id = "-1", expect = Expect.ACCEPTABLE, desc = "the consumer came first: nothing published yet")
@Outcome(id = "42", expect = Expect.ACCEPTABLE, desc = "the consumer took the whole message")
@Outcome(expect = Expect.FORBIDDEN, desc = "the consumer claimed a published slot and read bytes from before the publish")
@State
public class SingleSidedQueueHandOffTest {
    private final QueueSlots slots = HeapRegions.queue(4, QueueLayout.MODE_SPSC).slots();

    @Actor
    public void producer() {
        QueueSlotHandOffTest.produce(slots);
    }

    @Actor
    public void consumer(J_Result r) {
        r.r1 = QueueSlotHandOffTest.consume(slots);
    }
}
