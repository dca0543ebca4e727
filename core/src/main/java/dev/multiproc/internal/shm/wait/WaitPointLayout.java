package dev.multiproc.internal.shm.wait;

import dev.multiproc.internal.shm.LayoutChecks;

/**
 * A wait point: the 8 bytes a shared structure embeds for each condition processes sleep on.
 *
 * <pre>
 *   0          4          8
 *   +----------+----------+
 *   | sequence | sleepers |
 *   +----------+----------+
 * </pre>
 *
 * {@code sequence} is the futex word: a waker bumps it, so a sleeper that read the old value
 * cannot miss the wake; its lowest bit, {@link #ARMED}, says that a sleeper may be in the kernel
 * on the present value, and the count moves in the bits above. {@code sleepers} counts
 * processes asleep or about to sleep, so a waker pays for the wake system call only when
 * someone sleeps.
 */
public final class WaitPointLayout {
    public static final long SEQUENCE_OFFSET = 0;
    public static final long SLEEPERS_OFFSET = 4;
    public static final long LENGTH = 8;
    /** The bit of {@code sequence} a sleeper sets before it sleeps on it; a wake of all clears it. */
    public static final int ARMED = 1;
    /** What a wake adds to {@code sequence}: the count above the {@link #ARMED} bit. */
    public static final int SEQUENCE_STEP = 2;

    static {
        LayoutChecks.of("WaitPointLayout")
                .field("sequence", SEQUENCE_OFFSET, Integer.BYTES)
                .field("sleepers", SLEEPERS_OFFSET, Integer.BYTES)
                .within(LENGTH);
    }

    private WaitPointLayout() {
    }
}
