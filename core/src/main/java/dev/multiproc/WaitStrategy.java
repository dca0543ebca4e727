package dev.multiproc;

import dev.multiproc.internal.shm.wait.WaitPolicy;

/**
 * How a blocking call waits for another process. Chosen per shared object; every choice
 * honours timeouts and interrupts.
 */
public enum WaitStrategy {
    /**
     * Never sleeps: spins on the shared word with {@link Thread#onSpinWait()}. Lowest latency
     * (a round trip costs about what the two cores need to exchange a cache line), at the price
     * of a full core per waiting thread for as long as it waits. Every few thousand spins (tens of
     * microseconds) it yields the processor, so that where spinning threads outnumber the cores
     * the thread it waits for still runs (two producers and a consumer on two cores, say); with a
     * core to itself, the yield returns at once.
     */
    BUSY_SPIN,
    /**
     * Spins for a few microseconds, yields for a few more, then sleeps in the kernel (futex on
     * Linux). Fast when messages follow closely; an idle waiter uses no CPU. The default.
     */
    BACKOFF,
    /**
     * Sleeps as soon as the condition is false. Least CPU; every hand-off to a sleeping process
     * costs a kernel wake-up (tens of microseconds).
     */
    BLOCKING;

    /** What the shared-memory protocols do for this strategy. */
    WaitPolicy policy() {
        return switch (this) {
            case BUSY_SPIN -> WaitPolicy.SPIN;
            case BACKOFF -> WaitPolicy.SPIN_THEN_SLEEP;
            case BLOCKING -> WaitPolicy.SLEEP;
        };
    }
}
