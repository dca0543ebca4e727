package dev.multiproc.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A wait on more futex words than one {@code futex_waitv} takes ({@value #MAX_WORDS}; the kernel
 * refuses more with EINVAL). The words are split into batches of {@value #WORDS_PER_BATCH}, each
 * completed by a doorbell word of this wait's own, zero until rung. The calling thread sleeps on
 * the first batch, a helper thread on each of the others; whichever returns first — one of its
 * words changed or was woken, or the timeout passed — rings the doorbell (a volatile store, then a
 * wake of every sleeper on it), which ends every other batch's sleep at once. So the whole wait
 * ends on the first change or wake of any word, as one {@code futex_waitv} would.
 *
 * <p>The call returns only after every helper has returned: no thread stays asleep on the words
 * of mappings the caller may unmap next. Helpers come from a pool of daemon threads
 * ({@code multiproc-wait-any-N}), one per batch beyond the first of each wait under way, ended
 * after a minute idle.
 */
final class WaitvBatches {
    /** The most words one {@code futex_waitv} takes ({@code FUTEX_WAITV_MAX}). */
    static final int MAX_WORDS = 128;
    /** The words of one batch: one fewer than {@link #MAX_WORDS}, for the doorbell. */
    static final int WORDS_PER_BATCH = MAX_WORDS - 1;
    private static final VarHandle DOORBELL = JAVA_INT.varHandle();
    private static final int RUNG = 1;

    private WaitvBatches() {
    }

    /**
     * Sleeps until a word differs from its expected value or is woken, or the timeout passes.
     *
     * @return 0, or the errno of a batch that could not sleep as asked: {@link Errno#ENOSYS} (no
     *         {@code futex_waitv} in this kernel) before the others
     * @throws dev.multiproc.NativeCallException if a batch's wait failed otherwise
     */
    static int await(long[] addresses, int[] expected, long timeoutNanos, String objectName) {
        MemorySegment doorbell = Arena.ofAuto().allocate(JAVA_INT);
        int batches = (addresses.length + WORDS_PER_BATCH - 1) / WORDS_PER_BATCH;
        List<Future<Integer>> helpers = new ArrayList<>(batches - 1);
        int outcome;
        try {
            for (int batch = 1; batch < batches; batch++) {
                int from = batch * WORDS_PER_BATCH;
                helpers.add(Helpers.POOL.submit(() -> sleepThenRing(addresses, expected, from, doorbell, timeoutNanos, objectName)));
            }
            outcome = sleepThenRing(addresses, expected, 0, doorbell, timeoutNanos, objectName);
        } catch (RuntimeException | Error failure) {
            // a helper that could not be started, or this thread's batch failed: the others still end before this does
            ring(doorbell, objectName);
            joinAll(helpers, failure);
            throw failure;
        }
        return combine(outcome, joinAll(helpers, null));
    }

    /** Sleeps on the batch starting at {@code from}, with the doorbell; then rings it, so that the other batches end too. */
    private static int sleepThenRing(long[] addresses, int[] expected, int from, MemorySegment doorbell, long timeoutNanos,
                                     String objectName) {
        try {
            int to = Math.min(addresses.length, from + WORDS_PER_BATCH);
            // one place more than the batch's words, for the doorbell
            long[] batchAddresses = Arrays.copyOfRange(addresses, from, to + 1);
            int[] batchExpected = Arrays.copyOfRange(expected, from, to + 1);
            batchAddresses[to - from] = doorbell.address();
            batchExpected[to - from] = 0;
            return Libc.futexWaitAny(batchAddresses, batchExpected, timeoutNanos, objectName);
        } finally {
            ring(doorbell, objectName);
        }
    }

    private static void ring(MemorySegment doorbell, String objectName) {
        if ((int) DOORBELL.getVolatile(doorbell, 0L) != RUNG) {
            DOORBELL.setVolatile(doorbell, 0L, RUNG);
            Libc.futexWake(doorbell, Integer.MAX_VALUE, objectName);
        }
    }

    /**
     * Waits for every helper (each returns at once once the doorbell rang); their outcomes
     * combined. A helper's failure is thrown, or added to {@code failure} (already on its way) as
     * suppressed.
     */
    private static int joinAll(List<Future<Integer>> helpers, Throwable failure) {
        int outcome = 0;
        RuntimeException helperFailure = null;
        boolean interrupted = false;
        for (Future<Integer> helper : helpers) {
            while (true) {
                try {
                    outcome = combine(outcome, helper.get());
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    RuntimeException cause = e.getCause() instanceof RuntimeException unchecked ? unchecked
                            : new IllegalStateException("a futex_waitv helper failed: " + e.getCause(), e.getCause());
                    if (failure != null) {
                        failure.addSuppressed(cause);
                    } else if (helperFailure == null) {
                        helperFailure = cause;
                    } else {
                        helperFailure.addSuppressed(cause);
                    }
                    break;
                }
            }
        }
        if (interrupted) {
            // the caller's wait loop sees it between sleeps, as for any other wait
            Thread.currentThread().interrupt();
        }
        if (helperFailure != null) {
            throw helperFailure;
        }
        return outcome;
    }

    /** ENOSYS from any batch wins (the kernel has no {@code futex_waitv}); otherwise the first non-zero outcome. */
    private static int combine(int outcome, int other) {
        if (outcome == Errno.ENOSYS || other == Errno.ENOSYS) {
            return Errno.ENOSYS;
        }
        return outcome != 0 ? outcome : other;
    }

    private static final class Helpers {
        private static final long IDLE_SECONDS = 60;
        static final ThreadPoolExecutor POOL = new ThreadPoolExecutor(0, Integer.MAX_VALUE, IDLE_SECONDS, TimeUnit.SECONDS,
                new SynchronousQueue<>(), Thread.ofPlatform().daemon().name("multiproc-wait-any-", 0).factory());
    }
}
