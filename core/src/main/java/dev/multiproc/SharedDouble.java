package dev.multiproc;

import dev.multiproc.internal.objects.Attachment;
import dev.multiproc.internal.shm.header.ObjectKind;
import dev.multiproc.internal.shm.values.LongCells;

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

import static dev.multiproc.SharedDoubleArray.bits;

/**
 * A double in shared memory, updated atomically by any process: Python's
 * {@code multiprocessing.Value('d')}. Stored as IEEE 754 bits; {@code compareAndSet} compares
 * bits, and the arithmetic updates are CAS loops.
 */
public final class SharedDouble extends SharedObject {
    @java.io.Serial
    private static final long serialVersionUID = 1L;

    private final transient LongCells cells;

    SharedDouble(Multiproc context, Attachment attachment, boolean createdHere) {
        super(context, attachment, createdHere);
        this.cells = new LongCells(region);
    }

    @Override
    ObjectKind kind() {
        return ObjectKind.DOUBLE_VALUES;
    }

    public double get() {
        ensureOpen();
        return bits(cells.get(0));
    }

    public void set(double value) {
        ensureOpen();
        cells.set(0, bits(value));
    }

    public void lazySet(double value) {
        ensureOpen();
        cells.lazySet(0, bits(value));
    }

    public double getAndSet(double value) {
        ensureOpen();
        return bits(cells.getAndSet(0, bits(value)));
    }

    public boolean compareAndSet(double expected, double value) {
        ensureOpen();
        return cells.compareAndSet(0, bits(expected), bits(value));
    }

    public double getAndAdd(double delta) {
        return getAndUpdate(current -> current + delta);
    }

    public double addAndGet(double delta) {
        return updateAndGet(current -> current + delta);
    }

    public double getAndUpdate(DoubleUnaryOperator update) {
        ensureOpen();
        return bits(cells.getAndUpdate(0, current -> bits(update.applyAsDouble(bits(current)))));
    }

    public double updateAndGet(DoubleUnaryOperator update) {
        ensureOpen();
        return bits(cells.updateAndGet(0, current -> bits(update.applyAsDouble(bits(current)))));
    }

    public double getAndAccumulate(double operand, DoubleBinaryOperator accumulate) {
        return getAndUpdate(current -> accumulate.applyAsDouble(current, operand));
    }

    public double accumulateAndGet(double operand, DoubleBinaryOperator accumulate) {
        return updateAndGet(current -> accumulate.applyAsDouble(current, operand));
    }

    @Override
    public String toString() {
        return isClosed() ? super.toString() : Double.toString(bits(cells.get(0)));
    }
}
