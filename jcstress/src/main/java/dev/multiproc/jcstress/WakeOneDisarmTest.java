package dev.multiproc.jcstress;

import dev.multiproc.internal.shm.Words;
import dev.multiproc.internal.shm.wait.WaitPoint;
import dev.multiproc.internal.shm.wait.WaitPointLayout;
import dev.multiproc.spi.MappedRegion;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * No lost wake-up when a wake of one disarms the point (spec/wait-point.md): another sleeper is
 * counted already, a waiter arms while a waker changes the state and wakes one, and the kernel
 * is made to answer that it woke nobody, as it does before the waiter is in its sleep. A waiter
 * that armed must then find the word changed from the value it armed, or it would sleep with no
 * wake to come.
 */
@JCStressTest
@Outcome(id = "0, 0", expect = Expect.ACCEPTABLE, desc = "the waiter saw the change (or its arming failed), no system call")
@Outcome(id = "0, 1", expect = Expect.ACCEPTABLE, desc = "the waiter armed; the word moved on from what it armed, so it checks again")
@Outcome(id = "1, 0", expect = Expect.FORBIDDEN, desc = "lost wake-up: the waiter armed, no wake, the word unchanged")
@Outcome(id = "1, 1", expect = Expect.FORBIDDEN, desc = "lost wake-up: the waiter armed, the wake woke nobody, the word unchanged")
@State
public class WakeOneDisarmTest {
    private static final long WAIT_POINT = 0;
    private static final long STATE = WaitPointLayout.LENGTH;

    private final AtomicInteger wakeCalls = new AtomicInteger();
    private final MemorySegment memory;
    private final WaitPoint waitPoint;
    /** The value the waiter armed and would sleep on; {@link WaitPoint#NOT_ARMED} if it did not. */
    private int armedOn = WaitPoint.NOT_ARMED;

    public WakeOneDisarmTest() {
        MappedRegion region = HeapRegions.raw(STATE + Integer.BYTES);
        this.memory = region.segment();
        this.waitPoint = new WaitPoint(HeapRegions.countingWakes(wakeCalls, true), region, WAIT_POINT);
        Words.INT.set(memory, WAIT_POINT + WaitPointLayout.SLEEPERS_OFFSET, 1);
    }

    @Actor
    public void waker() {
        Words.INT.set(memory, STATE, 1);
        waitPoint.wakeOne();
    }

    @Actor
    public void waiterAboutToSleep() {
        Words.INT.getAndAdd(memory, WAIT_POINT + WaitPointLayout.SLEEPERS_OFFSET, 1);
        int sequence = (int) Words.INT.getVolatile(memory, WAIT_POINT + WaitPointLayout.SEQUENCE_OFFSET);
        if ((int) Words.INT.getVolatile(memory, STATE) == 0) {
            armedOn = waitPoint.arm(sequence);
        }
    }

    @Arbiter
    public void after(II_Result r) {
        int word = (int) Words.INT.getVolatile(memory, WAIT_POINT + WaitPointLayout.SEQUENCE_OFFSET);
        r.r1 = armedOn != WaitPoint.NOT_ARMED && word == armedOn ? 1 : 0;
        r.r2 = Math.min(wakeCalls.get(), 1);
    }
}
