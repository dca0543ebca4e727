package dev.multiproc;

import dev.multiproc.internal.objects.Attachment;
import dev.multiproc.internal.shm.header.ObjectKind;
import dev.multiproc.internal.shm.values.LongCells;

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * An array of doubles in shared memory, updated atomically by any process: Python's
 * {@code multiprocessing.Array('d', n)}. Stored as IEEE 754 bits; {@code compareAndSet}
 * compares bits (so {@code NaN} equals itself and {@code -0.0} differs from {@code 0.0}), and
 * the arithmetic updates are CAS loops.
 */
public final class SharedDoubleArray extends SharedObject {
    @java.io.Serial
    private static final long serialVersionUID = 1L;

    private final transient LongCells cells;

    SharedDoubleArray(Multiproc context, Attachment attachment, boolean createdHere) {
        super(context, attachment, createdHere);
        this.cells = new LongCells(region);
    }

    @Override
    ObjectKind kind() {
        return ObjectKind.DOUBLE_VALUES;
    }

    @Override
    int referenceDetail() {
        return 1;
    }

    public int length() {
        return cells.length();
    }

    static double bits(long bits) {
        return Double.longBitsToDouble(bits);
    }

    static long bits(double value) {
        return Double.doubleToRawLongBits(value);
    }

    public double get(int index) {
        ensureOpen();
        return bits(cells.get(index));
    }

    public void set(int index, double value) {
        ensureOpen();
        cells.set(index, bits(value));
    }

    public void lazySet(int index, double value) {
        ensureOpen();
        cells.lazySet(index, bits(value));
    }

    public double getAndSet(int index, double value) {
        ensureOpen();
        return bits(cells.getAndSet(index, bits(value)));
    }

    public boolean compareAndSet(int index, double expected, double value) {
        ensureOpen();
        return cells.compareAndSet(index, bits(expected), bits(value));
    }

    public double getAndAdd(int index, double delta) {
        return getAndUpdate(index, current -> current + delta);
    }

    public double addAndGet(int index, double delta) {
        return updateAndGet(index, current -> current + delta);
    }

    public double getAndUpdate(int index, DoubleUnaryOperator update) {
        ensureOpen();
        return bits(cells.getAndUpdate(index, current -> bits(update.applyAsDouble(bits(current)))));
    }

    public double updateAndGet(int index, DoubleUnaryOperator update) {
        ensureOpen();
        return bits(cells.updateAndGet(index, current -> bits(update.applyAsDouble(bits(current)))));
    }

    public double getAndAccumulate(int index, double operand, DoubleBinaryOperator accumulate) {
        return getAndUpdate(index, current -> accumulate.applyAsDouble(current, operand));
    }

    public double accumulateAndGet(int index, double operand, DoubleBinaryOperator accumulate) {
        return updateAndGet(index, current -> accumulate.applyAsDouble(current, operand));
    }

    public double[] toArray() {
        ensureOpen();
        double[] copy = new double[cells.length()];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = bits(cells.get(i));
        }
        return copy;
    }

    @Override
    public String toString() {
        return isClosed() ? super.toString() : java.util.Arrays.toString(toArray());
    }
}
