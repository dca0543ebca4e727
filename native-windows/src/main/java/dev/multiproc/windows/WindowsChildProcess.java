package dev.multiproc.windows;

import dev.multiproc.spi.ChildProcess;
import dev.multiproc.spi.ProcessIdentity;

import java.util.concurrent.CompletableFuture;

/** A child started through {@link ProcessBuilder}; Windows has no signals, so exit codes are never negative. */
final class WindowsChildProcess implements ChildProcess {
    private final ProcessIdentity identity;
    private final CompletableFuture<Integer> exit;

    WindowsChildProcess(Process process, ProcessIdentity identity) {
        this.identity = identity;
        this.exit = process.onExit().thenApply(Process::exitValue);
    }

    @Override
    public ProcessIdentity identity() {
        return identity;
    }

    @Override
    public CompletableFuture<Integer> exit() {
        return exit;
    }
}
