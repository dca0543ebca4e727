package dev.multiproc.posix;

import dev.multiproc.spi.ChildProcess;
import dev.multiproc.spi.ProcessIdentity;

import java.util.concurrent.CompletableFuture;

/**
 * A child started with {@code posix_spawn}. A small daemon thread blocks in {@code waitpid} for
 * it, so the child is reaped the moment it ends (no zombie) and its status is read exactly: we
 * reap it ourselves, so nothing else can take the status first.
 */
final class PosixChildProcess implements ChildProcess {
    private static final long REAPER_STACK_SIZE = 64 * 1024;

    private final ProcessIdentity identity;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();

    PosixChildProcess(ProcessIdentity identity) {
        this.identity = identity;
        Thread reaper = new Thread(null, this::reap, "multiproc-reaper-" + identity.pid(), REAPER_STACK_SIZE);
        reaper.setDaemon(true);
        reaper.start();
    }

    private void reap() {
        try {
            exit.complete(exitCode(Libc.waitpid(identity.pid())));
        } catch (Throwable t) {
            exit.completeExceptionally(t);
        }
    }

    /** Python's convention: the exit status, or minus the number of the signal that ended it. */
    static int exitCode(int waitStatus) {
        int terminatingSignal = waitStatus & 0x7f;
        if (terminatingSignal == 0) {
            return (waitStatus >> 8) & 0xff;
        }
        return -terminatingSignal;
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
