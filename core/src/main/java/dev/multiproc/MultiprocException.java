package dev.multiproc;

/**
 * Root of every exception that multiproc defines. All are unchecked: a failing shared-memory
 * operation is a programming or environment error, not a condition callers recover from in line.
 */
public class MultiprocException extends RuntimeException {
    @java.io.Serial
    private static final long serialVersionUID = 1L;

    public MultiprocException(String message) {
        super(message);
    }

    public MultiprocException(String message, Throwable cause) {
        super(message, cause);
    }
}
