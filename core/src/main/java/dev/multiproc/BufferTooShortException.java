package dev.multiproc;

/**
 * A message did not fit the buffer given to {@link Connection#recvBytesInto}. Nothing is lost:
 * the message stays in the connection (the next receive returns it) and this exception carries
 * a copy of it and its size, as Python's {@code BufferTooShort} does.
 */
public class BufferTooShortException extends MultiprocException {
    @java.io.Serial
    private static final long serialVersionUID = 1L;

    private final transient byte[] message;

    public BufferTooShortException(byte[] message, int bufferLength) {
        super("message of " + message.length + " bytes does not fit a buffer of " + bufferLength
                + " bytes; it stays in the connection for a bigger buffer");
        this.message = message;
    }

    /** A copy of the whole message. */
    public byte[] message() {
        return message.clone();
    }

    /** The buffer size the message needs. */
    public int neededLength() {
        return message.length;
    }
}
