package dev.multiproc.bench.run;

import dev.multiproc.SharedMemory;
import org.HdrHistogram.Histogram;

import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;

/**
 * Where the child JVMs leave each step's figures for the orchestrator: a shared-memory block
 * with one slot per step, plus a counter of finished steps for the progress bar.
 *
 * <pre>
 *   0: steps finished (long)
 *   slot i at 64 + i * SLOT: messages (long), nanoseconds (long), histogram length (int), histogram (compressed HdrHistogram)
 * </pre>
 */
public record ResultStore(SharedMemory memory) implements Serializable {
    public static final long SLOT = 128 * 1024;
    private static final long FINISHED_OFFSET = 0;
    private static final long SLOTS_OFFSET = 64;
    private static final long COUNT = 0;
    private static final long NANOS = 8;
    private static final long HISTOGRAM_LENGTH = 16;
    private static final long HISTOGRAM = 24;

    public static long sizeFor(int steps) {
        return SLOTS_OFFSET + steps * SLOT;
    }

    private MemorySegment slot(int step) {
        return memory.segment().asSlice(SLOTS_OFFSET + step * SLOT, SLOT);
    }

    public void putCount(int step, long messages, long nanos) {
        MemorySegment slot = slot(step);
        SharedWords.LONG.set(slot, COUNT, messages);
        SharedWords.LONG.setRelease(slot, NANOS, nanos);
    }

    public void putHistogram(int step, Histogram histogram) {
        ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        int length = histogram.encodeIntoCompressedByteBuffer(buffer);
        if (HISTOGRAM + length > SLOT) {
            throw new IllegalStateException("histogram of " + length + " bytes does not fit a result slot");
        }
        MemorySegment slot = slot(step);
        MemorySegment.copy(MemorySegment.ofArray(buffer.array()), 0, slot, HISTOGRAM, length);
        SharedWords.INT.setRelease(slot, HISTOGRAM_LENGTH, length);
    }

    public long count(int step) {
        return (long) SharedWords.LONG.get(slot(step), COUNT);
    }

    public long nanos(int step) {
        return (long) SharedWords.LONG.getAcquire(slot(step), NANOS);
    }

    /** The step's histogram, or null if none was recorded. */
    public Histogram histogram(int step) {
        MemorySegment slot = slot(step);
        int length = (int) SharedWords.INT.getAcquire(slot, HISTOGRAM_LENGTH);
        if (length == 0) {
            return null;
        }
        byte[] bytes = slot.asSlice(HISTOGRAM, length).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(bytes), 0);
        } catch (DataFormatException e) {
            throw new IllegalStateException("corrupt histogram in result slot " + step, e);
        }
    }

    public void stepFinished() {
        SharedWords.LONG.getAndAdd(memory.segment(), FINISHED_OFFSET, 1L);
    }

    public long finishedSteps() {
        return (long) SharedWords.LONG.getVolatile(memory.segment(), FINISHED_OFFSET);
    }
}
