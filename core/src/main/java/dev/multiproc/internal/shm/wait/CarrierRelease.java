package dev.multiproc.internal.shm.wait;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Runs a call that may sleep in the kernel (a futex wait, a poll on a process descriptor) so that
 * it never holds a virtual thread's carrier. A native call made through the FFM API pins the
 * virtual thread that makes it: with as many sleepers as carriers, no other virtual thread could
 * run — not even the one that would wake them. So a virtual thread hands the call to a platform
 * thread of a shared pool and parks until it returns; a platform thread makes the call itself.
 *
 * <p>Calls given here are bounded (a wait slice), so the parked virtual thread waits for the
 * call uninterruptibly and keeps an interrupt for its caller, which checks it between slices:
 * interrupt latency stays one slice, as for a platform thread. Everything the call wrote
 * happens-before this method returns (the hand-off goes through a {@link FutureTask}). The pool
 * keeps a platform thread per concurrent sleep and lets idle ones end after a minute.
 */
public final class CarrierRelease {
    private static final long IDLE_SECONDS = 60;

    private CarrierRelease() {
    }

    /** A native call that may block for a bounded time. */
    @FunctionalInterface
    public interface BoundedCall {
        void run();
    }

    /** Runs {@code call} on this thread, or, from a virtual thread, on a platform thread while this one parks. */
    public static void run(BoundedCall call) {
        test(() -> {
            call.run();
            return true;
        });
    }

    /** {@link #run} for a call with a result. */
    public static boolean test(BooleanSupplier call) {
        return Thread.currentThread().isVirtual() ? offCarrier(call) : call.getAsBoolean();
    }

    private static boolean offCarrier(BooleanSupplier call) {
        FutureTask<Boolean> task = new FutureTask<>(call::getAsBoolean);
        Helpers.POOL.execute(task);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return task.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    switch (e.getCause()) {
                        case RuntimeException unchecked -> throw unchecked;
                        case Error error -> throw error;
                        default -> throw new IllegalStateException(e.getCause());
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static final class Helpers {
        static final ThreadPoolExecutor POOL = new ThreadPoolExecutor(0, Integer.MAX_VALUE, IDLE_SECONDS, TimeUnit.SECONDS,
                new SynchronousQueue<>(), Thread.ofPlatform().daemon().name("multiproc-sleeper-", 0).factory());
    }
}
