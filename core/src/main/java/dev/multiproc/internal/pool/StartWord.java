package dev.multiproc.internal.pool;

import dev.multiproc.SharedLongArray;

/**
 * A pool worker's start word, one long in the pool's slot array: what its worker has started,
 * and what the pool has taken back from it. Tasks are counted per worker in the order the pool
 * sends them (the {@code ordinal}, from 1; 0: nothing started), so the word tells, of the tasks
 * sent to a worker, which it may have run and which it never will.
 *
 * <pre>
 *   63  62                                                            0  (bit)
 *  +---+---------------------------------------------------------------+
 *  | B |                          ordinal                              |
 *  +---+---------------------------------------------------------------+
 *  B = 0: the worker started its task of this ordinal (and so every earlier one)
 *  B = 1: the pool took back every task of this ordinal or earlier that was not started
 * </pre>
 *
 * <p>Both sides read the word with volatile reads and change it only by compare-and-set (a full
 * fence, across processes as within one), each from the value it read: a task is either started
 * (the worker's set of its ordinal over a word that does not mark it taken back) or taken back
 * (the pool's set of a mark over a word whose ordinal is below it), never both, as whichever set
 * comes second fails and reads again. A worker that finds its task taken back skips it without
 * running or answering it, and the pool sends it to another worker (see {@code spec/pool.md}).
 */
public final class StartWord {
    private static final long TAKEN_BACK = Long.MIN_VALUE;

    private StartWord() {
    }

    /** Through which ordinal the worker's tasks are started or taken back: none later is either. */
    public static long settledThrough(long word) {
        return word & ~TAKEN_BACK;
    }

    /** The mark of tasks taken back through {@code ordinal}. */
    static long takenBackThrough(long ordinal) {
        return TAKEN_BACK | ordinal;
    }

    /**
     * Worker side: starts its task of {@code ordinal} unless the pool has taken it back; whether
     * to run it.
     */
    public static boolean start(SharedLongArray slots, int slot, long ordinal) {
        while (true) {
            long word = slots.get(PoolWorker.startedAt(slot));
            if ((word & TAKEN_BACK) != 0 && ordinal <= settledThrough(word)) {
                return false;
            }
            if (slots.compareAndSet(PoolWorker.startedAt(slot), word, ordinal)) {
                return true;
            }
        }
    }

    /**
     * Pool side: takes back every task sent to worker {@code slot} through {@code lastSent} that it
     * has not started; returns the ordinal through which its tasks were settled before (started,
     * or taken back earlier) — those after it are taken back now — or {@code lastSent} if none
     * was left to take.
     */
    public static long takeBack(SharedLongArray slots, int slot, long lastSent) {
        while (true) {
            long word = slots.get(PoolWorker.startedAt(slot));
            long settled = settledThrough(word);
            if (settled >= lastSent) {
                return lastSent;
            }
            if (slots.compareAndSet(PoolWorker.startedAt(slot), word, takenBackThrough(lastSent))) {
                return settled;
            }
        }
    }
}
