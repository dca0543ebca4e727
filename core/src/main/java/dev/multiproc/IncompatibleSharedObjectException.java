package dev.multiproc;

/**
 * The named object exists but is not what the caller asked for: another kind, another layout
 * version, a size that does not match its header, or memory that is not a multiproc object at
 * all. The object's memory is left untouched.
 */
public class IncompatibleSharedObjectException extends MultiprocException {
    @java.io.Serial
    private static final long serialVersionUID = 1L;

    private final String objectName;

    public IncompatibleSharedObjectException(String objectName, String message) {
        super(message);
        this.objectName = objectName;
    }

    /** The name of the object that did not match. */
    public String objectName() {
        return objectName;
    }
}
