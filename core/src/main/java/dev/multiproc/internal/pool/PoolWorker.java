package dev.multiproc.internal.pool;

import dev.multiproc.Connection;
import dev.multiproc.MultiprocException;
import dev.multiproc.SerializableCallable;
import dev.multiproc.SerializableFunction;
import dev.multiproc.SerializableRunnable;
import dev.multiproc.SharedLongArray;
import dev.multiproc.SharedSemaphore;
import dev.multiproc.WaitStrategy;
import dev.multiproc.codec.Codec;
import dev.multiproc.internal.process.TargetBytes;

import java.io.EOFException;
import java.io.Serial;
import java.util.List;
import java.util.OptionalLong;

/**
 * What a pool worker JVM runs: takes the tasks the pool sends on its pipe (the next one is
 * usually there already: the pool sends ahead what fits in the pipe), runs them in order —
 * starting each in its {@link StartWord} first, which skips a task the pool took back for an idle
 * worker meanwhile — sends back each result and signals the pool's collector, until the pool
 * closes the pipe or the worker has run its allotted tasks. The function of a task comes once per
 * work id ({@link WorkCache}).
 */
public final class PoolWorker {
    private PoolWorker() {
    }

    /** What came of a task: its results in order, or the first failure (and the item that raised it). */
    public record Result(long id, List<?> values, Throwable failure, int failedItem) {
    }

    /**
     * The target of a worker JVM: {@link #run} with these arguments. A class of its own, not a
     * lambda of {@link PoolDispatcher}'s: a cold worker reading a lambda loads the class that made
     * it (the dispatcher, from its jar, as it is not in the start-up cache) and spins the lambda's
     * class, which a profile of cold pools put at a tenth of a worker's work before its first task.
     */
    public static SerializableRunnable target(String pipe, SharedSemaphore resultsPosted, SharedLongArray slots, int slot,
                                              SerializableRunnable initializer, int maxTasks, WaitStrategy waitStrategy) {
        return new Target(pipe, resultsPosted, slots, slot, initializer, maxTasks, waitStrategy);
    }

    /** A class, not a record: a fresh JVM reads a record through method handles it builds for it (see SharedObjectReference). */
    private static final class Target implements SerializableRunnable {
        @Serial
        private static final long serialVersionUID = 1L;

        private final String pipe;
        private final SharedSemaphore resultsPosted;
        private final SharedLongArray slots;
        private final int slot;
        private final SerializableRunnable initializer;
        private final int maxTasks;
        private final WaitStrategy waitStrategy;

        Target(String pipe, SharedSemaphore resultsPosted, SharedLongArray slots, int slot, SerializableRunnable initializer,
               int maxTasks, WaitStrategy waitStrategy) {
            this.pipe = pipe;
            this.resultsPosted = resultsPosted;
            this.slots = slots;
            this.slot = slot;
            this.initializer = initializer;
            this.maxTasks = maxTasks;
            this.waitStrategy = waitStrategy;
        }

        @Override
        public void run() {
            PoolWorker.run(pipe, resultsPosted, slots, slot, initializer, maxTasks, waitStrategy);
        }
    }

    /** Longs per worker slot in the pool's slot array. */
    public static final int SLOT_LONGS = 3;

    /** The id of the result a worker sends when its initializer threw (it then exits). */
    public static final long INITIALIZER_FAILED = -1;

