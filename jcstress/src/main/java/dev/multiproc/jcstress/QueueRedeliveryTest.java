package dev.multiproc.jcstress;

import dev.multiproc.internal.shm.queue.QueueLayout;
import dev.multiproc.internal.shm.queue.QueueSlots;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJJJ_Result;

import java.lang.foreign.ValueLayout;

/**
 * A message whose consumer died holding it is delivered again exactly once, however two
 * recoverers interleave, and a producer that comes after a recovery puts behind it: one CAS of
 * the slot's sequence publishes it at the tail's position, and whoever comes next (the recoverer,
 * or a producer finding it published there) moves the tail past it. A queue of 2: message 1 taken
 * by a consumer that is gone (its intent entry has no process), message 2 taken and given back;
 * the tail's slot is the one the gone consumer holds. Two actors (one per processor here): a
 * recoverer, and a recoverer that then puts message 3 (the producer that waited on the slot).
 * Results: each recovery's answer, the producer's position (-1: full), and the tail × 100 plus
 * the messages then taken, in order, as digits.
 */
@JCStressTest
@Outcome(id = {"1, 0, 3, 413", "0, 1, 3, 413"}, expect = Expect.ACCEPTABLE,
        desc = "one recovery published message 1 again at position 2; the producer put message 3 after it")
@Outcome(expect = Expect.FORBIDDEN, desc = "message 1 delivered twice or not at all, the tail left behind, or the producer refused")
@State
public class QueueRedeliveryTest {
    private static final int PRODUCER = 0;
    private static final int GONE_CONSUMER = 5;
    private static final int CONSUMER = 6;
    private final QueueSlots slots = HeapRegions.queue(2, QueueLayout.MODE_MPMC).slots();

    public QueueRedeliveryTest() {
        put(1);
        put(2);
        if (slots.tryClaimForConsumer(GONE_CONSUMER, false) != 0) {
            throw new IllegalStateException("the gone consumer takes message 1");
        }
        long second = slots.tryClaimForConsumer(CONSUMER, false);
        slots.releaseQuietly(second);
        slots.wakeProducers();
    }

    private void put(long value) {
        long position = slots.tryClaimForProducer(PRODUCER);
        slots.slot(position, Long.BYTES).set(ValueLayout.JAVA_LONG_UNALIGNED, 0, value);
        slots.publish(position, Long.BYTES, QueueLayout.FLAG_INLINE);
    }

    @Actor
    public void recoverer(JJJJ_Result r) {
        r.r1 = slots.recoverAbandonedConsumerSlot(spill -> { }) ? 1 : 0;
    }

    @Actor
    public void recovererThenProducer(JJJJ_Result r) {
        r.r2 = slots.recoverAbandonedConsumerSlot(spill -> { }) ? 1 : 0;
        long position = slots.tryClaimForProducer(PRODUCER);
        if (position >= 0) {
            slots.slot(position, Long.BYTES).set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 3L);
            slots.publish(position, Long.BYTES, QueueLayout.FLAG_INLINE);
        }
        r.r3 = position;
    }

    @Arbiter
    public void takeWhatIsThere(JJJJ_Result r) {
        long taken = 0;
        for (long claimed; (claimed = slots.tryClaimForConsumer(CONSUMER, false)) >= 0; ) {
            long position = QueueSlots.claimedPosition(claimed);
            taken = taken * 10 + slots.slot(position, Long.BYTES).get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
            slots.releaseQuietly(position);
        }
        r.r4 = slots.tail() * 100 + taken;
    }
}
