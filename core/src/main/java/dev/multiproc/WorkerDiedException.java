package dev.multiproc;

/**
 * A pool worker ended (it exited, crashed or was killed) while it held the task; the pool
 * replaced it and carried on with the other tasks.
 */
public class WorkerDiedException extends MultiprocException {
    @java.io.Serial
    private static final long serialVersionUID = 1L;

    private final String worker;
    private final long pid;
    private final int exitCode;

    public WorkerDiedException(String worker, long pid, int exitCode) {
        super("pool worker '" + worker + "' (pid " + pid + ") ended with exit code " + exitCode
                + (exitCode < 0 ? " (killed by signal " + -exitCode + ")" : "") + " while it ran this task");
        this.worker = worker;
        this.pid = pid;
        this.exitCode = exitCode;
    }

    public String worker() {
        return worker;
    }

    public long pid() {
        return pid;
    }

    /** As {@link JvmProcess#exitCode()}: -N for signal N. */
    public int exitCode() {
        return exitCode;
    }
}
