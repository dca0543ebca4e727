package dev.multiproc.internal.shm.wait;

/**
 * A protocol object whose waiting threads can be counted and woken: what a process keeps once
 * per mapped object, so that closing one handle can wake that handle's sleepers (which then see
 * it closed) and listings can show who waits.
 */
public interface Waiters {

    /** Wakes every thread (of every process) asleep on the object, so that they look again. */
    void wakeAll();

    /** Threads of all processes asleep on the object now. */
    int sleepers();
}
