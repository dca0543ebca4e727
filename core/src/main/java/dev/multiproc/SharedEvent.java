package dev.multiproc;

import dev.multiproc.shm.event.EventState;
import dev.multiproc.shm.header.ObjectKind;
import dev.multiproc.spi.MappedRegion;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A flag processes wait for: Python's {@code multiprocessing.Event}. {@link #set()} wakes every
 * waiting thread in every process; what the setter wrote before {@code set()} is visible to
 * them. An event has no owner, so a process that dies leaves it as it was.
 */
public final class SharedEvent extends SharedObject {
    @java.io.Serial
    private static final long serialVersionUID = 1L;

    private final transient EventState state;
    private transient volatile WaitStrategy waitStrategy = WaitStrategy.BACKOFF;

    SharedEvent(Multiproc context, MappedRegion region, boolean createdHere) {
        super(context, region, createdHere);
        this.state = new EventState(context.platform(), region);
    }

    @Override
    ObjectKind kind() {
        return ObjectKind.EVENT;
    }

    public void setWaitStrategy(WaitStrategy waitStrategy) {
        this.waitStrategy = Objects.requireNonNull(waitStrategy);
    }

    public void set() {
        ensureOpen();
        state.set();
    }

    public void clear() {
        ensureOpen();
        state.clear();
    }

    public boolean isSet() {
        ensureOpen();
        return state.isSet();
    }

    /** Waits until the event is set. */
    public void await() throws InterruptedException {
        ensureOpen();
        state.await(-1, waitStrategy);
    }

    /** Waits at most the timeout; returns whether the event is set (Python's {@code wait(timeout)}). */
    public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        ensureOpen();
        return state.await(Math.max(0, unit.toNanos(timeout)), waitStrategy);
    }

    public boolean await(Duration timeout) throws InterruptedException {
        return await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    void wakeWaiters() {
        state.wakeAll();
    }
}
