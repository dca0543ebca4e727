package dev.multiproc;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import dev.multiproc.internal.shm.header.ObjectHeaderLayout;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.Platforms;

import java.io.EOFException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What every fuzz target does: writes the fuzzer's bytes into a live object's body (the header
 * stays valid), then runs the object's normal operations, each under a deadline. An operation
 * must return, or throw a {@link MultiprocException} or an exception its JDK interface names,
 * within the deadline; a legitimate wait (a message that will never come from a live peer) is
 * ended by closing the handle, which must wake it; anything else — an exception from reading out
 * of bounds, an operation that neither ends nor wakes, an {@link OutOfMemoryError} (the fuzz JVMs
 * have a 512 MiB heap) — is a finding.
 */
final class Fuzzing {
    /** How long one operation may take before its handles are closed under it. */
    static final long DEADLINE_MILLIS = 2_000;
    /** How long a closed handle's waiter may take to wake. */
    private static final long WAKE_MILLIS = 2_000;
    /** A raw write is at most this long. */
    private static final int MAX_WRITE = 16;

    private static final ExecutorService OPERATIONS = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "fuzzed-operation");
        thread.setDaemon(true);
        return thread;
    });

    /** What the operations of the shared types may throw by contract. */
    private static final Set<Class<? extends Throwable>> ALLOWED = Set.of(MultiprocException.class, IllegalStateException.class,
            NoSuchElementException.class, BrokenBarrierException.class, TimeoutException.class, EOFException.class,
            InterruptedException.class);

    private Fuzzing() {
    }

    @FunctionalInterface
    interface Operation {
        void run() throws Exception;
    }

    /**
     * Writes the fuzzer's bytes into {@code object}'s body, as another process could, through a
     * mapping of its own: a series of writes, each a 4- or 8-byte word at an aligned offset (any
     * value, or the value there nudged by -4 to +4: off-by-a-little is how fields go wrong) or a
     * short run of raw bytes. Each write takes a few input bytes, so short inputs already place
     * several corruptions where fields are.
     */
    static void corrupt(SharedObject object, FuzzedDataProvider data) {
        try (MappedRegion region = Platforms.current().openRegion(object.name())) {
            MemorySegment body = region.segment().asSlice(ObjectHeaderLayout.LENGTH);
            long words = body.byteSize() / Long.BYTES;
            while (data.remainingBytes() > 0) {
                int kind = data.consumeInt(0, 4);
                long word = data.consumeLong(0, words - 1) * Long.BYTES;
                switch (kind) {
                    case 0 -> body.set(ValueLayout.JAVA_INT, word + (data.consumeBoolean() ? Integer.BYTES : 0), data.consumeInt());
                    case 1 -> body.set(ValueLayout.JAVA_LONG, word, data.consumeLong());
                    case 2 -> body.set(ValueLayout.JAVA_INT, word, body.get(ValueLayout.JAVA_INT, word) + data.consumeInt(-4, 4));
                    case 3 -> body.set(ValueLayout.JAVA_LONG, word, body.get(ValueLayout.JAVA_LONG, word) + data.consumeInt(-4, 4));
                    default -> {
                        byte[] bytes = data.consumeBytes((int) Math.min(MAX_WRITE, body.byteSize() - word));
                        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, body, word, bytes.length);
                    }
                }
            }
        }
    }

    /** Runs each operation under the deadline (see the class comment); {@code handles} are closed to end a wait. */
    static void bounded(List<? extends AutoCloseable> handles, Set<Class<? extends Throwable>> alsoAllowed, Operation... operations) {
        for (Operation operation : operations) {
            Future<?> running = OPERATIONS.submit(() -> {
                operation.run();
                return null;
            });
            try {
                try {
                    running.get(DEADLINE_MILLIS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException waiting) {
                    for (AutoCloseable handle : handles) {
                        handle.close();
                    }
                    running.get(WAKE_MILLIS, TimeUnit.MILLISECONDS);
                }
            } catch (ExecutionException failed) {
                Throwable cause = failed.getCause();
                if (!isAllowed(cause, alsoAllowed)) {
                    throw new AssertionError("an operation on a corrupted object threw what its contract does not allow: " + cause, cause);
                }
            } catch (TimeoutException hung) {
                running.cancel(true);
                throw new AssertionError("an operation on a corrupted object neither ended within " + DEADLINE_MILLIS
                        + " ms nor woke within " + WAKE_MILLIS + " ms of its handle closing");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    private static boolean isAllowed(Throwable thrown, Set<Class<? extends Throwable>> alsoAllowed) {
        if (thrown instanceof Error error) {
            throw error;
        }
        return ALLOWED.stream().anyMatch(type -> type.isInstance(thrown)) || alsoAllowed.stream().anyMatch(type -> type.isInstance(thrown));
    }
}
