package dev.multiproc;

import dev.multiproc.internal.objects.Attachment;
import dev.multiproc.internal.shm.header.ObjectKind;
import dev.multiproc.internal.shm.values.LongCells;

import java.util.function.LongBinaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * A long in shared memory, updated atomically by any process: Python's
 * {@code multiprocessing.Value('q')} with {@link java.util.concurrent.atomic.AtomicLong}'s
 * methods and memory effects. No separate lock is needed for {@code +=}.
 */
public final class SharedLong extends SharedObject {
    @java.io.Serial
    private static final long serialVersionUID = 1L;

    private final transient LongCells cells;

    SharedLong(Multiproc context, Attachment attachment, boolean createdHere) {
        super(context, attachment, createdHere);
        this.cells = new LongCells(region);
    }

    @Override
    ObjectKind kind() {
        return ObjectKind.LONG_VALUES;
    }

    public long get() {
        ensureOpen();
        return cells.get(0);
    }

    public void set(long value) {
        ensureOpen();
        cells.set(0, value);
    }

    public void lazySet(long value) {
        ensureOpen();
        cells.lazySet(0, value);
    }

    public long getAndSet(long value) {
        ensureOpen();
        return cells.getAndSet(0, value);
    }

    public boolean compareAndSet(long expected, long value) {
        ensureOpen();
        return cells.compareAndSet(0, expected, value);
    }

    public long getAndIncrement() {
        return getAndAdd(1);
    }

    public long getAndDecrement() {
        return getAndAdd(-1);
    }

    public long incrementAndGet() {
        return addAndGet(1);
    }

    public long decrementAndGet() {
        return addAndGet(-1);
    }

    public long getAndAdd(long delta) {
        ensureOpen();
        return cells.getAndAdd(0, delta);
    }

    public long addAndGet(long delta) {
        ensureOpen();
        return cells.getAndAdd(0, delta) + delta;
    }

    public long getAndUpdate(LongUnaryOperator update) {
        ensureOpen();
        return cells.getAndUpdate(0, update);
    }

    public long updateAndGet(LongUnaryOperator update) {
        ensureOpen();
        return cells.updateAndGet(0, update);
    }

    public long getAndAccumulate(long operand, LongBinaryOperator accumulate) {
        ensureOpen();
        return cells.getAndAccumulate(0, operand, accumulate);
    }

    public long accumulateAndGet(long operand, LongBinaryOperator accumulate) {
        ensureOpen();
        return cells.accumulateAndGet(0, operand, accumulate);
    }

    @Override
    public String toString() {
        return isClosed() ? super.toString() : Long.toString(cells.get(0));
    }
}
