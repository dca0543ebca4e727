package dev.multiproc;

/**
 * A task of {@link ProcessPool#map} (or another blocking pool call) threw: the cause is the
 * exception the task threw in the worker, with the worker's stack trace.
 */
public class TaskFailedException extends MultiprocException {
    @java.io.Serial
    private static final long serialVersionUID = 1L;

    public TaskFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
