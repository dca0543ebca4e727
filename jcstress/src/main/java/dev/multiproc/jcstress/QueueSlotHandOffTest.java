package dev.multiproc.jcstress;

import dev.multiproc.internal.shm.queue.QueueLayout;
import dev.multiproc.internal.shm.queue.QueueSlots;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.J_Result;

import java.lang.foreign.ValueLayout;

/**
 * A queue slot passes from producer to consumer whole: a consumer that claims a position reads
 * the message its producer wrote, never the slot's bytes from before the publish (the sequence's
 * release store and acquire load). Multi-producer multi-consumer mode: both sides claim by CAS.
 */
@JCStressTest
@Outcome(id = "-1", expect = Expect.ACCEPTABLE, desc = "the consumer came first: nothing published yet")
@Outcome(id = "42", expect = Expect.ACCEPTABLE, desc = "the consumer took the whole message")
@Outcome(expect = Expect.FORBIDDEN, desc = "the consumer claimed a published slot and read bytes from before the publish")
@State
public class QueueSlotHandOffTest {
    private final QueueSlots slots = HeapRegions.queue(4, QueueLayout.MODE_MPMC).slots();

    @Actor
    public void producer() {
        produce(slots);
    }

    @Actor
    public void consumer(J_Result r) {
        r.r1 = consume(slots);
    }

    /** Puts the message 42 (8 bytes), as {@code SharedQueue} does: claim, write in place, publish. */
    static void produce(QueueSlots slots) {
        long position = slots.tryClaimForProducer(0);
        slots.slot(position, Long.BYTES).set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 42L);
        slots.publish(position, Long.BYTES, QueueLayout.FLAG_INLINE);
    }

    /**
     * Takes a message if one is published, looking as a take that waits does (the slot's second
     * line read with the sequence): its value, -1 if none, or a value below -99 if its length was wrong.
     */
    static long consume(QueueSlots slots) {
        long position = slots.tryClaimForConsumer(1, true);
        if (position < 0) {
            return -1;
        }
        int length = slots.length(position);
        long value = length == Long.BYTES ? slots.slot(position, length).get(ValueLayout.JAVA_LONG_UNALIGNED, 0) : -length - 100;
        slots.releaseQuietly(position);
        return value;
    }
}
