package dev.multiproc.jcstress;

import dev.multiproc.internal.shm.ring.ByteRing;
import dev.multiproc.internal.shm.ring.RingLayout;
import dev.multiproc.spi.MappedRegion;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.J_Result;

import java.lang.foreign.ValueLayout;

/**
 * A pipe ring's record is seen whole: a consumer that finds the record's tag (acquire) reads the
 * length and payload the producer wrote before it published the tag (volatile store).
 */
@JCStressTest
@Outcome(id = "-1", expect = Expect.ACCEPTABLE, desc = "the consumer came first: no record yet")
@Outcome(id = "42", expect = Expect.ACCEPTABLE, desc = "the consumer read the whole record")
@Outcome(expect = Expect.FORBIDDEN, desc = "the consumer saw the record's tag but not its length or payload")
@State
public class RingRecordTest {
    private static final int CAPACITY = 4096;

    private final ByteRing producerSide;
    private final ByteRing consumerSide;

    public RingRecordTest() {
        MappedRegion region = HeapRegions.raw(RingLayout.length(CAPACITY));
        this.producerSide = new ByteRing(HeapRegions.PLATFORM, region, 0, CAPACITY);
        this.consumerSide = new ByteRing(HeapRegions.PLATFORM, region, 0, CAPACITY);
    }

    @Actor
    public void producer() {
        long offset = producerSide.tryClaim(Long.BYTES);
        producerSide.data().set(ValueLayout.JAVA_LONG_UNALIGNED, offset, 42L);
        producerSide.commit(Long.BYTES, RingLayout.FLAG_BEGIN | RingLayout.FLAG_END);
    }

    @Actor
    public void consumer(J_Result r) {
        if (!consumerSide.peek()) {
            r.r1 = -1;
            return;
        }
        r.r1 = consumerSide.peekedLength() == Long.BYTES
                ? consumerSide.data().get(ValueLayout.JAVA_LONG_UNALIGNED, consumerSide.peekedOffset())
                : -consumerSide.peekedLength() - 100;
        consumerSide.advance();
    }
}
