package dev.multiproc.spi;

/**
 * Who a process is to its parent: its pid and the moment it started, in the platform's own unit
 * (clock ticks since boot on Linux, FILETIME on Windows). A pid alone is reused by the OS; the
 * pair is not, so a recorded identity whose pid now belongs to a newer process is correctly seen
 * as dead. Both are valid only in the PID namespace they were read in: a parent uses them for its
 * own children; shared structures use {@link Liveness} tokens instead.
 *
 * @param pid       the OS process id
 * @param startTime when the process started, in the platform's unit; only compared, never converted
 */
public record ProcessIdentity(long pid, long startTime) {

    @Override
    public String toString() {
        return "pid " + pid;
    }
}
