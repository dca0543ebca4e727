package dev.multiproc.bench.transport;

/**
 * One side of a benchmarked channel, as the bench drives it: whole messages of bytes. A
 * message's first 8 bytes are a little-endian long the bench uses (a timestamp, or the stop mark).
 */
public interface Endpoint extends AutoCloseable {

    /** Sends {@code length} bytes of {@code message}, waiting for room if the transport does. */
    void send(byte[] message, int length) throws Exception;

    /** Waits for the next message, copies it into {@code buffer}, returns its length. */
    int receive(byte[] buffer) throws Exception;

    @Override
    default void close() throws Exception {
    }
}
