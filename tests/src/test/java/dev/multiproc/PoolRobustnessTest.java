package dev.multiproc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import dev.multiproc.internal.pool.PoolDispatcher;

import static org.junit.jupiter.api.Assertions.*;

/** Bad results and bad initializers: the pool fails what they touch, never more, and never leaves a caller waiting. */
@Timeout(120)
class PoolRobustnessTest extends ContextPerTest {

    /** A result whose reading throws in the parent (its worker wrote it fine). */
    static final class Unreadable implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        private final boolean fatal;

        Unreadable(boolean fatal) {
            this.fatal = fatal;
        }

        @Serial
        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            if (JvmProcess.parent().isEmpty()) {
                if (fatal) {
                    throw new StackOverflowError("(test) too deep to read");
                }
                throw new IllegalStateException("(test) cannot be read here");
            }
        }
    }

    @Test
    void aResultThatCannotBeReadFailsOnlyItsTask() throws Exception {
        try (ProcessPool pool = mp.pool(1)) {
            CompletableFuture<Unreadable> bad = pool.applyAsync(x -> new Unreadable(false), 1);
            CompletableFuture<Integer> good = pool.applyAsync(x -> x + 1, 1);
            ExecutionException failed = assertThrows(ExecutionException.class, () -> bad.get(60, TimeUnit.SECONDS));
            assertInstanceOf(TaskFailedException.class, failed.getCause());
            assertTrue(failed.getCause().getMessage().contains("could not be read"), failed.getCause().getMessage());
            assertEquals(2, good.get(60, TimeUnit.SECONDS), "the next task is not affected");
            int doubled = pool.apply((Integer x) -> x * 2, 3);
            assertEquals(6, doubled, "and the pool goes on");
        }
    }

    @Test
    void aFatalErrorInTheDispatcherFailsEveryPendingFuture() throws Exception {
        ProcessPool pool = mp.pool(1);
        List<CompletableFuture<?>> futures = new ArrayList<>();
        futures.add(pool.applyAsync(x -> new Unreadable(true), 1));
        for (int i = 0; i < 5; i++) {
            futures.add(pool.applyAsync(x -> {
                Children.sleep(200);
                return x;
            }, i));
        }
        for (CompletableFuture<?> future : futures) {
            ExecutionException failed = assertThrows(ExecutionException.class, () -> future.get(60, TimeUnit.SECONDS),
                    "every future completes, none is left waiting");
            assertInstanceOf(MultiprocException.class, failed.getCause());
        }
        assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS), "the pool stopped");
        assertThrows(RejectedExecutionException.class, () -> pool.apply(x -> x, 1));
    }

    @Test
    void anInitializerThatThrowsFailsTheWorkWithItsExceptionAfterAFewTriesNotAnEndlessRespawn() throws Exception {
        SharedLong starts = mp.sharedLong(0);
        PoolOptions options = PoolOptions.of(2).withInitializer(() -> {
            starts.incrementAndGet();
            throw new IllegalStateException("(test) this worker cannot be set up");
        });
        ProcessPool pool = mp.pool(options);
        CompletableFuture<Integer> task = pool.applyAsync(x -> x, 1);
        ExecutionException failed = assertThrows(ExecutionException.class, () -> task.get(60, TimeUnit.SECONDS));
        Throwable cause = failed.getCause();
        assertTrue(cause.getMessage().contains("initializer failed in " + PoolDispatcher.INITIALIZER_ATTEMPTS + " workers in a row"),
                cause.getMessage());
        assertInstanceOf(IllegalStateException.class, cause.getCause(), "the initializer's own exception is the cause");
        assertEquals("(test) this worker cannot be set up", cause.getCause().getMessage());
        assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        Thread.sleep(500);
        assertTrue(starts.get() <= PoolDispatcher.INITIALIZER_ATTEMPTS + 1, "workers were not respawned in a loop: " + starts.get());
        RejectedExecutionException rejected = assertThrows(RejectedExecutionException.class, () -> pool.apply(x -> x, 2));
        assertTrue(rejected.getMessage().contains("initializer failed"), rejected.getMessage());
    }
}
