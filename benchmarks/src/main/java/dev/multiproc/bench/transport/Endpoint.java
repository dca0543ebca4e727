package dev.multiproc.bench.transport;

/**
 * One side of a benchmarked channel, as the bench drives it: whole messages of bytes. A
 * message's first 8 bytes are a little-endian long the bench uses (a timestamp, or the stop mark).
 */
public interface Endpoint extends AutoCloseable {

    /**
     * Called on every endpoint of a step (initiator, responder, extra producers) before it sends
     * or receives anything of it: the step's messages have {@code messageSize} bytes (a stop
     * mark has 8).
     */
    default void beginStep(int messageSize) {
    }

    /** Sends {@code length} bytes of {@code message}, waiting for room if the transport does. */
    void send(byte[] message, int length) throws Exception;

    /** Waits for the next message, copies it into {@code buffer}, returns its length. */
    int receive(byte[] buffer) throws Exception;

    /**
     * Waits for at least one message and takes up to {@code max} of those there are, the way the
     * transport's own consumers take them (a batch where it reads in batches), copying each into
     * {@code buffer} (as {@link #receive} does: a consumer reads all of every message) and giving
     * its stamp to {@code stamps}; returns how many it took.
     */
    default int receiveBatch(byte[] buffer, int max, java.util.function.LongConsumer stamps) throws Exception {
        receive(buffer);
        stamps.accept(Messages.stampOf(buffer));
        return 1;
    }

    @Override
    default void close() throws java.io.IOException {
    }
}
