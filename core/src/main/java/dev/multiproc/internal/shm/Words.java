package dev.multiproc.internal.shm;

import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The two var handles every shared structure uses to read and write its words, with the
 * coordinates {@code (MemorySegment segment, long offset)}. Each access names its memory
 * ordering at the call site ({@code getAcquire}, {@code setRelease}, {@code compareAndSet}, ...),
 * and every offset used with them is a multiple of the word size, so accesses are atomic.
 */
public final class Words {
    /** 32-bit words: futex words, counters, flags. */
    public static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    /** 64-bit words: positions, identities, values. */
    public static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private Words() {
    }
}
