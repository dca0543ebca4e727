package dev.multiproc;

/**
 * A shared map (or list) has no room for an entry. Nothing was written. The message names the
 * sizes involved and how to create a map that fits.
 */
public class MapFullException extends MultiprocException {
    @java.io.Serial
    private static final long serialVersionUID = 1L;

    public MapFullException(String message) {
        super(message);
    }
}
