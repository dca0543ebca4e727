package dev.multiproc;

import dev.multiproc.codec.Codec;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
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

    /** A unit of work: one call, or one chunk of a map. */
    record Task(long id, Serializable work, List<?> items) implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
    }

    /** What came of a task: its results in order, or the first failure (and where). */
    record Result(long id, List<?> values, Throwable failure, int failedItem) implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
    }

    static void run(String pipe, SerializableRunnable initializer, int maxTasks) {
        try (Connection<byte[]> connection = Connection.attach(pipe, 1, Codec.bytes())) {
            if (initializer != null) {
                initializer.run();
            }
            for (int done = 0; maxTasks == 0 || done < maxTasks; done++) {
                byte[] message;
                try {
                    message = connection.recvBytes();
                } catch (EOFException poolClosed) {
                    return;
                }
                connection.sendBytes(JvmProcess.serialise(execute(decode(message)), "a task result"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Task decode(byte[] message) {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(message))) {
            return (Task) in.readObject();
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("a pool task could not be read in the worker: " + e, e);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Result execute(Task task) {
        List<Object> values = new ArrayList<>();
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
            return new Result(task.id(), values, null, -1);
        } catch (Throwable failure) {
            return new Result(task.id(), null, sendable(failure), index);
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
