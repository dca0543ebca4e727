package dev.multiproc;

/**
 * An operating-system call failed. The message names the call, the object it was made for,
 * the error number with its symbolic name and the system's text for it.
 */
public class NativeCallException extends MultiprocException {
    @java.io.Serial
    private static final long serialVersionUID = 1L;

    private final String call;
    private final String objectName;
    private final int errorCode;
    private final String errorName;

    public NativeCallException(String call, String objectName, int errorCode, String errorName, String errorText) {
        super(call + " failed for " + (objectName == null ? "(no object)" : "'" + objectName + "'")
                + ": " + errorName + " (" + errorCode + ") " + errorText);
        this.call = call;
        this.objectName = objectName;
        this.errorCode = errorCode;
        this.errorName = errorName;
    }

    /** The failing call, such as {@code shm_open} or {@code CreateFileMappingW}. */
    public String call() {
        return call;
    }

    /** The object the call was made for, or {@code null} when the call concerns no named object. */
    public String objectName() {
        return objectName;
    }

    /** errno on POSIX, GetLastError() on Windows. */
    public int errorCode() {
        return errorCode;
    }

    /** The symbolic name of {@link #errorCode()}, such as {@code ENOENT}. */
    public String errorName() {
        return errorName;
    }
}
