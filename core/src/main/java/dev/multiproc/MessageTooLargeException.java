package dev.multiproc;

/**
 * A message is bigger than the queue or pipe it was sent to accepts (its {@code maxMessageBytes},
 * chosen when it was made: {@link QueueOptions}, {@link PipeOptions}). Nothing was sent.
 */
public class MessageTooLargeException extends MultiprocException {
    @java.io.Serial
    private static final long serialVersionUID = 1L;

    private final long size;
    private final long limit;

    public MessageTooLargeException(String objectName, long size, long limit) {
        super("a message of " + size + " bytes is larger than '" + objectName + "' accepts (" + limit
                + " bytes, its maxMessageBytes); nothing was sent. Make it with a larger limit, or send the data in parts");
        this.size = size;
        this.limit = limit;
    }

    /** The encoded size of the refused message. */
    public long size() {
        return size;
    }

    /** The most the object accepts. */
    public long limit() {
        return limit;
    }
}
