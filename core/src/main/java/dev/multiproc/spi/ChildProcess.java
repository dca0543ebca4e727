package dev.multiproc.spi;

import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;

/**
 * A process started by {@link NativePlatform#spawn}. The platform reaps it as soon as it ends,
 * so no zombie outlives it, and reports its status the way Python does.
 */
public interface ChildProcess {

    /** Who the child is; the start time lets a watcher tell it from a later process with its pid. */
    ProcessIdentity identity();

    /**
     * Completes with the exit code once the child has ended and been reaped: the status given to
     * {@code exit}, or {@code -N} when signal {@code N} ended it.
     */
    CompletableFuture<Integer> exit();

    /** The exit code, empty while the child runs. */
    default OptionalInt exitCode() {
        CompletableFuture<Integer> exit = exit();
        return exit.isDone() ? OptionalInt.of(exit.join()) : OptionalInt.empty();
    }
}
