package dev.multiproc.jcstress;

import dev.multiproc.internal.shm.Words;
import dev.multiproc.internal.shm.wait.WaitPoint;
import dev.multiproc.internal.shm.wait.WaitPointLayout;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NativePlatform;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import java.lang.foreign.MemorySegment;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * No lost wake-up between a waiter arming a wait point and a waker that skips the wake system
 * call when nobody armed it (spec/wait-point.md). The waiter does what {@link WaitPoint} does
 * before it sleeps: raises the sleeper count, reads the sequence, checks its condition, then
 * arms with the real {@link WaitPoint#arm}. The waker changes the state and runs the real
 * {@link WaitPoint#wakeAll()} on a platform that counts its wake system calls. A waiter that
 * armed (and so would sleep) must have been woken by a system call.
 */
@JCStressTest
@Outcome(id = "0, 0", expect = Expect.ACCEPTABLE, desc = "the waiter saw the change (or its arming failed), and no system call was made")
@Outcome(id = "0, 1", expect = Expect.ACCEPTABLE, desc = "a surplus wake: only a re-check")
@Outcome(id = "1, 1", expect = Expect.ACCEPTABLE, desc = "the waiter armed and would sleep, and the waker woke it")
@Outcome(id = "1, 0", expect = Expect.FORBIDDEN, desc = "lost wake-up: the waiter armed and would sleep, and no wake was made")
@State
public class ArmWakeTest {
    private static final long WAIT_POINT = 0;
    private static final long STATE = WaitPointLayout.LENGTH;

    private final AtomicInteger wakeCalls = new AtomicInteger();
    private final MemorySegment memory;
    private final WaitPoint waitPoint;

    public ArmWakeTest() {
        MappedRegion region = HeapRegions.raw(STATE + Integer.BYTES);
        this.memory = region.segment();
        this.waitPoint = new WaitPoint(countingWakes(HeapRegions.PLATFORM, wakeCalls), region, WAIT_POINT);
    }

    @Actor
    public void waker(II_Result r) {
        Words.INT.set(memory, STATE, 1);
        waitPoint.wakeAll();
        r.r2 = wakeCalls.get();
    }

    @Actor
    public void waiterAboutToSleep(II_Result r) {
        Words.INT.getAndAdd(memory, WAIT_POINT + WaitPointLayout.SLEEPERS_OFFSET, 1);
        int sequence = (int) Words.INT.getVolatile(memory, WAIT_POINT + WaitPointLayout.SEQUENCE_OFFSET);
        boolean changed = (int) Words.INT.getVolatile(memory, STATE) != 0;
        r.r1 = !changed && waitPoint.arm(sequence) != WaitPoint.NOT_ARMED ? 1 : 0;
    }

    /** {@code platform}, its wake system calls counted in {@code calls}. */
    private static NativePlatform countingWakes(NativePlatform platform, AtomicInteger calls) {
        return (NativePlatform) Proxy.newProxyInstance(NativePlatform.class.getClassLoader(), new Class<?>[]{NativePlatform.class},
                (proxy, method, arguments) -> {
                    if (method.getName().equals("wake")) {
                        calls.incrementAndGet();
                    }
                    try {
                        return method.invoke(platform, arguments);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
