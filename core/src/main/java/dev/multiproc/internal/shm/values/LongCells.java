package dev.multiproc.internal.shm.values;

import dev.multiproc.internal.shm.ProtocolFailures;
import dev.multiproc.internal.shm.header.ObjectHeader;
import dev.multiproc.internal.shm.header.ObjectHeaderLayout;
import dev.multiproc.spi.MappedRegion;

import java.lang.foreign.MemorySegment;
import java.util.function.LongBinaryOperator;
import java.util.function.LongUnaryOperator;

import static dev.multiproc.internal.shm.Words.INT;
import static dev.multiproc.internal.shm.Words.LONG;
import static dev.multiproc.internal.shm.values.ValuesLayout.*;

/**
 * Atomic 64-bit cells in shared memory, with {@link java.util.concurrent.atomic.AtomicLongArray}'s
 * operations and memory effects: {@code get}/{@code set} are volatile, {@code lazySet} a
 * release store, read-modify-writes are atomic in every process. Doubles are stored as their
 * raw bits and updated by CAS on them.
 */
public final class LongCells {
    private final MemorySegment values;
    private final int length;

    /**
     * The cells of a published values object.
     *
     * @throws RuntimeException from {@link dev.multiproc.internal.shm.ProtocolFailures#corrupt} if its length is not positive or its cells do not fit the object
     */
    public LongCells(MappedRegion region) {
        MemorySegment body = ObjectHeader.body(region);
        this.length = body.byteSize() < VALUES_OFFSET ? -1 : (int) INT.get(body, LENGTH_OFFSET);
        if (length <= 0 || VALUES_OFFSET + (long) length * Long.BYTES > body.byteSize()) {
            throw ProtocolFailures.corrupt(region.name(), "length", length, "it must be positive, its cells within the object's "
                    + body.byteSize() + " bytes");
        }
        this.values = body.asSlice(VALUES_OFFSET, (long) length * Long.BYTES);
    }

    /** Creator: the number of cells and their initial value; before the header is published. */
    public static void initialise(MappedRegion region, int length, long initial) {
        MemorySegment body = region.segment().asSlice(ObjectHeaderLayout.LENGTH);
        INT.set(body, LENGTH_OFFSET, length);
        for (int i = 0; i < length; i++) {
            LONG.set(body, VALUES_OFFSET + (long) i * Long.BYTES, initial);
        }
    }

    public int length() {
        return length;
    }

    private long offset(int index) {
        return (long) java.util.Objects.checkIndex(index, length) * Long.BYTES;
    }

    public long get(int index) {
        return (long) LONG.getVolatile(values, offset(index));
    }

    public void set(int index, long value) {
        LONG.setVolatile(values, offset(index), value);
    }

    public void lazySet(int index, long value) {
        LONG.setRelease(values, offset(index), value);
    }

    public long getAndSet(int index, long value) {
        return (long) LONG.getAndSet(values, offset(index), value);
    }

    public boolean compareAndSet(int index, long expected, long value) {
        return LONG.compareAndSet(values, offset(index), expected, value);
    }

    public long getAndAdd(int index, long delta) {
        return (long) LONG.getAndAdd(values, offset(index), delta);
    }

    public long getAndUpdate(int index, LongUnaryOperator update) {
        long offset = offset(index);
        while (true) {
            long current = (long) LONG.getVolatile(values, offset);
            if (LONG.compareAndSet(values, offset, current, update.applyAsLong(current))) {
                return current;
            }
        }
    }

    public long updateAndGet(int index, LongUnaryOperator update) {
        long offset = offset(index);
        while (true) {
            long current = (long) LONG.getVolatile(values, offset);
            long next = update.applyAsLong(current);
            if (LONG.compareAndSet(values, offset, current, next)) {
                return next;
            }
        }
    }

    public long getAndAccumulate(int index, long operand, LongBinaryOperator accumulate) {
        return getAndUpdate(index, current -> accumulate.applyAsLong(current, operand));
    }

    public long accumulateAndGet(int index, long operand, LongBinaryOperator accumulate) {
        return updateAndGet(index, current -> accumulate.applyAsLong(current, operand));
    }
}
