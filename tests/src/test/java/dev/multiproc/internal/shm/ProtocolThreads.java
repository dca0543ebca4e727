package dev.multiproc.internal.shm;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/** A participant's blocking call on a thread of its own, and waits for observable state instead of sleeps. */
final class ProtocolThreads {
    private static final Duration BOUND = Duration.ofSeconds(10);

    private ProtocolThreads() {
    }

    /** Runs {@code call} on a new daemon thread; the future holds its result or what it threw. */
    static <T> CompletableFuture<T> start(String name, Callable<T> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                result.complete(call.call());
            } catch (Throwable failure) {
                result.completeExceptionally(failure);
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        return result;
    }

    /** Waits (bounded) until {@code condition} holds: a waiter has gone to sleep, a count has moved. */
    static void awaitState(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + BOUND.toSeconds() + " s: " + what);
            }
            Thread.sleep(1);
        }
    }

    /** The result of a participant's call, waited for (bounded). */
    static <T> T result(CompletableFuture<T> call) throws InterruptedException, ExecutionException {
        try {
            return call.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException stuck) {
            return fail("the participant's call did not return within " + BOUND.toSeconds() + " s");
        }
    }
}
