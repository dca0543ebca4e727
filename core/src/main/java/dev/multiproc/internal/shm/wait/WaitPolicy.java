package dev.multiproc.internal.shm.wait;

/**
 * How a thread of a protocol waits for a shared condition: whether it spins, and for how long,
 * before it sleeps in the kernel. The protocols know only this; the API's wait strategies map
 * onto it.
 */
public enum WaitPolicy {
    /** Never sleeps: spins with {@link Thread#onSpinWait()}, checking timeouts and interrupts and yielding the processor now and then. */
    SPIN,
    /** Spins for {@link WaitPoint#SPIN_NANOS}, yields for {@link WaitPoint#YIELD_NANOS}, then sleeps. */
    SPIN_THEN_SLEEP,
    /** Sleeps as soon as the condition is false. */
    SLEEP
}
