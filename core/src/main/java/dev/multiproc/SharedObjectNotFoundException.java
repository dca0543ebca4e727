package dev.multiproc;

/** Attaching to a name that does not exist, or that its creator has already unlinked. */
public class SharedObjectNotFoundException extends MultiprocException {
    @java.io.Serial
    private static final long serialVersionUID = 1L;

    private final String objectName;

    public SharedObjectNotFoundException(String objectName, String message) {
        super(message);
        this.objectName = objectName;
    }

    /** The name that was looked up. */
    public String objectName() {
        return objectName;
    }
}
