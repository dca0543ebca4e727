package dev.multiproc.bench.run;

import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * Var handles over words of a {@code SharedMemory} segment, coordinates
 * {@code (MemorySegment segment, long offset)}: how the benchmarks' own shared counters and
 * stamps are read and written, each access naming its memory ordering.
 */
public final class SharedWords {
    /** 32-bit words. */
    public static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    /** 64-bit words. */
    public static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private SharedWords() {
    }
}
