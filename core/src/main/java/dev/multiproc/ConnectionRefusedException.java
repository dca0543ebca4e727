package dev.multiproc;

/**
 * {@link Multiproc#connect} found no process to accept it: nobody listens on the name (its
 * listener closed, or died), the listener refused the request, or it did not accept it in time.
 * Nothing stays behind: the pipe the client made for the connection is removed.
 */
public class ConnectionRefusedException extends MultiprocException {
    @java.io.Serial
    private static final long serialVersionUID = 1L;

    private final String listenerName;

    public ConnectionRefusedException(String listenerName, String message) {
        super(message);
        this.listenerName = listenerName;
    }

    /** The name the client connected to, as it gave it. */
    public String listenerName() {
        return listenerName;
    }
}
