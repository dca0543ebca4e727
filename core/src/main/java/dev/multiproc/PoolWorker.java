package dev.multiproc;

import dev.multiproc.codec.Codec;

import java.io.EOFException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a pool worker JVM runs: receives serialised tasks on its pipe end, runs them, sends
 * back their results (or what they threw), until the pool closes the pipe or the worker has
 * run its allotted tasks.
 */
final class PoolWorker {

    private PoolWorker() {
    }

    /** What came of a task: its results in order, or the first failure (and the item that raised it). */
    record Result(long id, List<?> values, Throwable failure, int failedItem) {
    }

    /** The id of the result a worker sends when its initializer threw (it then exits). */
    static final long INITIALIZER_FAILED = -1;

    static void run(String pipe, SerializableRunnable initializer, int maxTasks) {
        try (Connection<byte[]> connection = Connection.attach(pipe, 1, Codec.bytes())) {
            if (initializer != null) {
                try {
                    initializer.run();
                } catch (RuntimeException | Error failure) {
                    connection.sendBytes(TaskCodec.encodeResult(INITIALIZER_FAILED, null, sendable(failure), 0));
                    throw failure;
                }
            }
            for (int done = 0; maxTasks == 0 || done < maxTasks; done++) {
                byte[] message;
                try {
                    message = connection.recvBytes();
                } catch (EOFException poolClosed) {
                    return;
                }
                connection.sendBytes(execute(TaskCodec.decodeTask(message)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static byte[] execute(TaskCodec.Task task) {
        List<Object> values = new ArrayList<>(task.items() == null ? 1 : task.items().size());
        int index = 0;
        try {
            if (task.items() == null) {
                values.add(((SerializableCallable<?>) task.work()).call());
            } else {
                SerializableFunction function = (SerializableFunction) task.work();
                for (Object item : task.items()) {
                    values.add(function.apply(item));
                    index++;
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
            JvmProcess.serialise(failure, "a task failure");
            return failure;
        } catch (IllegalArgumentException notSerialisable) {
            MultiprocException standIn = new MultiprocException(failure.getClass().getName() + ": " + failure.getMessage()
                    + " (the original could not be serialised)");
            standIn.setStackTrace(failure.getStackTrace());
            return standIn;
        }
    }
}
