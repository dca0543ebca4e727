package dev.multiproc.spi;

/** The two ways one process ends another. */
public enum ProcessSignal {
    /** Ask to end: SIGTERM on POSIX; on Windows, TerminateProcess as for {@link #KILL}. */
    TERMINATE(15),
    /** End at once: SIGKILL on POSIX, TerminateProcess on Windows. */
    KILL(9);

    private final int posixNumber;

    ProcessSignal(int posixNumber) {
        this.posixNumber = posixNumber;
    }

    /** The POSIX signal number; child exit codes report a death by signal as its negation. */
    public int posixNumber() {
        return posixNumber;
    }
}
