package dev.multiproc;

import dev.multiproc.internal.objects.Attachment;
import dev.multiproc.internal.shm.event.EventState;
import dev.multiproc.internal.shm.header.ObjectKind;

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

    SharedEvent(Multiproc context, Attachment attachment, boolean createdHere) {
        super(context, attachment, createdHere);
        this.state = attachment.shared(EventState.class, shared -> new EventState(shared.platform, shared.region));
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
        state.await(-1, waitStrategy.policy(), whileOpen());
    }

    /** Waits at most the timeout; returns whether the event is set (Python's {@code wait(timeout)}). */
    public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        ensureOpen();
        return state.await(Math.max(0, unit.toNanos(timeout)), waitStrategy.policy(), whileOpen());
    }

    public boolean await(Duration timeout) throws InterruptedException {
        return await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Threads of every process asleep on the event now (a thread still spinning before it
     * sleeps is not counted).
     */
    public int waiting() {
        ensureOpen();
        return state.sleepers();
    }
}
