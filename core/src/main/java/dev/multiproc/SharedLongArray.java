package dev.multiproc;

import dev.multiproc.internal.objects.Attachment;
import dev.multiproc.internal.shm.header.ObjectKind;
import dev.multiproc.internal.shm.values.LongCells;

import java.util.function.LongBinaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * An array of longs in shared memory, updated atomically by any process: Python's
 * {@code multiprocessing.Array('q', n)} with {@link java.util.concurrent.atomic.AtomicLongArray}'s
 * methods and memory effects. No separate lock is needed for {@code +=}.
 */
public final class SharedLongArray extends SharedObject {
    @java.io.Serial
    private static final long serialVersionUID = 1L;

    final transient LongCells cells;

    SharedLongArray(Multiproc context, Attachment attachment, boolean createdHere) {
        super(context, attachment, createdHere);
        this.cells = new LongCells(region);
    }

    @Override
    ObjectKind kind() {
        return ObjectKind.LONG_VALUES;
    }

    @Override
    int referenceDetail() {
        return 1;
    }

    public int length() {
        return cells.length();
    }

    public long get(int index) {
        ensureOpen();
        return cells.get(index);
    }

    public void set(int index, long value) {
        ensureOpen();
        cells.set(index, value);
    }

    public void lazySet(int index, long value) {
        ensureOpen();
        cells.lazySet(index, value);
    }

    public long getAndSet(int index, long value) {
        ensureOpen();
        return cells.getAndSet(index, value);
    }

    public boolean compareAndSet(int index, long expected, long value) {
        ensureOpen();
        return cells.compareAndSet(index, expected, value);
    }

    public long getAndIncrement(int index) {
        return getAndAdd(index, 1);
    }

    public long getAndDecrement(int index) {
        return getAndAdd(index, -1);
    }

    public long incrementAndGet(int index) {
        return addAndGet(index, 1);
    }

    public long decrementAndGet(int index) {
        return addAndGet(index, -1);
    }

    public long getAndAdd(int index, long delta) {
        ensureOpen();
        return cells.getAndAdd(index, delta);
    }

    public long addAndGet(int index, long delta) {
        ensureOpen();
        return cells.getAndAdd(index, delta) + delta;
    }

    public long getAndUpdate(int index, LongUnaryOperator update) {
        ensureOpen();
        return cells.getAndUpdate(index, update);
    }

    public long updateAndGet(int index, LongUnaryOperator update) {
        ensureOpen();
        return cells.updateAndGet(index, update);
    }

    public long getAndAccumulate(int index, long operand, LongBinaryOperator accumulate) {
        ensureOpen();
        return cells.getAndAccumulate(index, operand, accumulate);
    }

    public long accumulateAndGet(int index, long operand, LongBinaryOperator accumulate) {
        ensureOpen();
        return cells.accumulateAndGet(index, operand, accumulate);
    }

    /** A copy of the values now (each read atomically, the whole not at one instant). */
    public long[] toArray() {
        ensureOpen();
        long[] copy = new long[cells.length()];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = cells.get(i);
        }
        return copy;
    }

    @Override
    public String toString() {
        return isClosed() ? super.toString() : java.util.Arrays.toString(toArray());
    }
}
