package dev.multiproc;

/** Creating a shared object under a name that is already taken. */
public class SharedObjectExistsException extends MultiprocException {
    @java.io.Serial
    private static final long serialVersionUID = 1L;

    private final String objectName;

    public SharedObjectExistsException(String objectName, String message) {
        super(message);
        this.objectName = objectName;
    }

    /** The name that was already taken. */
    public String objectName() {
        return objectName;
    }
}
