package dev.multiproc.bench.transport;

import dev.multiproc.Connection;
import dev.multiproc.WaitStrategy;

/**
 * A benchmarked side that is a multiproc {@link Connection} — a pipe's end, one from a listener,
 * a remote one — and, on close, whatever made it ({@code alsoClose}: a listener, a context).
 */
final class ConnectionEndpoint implements Endpoint {
    private final Connection<byte[]> connection;
    private final AutoCloseable[] alsoClose;

    ConnectionEndpoint(Connection<byte[]> connection, WaitStrategy strategy, AutoCloseable... alsoClose) {
        this.connection = connection;
        this.alsoClose = alsoClose;
        connection.setWaitStrategy(strategy);
    }

    @Override
    public void send(byte[] message, int length) {
        connection.sendBytes(message, 0, length);
    }

    @Override
    public int receive(byte[] buffer) throws Exception {
        return connection.recvBytesInto(buffer);
    }

    @Override
    public void close() throws java.io.IOException {
        connection.close();
        for (AutoCloseable resource : alsoClose) {
            try {
                resource.close();
            } catch (Exception e) {
                throw new java.io.IOException("closing " + resource + ": " + e, e);
            }
        }
    }
}