    /**
     * @param slots where this worker keeps its record (see {@link #startedAt}, {@link #announcedAt} and
     *              {@link #readyAt}): its {@link StartWord} — if it dies, the pool fails the tasks it started and sends
     *              the rest elsewhere — how many results it has announced, and that it is ready
     * @param maxTasks how many tasks it runs before it exits (0: no limit); tasks taken back do not count
     * @param waitStrategy how it waits for its next task (the pool's)
     */
    public static void run(String pipe, SharedSemaphore resultsPosted, SharedLongArray slots, int slot, SerializableRunnable initializer,
                    int maxTasks, WaitStrategy waitStrategy) {
        try (Connection<byte[]> connection = Connection.attach(pipe, 1, Codec.bytes())) {
            connection.setWaitStrategy(waitStrategy);
            if (initializer != null) {
                try {
                    initializer.run();
                } catch (RuntimeException | Error failure) {
                    answer(connection, resultsPosted, slots, slot, TaskCodec.encodeResult(INITIALIZER_FAILED, null, sendable(failure), 0));
                    throw failure;
                }
            }
            slots.set(readyAt(slot), 1);
            WorkCache works = new WorkCache();
            long received = 0;
            int done = 0;
            while (maxTasks == 0 || done < maxTasks) {
                byte[] message;
                try {
                    message = connection.recvBytes();
                } catch (EOFException poolClosed) {
                    return;
                }
                if (StartWord.start(slots, slot, ++received)) {
                    answer(connection, resultsPosted, slots, slot, execute(message, works));
                    done++;
                } else {
                    TaskCodec.keepWork(message, works);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The index in the pool's slot array of worker {@code slot}'s {@link StartWord}. */
    public static int startedAt(int slot) {
        return SLOT_LONGS * slot;
    }

    /** The index in the pool's slot array of how many results worker {@code slot} has announced. */
    public static int announcedAt(int slot) {
        return SLOT_LONGS * slot + 1;
    }

    /** The index in the pool's slot array of worker {@code slot}'s readiness: 1 once it waits for tasks (its initializer done). */
    public static int readyAt(int slot) {
        return SLOT_LONGS * slot + 2;
    }

    /**
     * Sends a result and announces it to the pool's collector (counts it, signals it). A result
     * that fits the pipe now goes in first, whole: the collector, woken, reads it at once — a
     * trace of 2-worker maps here showed a collector woken by the signal sleep again on the pipe
     * for hundreds of µs until the bytes came. A larger one is announced first, so that the
     * collector reads it while it streams through the pipe instead of the worker waiting for room.
     */
    private static void answer(Connection<byte[]> connection, SharedSemaphore resultsPosted, SharedLongArray slots, int slot, byte[] result) {
        boolean fitsNow = connection.canSendWithoutWaiting(result.length);
        if (fitsNow) {
            connection.sendBytes(result);
        }
        slots.incrementAndGet(announcedAt(slot));
        resultsPosted.release();
        if (!fitsNow) {
            connection.sendBytes(result);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static byte[] execute(byte[] message, WorkCache works) {
        TaskCodec.Task task;
        try {
            task = TaskCodec.decodeTask(message, works);
        } catch (IllegalStateException unreadable) {
            OptionalLong id = TaskCodec.idOf(message);
            if (id.isEmpty()) {
                throw unreadable;
            }
            return TaskCodec.encodeResult(id.getAsLong(), null, sendable(unreadable), 0);
        }
        List<?> items = task.items();
        Object[] values = new Object[items == null ? 1 : items.size()];
        int index = 0;
        try {
            if (items == null) {
                values[0] = ((SerializableCallable<?>) task.work()).call();
            } else {
                SerializableFunction function = (SerializableFunction) task.work();
                for (; index < values.length; index++) {
                    values[index] = function.apply(items.get(index));
                }
            }
            return TaskCodec.encodeResult(task.id(), values, null, -1);
        } catch (Throwable failure) {
            return TaskCodec.encodeResult(task.id(), null, sendable(failure), index);
        }
    }

    /** The failure as it can travel: itself if serialisable, else a description with its stack trace. */
    private static Throwable sendable(Throwable failure) {
        try {
            TargetBytes.serialise(failure, "a task failure");
            return failure;
        } catch (IllegalArgumentException notSerialisable) {
            MultiprocException standIn = new MultiprocException(failure.getClass().getName() + ": " + failure.getMessage()
                    + " (the original could not be serialised)");
            standIn.setStackTrace(failure.getStackTrace());
            return standIn;
        }
    }
}
