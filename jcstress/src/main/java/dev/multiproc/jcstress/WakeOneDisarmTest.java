package dev.multiproc.jcstress;

import dev.multiproc.internal.shm.Words;
import dev.multiproc.internal.shm.wait.WaitPoint;
import dev.multiproc.internal.shm.wait.WaitPointLayout;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NativePlatform;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import java.lang.foreign.MemorySegment;
import java.lang.reflect.Proxy;

/**
 * A wake of one that finds nobody in the kernel disarms the point (spec/wait-point.md), and no
 * thread may be left asleep with the point disarmed: the wakes after it would make no system
 * call. Another sleeper is counted and has armed (it is awake, not yet gone); a waiter, whose
 * condition does not hold, arms and goes to sleep while a waker wakes one. The kernel is a model:
 * a sleep that queues only if the word still holds the value, atomically, and a wake that
 * dequeues, both under one lock, as {@code futex} does under its bucket lock.
 */
@JCStressTest
@Outcome(id = "0, 0", expect = Expect.ACCEPTABLE, desc = "the waiter is not asleep: woken, or it found the word changed")
@Outcome(id = "0, 1", expect = Expect.ACCEPTABLE, desc = "the waiter is asleep and the point armed: the next wake makes the system call")
@Outcome(id = "1, 1", expect = Expect.FORBIDDEN, desc = "lost wake-up: the waiter is asleep and the point disarmed")
@State
public class WakeOneDisarmTest {
    private static final long WAIT_POINT = 0;
    private static final long SEQUENCE = WAIT_POINT + WaitPointLayout.SEQUENCE_OFFSET;

    private final MemorySegment memory;
    private final WaitPoint waitPoint;
    /** Whether the waiter is asleep in the model kernel; guarded by this. */
    private boolean asleep;

    public WakeOneDisarmTest() {
        MappedRegion region = HeapRegions.raw(WaitPointLayout.LENGTH);
        this.memory = region.segment();
        this.waitPoint = new WaitPoint(modelKernel(), region, WAIT_POINT);
        Words.INT.set(memory, WAIT_POINT + WaitPointLayout.SLEEPERS_OFFSET, 1);
        Words.INT.set(memory, SEQUENCE, WaitPointLayout.ARMED);
    }

    @Actor
    public void waker() {
        waitPoint.wakeOne();
    }

    @Actor
    public void waiterGoingToSleep() {
        Words.INT.getAndAdd(memory, WAIT_POINT + WaitPointLayout.SLEEPERS_OFFSET, 1);
        int armed = waitPoint.arm((int) Words.INT.getVolatile(memory, SEQUENCE));
        if (armed != WaitPoint.NOT_ARMED) {
            sleepIfStill(armed);
        }
    }

    @Arbiter
    public void after(II_Result r) {
        boolean disarmed = ((int) Words.INT.getVolatile(memory, SEQUENCE) & WaitPointLayout.ARMED) == 0;
        synchronized (this) {
            r.r1 = asleep && disarmed ? 1 : 0;
            r.r2 = asleep ? 1 : 0;
        }
    }

    private synchronized void sleepIfStill(int value) {
        asleep = (int) Words.INT.getVolatile(memory, SEQUENCE) == value;
    }

    private synchronized int wake() {
        boolean woke = asleep;
        asleep = false;
        return woke ? 1 : 0;
    }

    /** A platform whose only call the wait point makes here, {@code wake}, is the model kernel's. */
    private NativePlatform modelKernel() {
        return (NativePlatform) Proxy.newProxyInstance(NativePlatform.class.getClassLoader(), new Class<?>[]{NativePlatform.class},
                (proxy, method, arguments) -> {
                    if (!method.getName().equals("wake")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    return wake();
                });
    }
}
