package dev.multiproc;

/**
 * A {@link SharedLock}'s or {@link SharedReentrantLock}'s numbers at one moment
 * ({@link AbstractSharedLock#metrics()}), read from shared memory.
 *
 * @param locked    whether some process holds it
 * @param ownerPid  the holder's pid as its own process sees it, 0 if none
 * @param waiters   threads asleep waiting for it now
 * @param takeOvers times it was taken over from a process that died holding it
 */
public record LockMetrics(boolean locked, long ownerPid, int waiters, long takeOvers) {
}
