package dev.multiproc.internal.shm.event;

import dev.multiproc.internal.shm.wait.WaitPolicy;
import dev.multiproc.internal.shm.header.ObjectHeader;
import dev.multiproc.internal.shm.header.ObjectHeaderLayout;
import dev.multiproc.internal.shm.wait.WaitPoint;
import dev.multiproc.internal.shm.wait.Waiters;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NativePlatform;

import java.lang.foreign.MemorySegment;

import static dev.multiproc.internal.shm.Words.INT;
import static dev.multiproc.internal.shm.event.EventLayout.*;

/**
 * A flag that processes wait for. Setting it (volatile store) then wakes every sleeper; what
 * the setter wrote before setting is visible to a waiter that sees the flag set.
 */
public final class EventState implements Waiters {
    private final MemorySegment body;
    private final WaitPoint waitPoint;

    public EventState(NativePlatform platform, MappedRegion region) {
        this.body = ObjectHeader.body(region, LENGTH);
        this.waitPoint = new WaitPoint(platform, region, ObjectHeaderLayout.LENGTH + WAIT_POINT_OFFSET);
    }

    public void set() {
        INT.setVolatile(body, FLAG_OFFSET, 1);
        waitPoint.wakeAll();
    }

    public void clear() {
        INT.setVolatile(body, FLAG_OFFSET, 0);
    }

    public boolean isSet() {
        return (int) INT.getAcquire(body, FLAG_OFFSET) == 1;
    }

    /** Waits until set (negative timeout: forever); returns whether it is set. {@code sliceCheck} runs once per slice. */
    public boolean await(long timeoutNanos, WaitPolicy policy, WaitPoint.SliceCheck sliceCheck) throws InterruptedException {
        return waitPoint.await(this::isSet, timeoutNanos, policy, sliceCheck);
    }

    @Override
    public int sleepers() {
        return waitPoint.sleepers();
    }

    @Override
    public void wakeAll() {
        waitPoint.wakeAll();
    }
}
