package dev.multiproc.bench.transport;

import dev.multiproc.Multiproc;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The JDK's own socket channels between the two JVMs: Unix-domain ({@link UnixDomainSocketAddress})
 * and TCP (TCP_NODELAY) over loopback or between two {@link Hosts}. Blocking channels; each
 * message is framed by a 4-byte length. The responder listens, the initiator connects.
 */
public final class SocketTransports {
    private static final long CONNECT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

    private SocketTransports() {
    }

    public static Transport unixDomain() {
        return new SocketTransport("uds", "JDK SocketChannel over a Unix-domain socket, blocking, 4-byte length framing", null);
    }

    /** TCP from the initiator to the responder's address of {@code hosts}. */
    public static Transport tcp(Hosts hosts) {
        return new SocketTransport("tcp", "JDK SocketChannel over TCP (" + hosts.describe() + "), TCP_NODELAY, blocking, 4-byte "
                + "length framing", hosts);
    }

    /** @param tcpHosts where TCP's peers run; null for the Unix-domain socket */
    private record SocketTransport(String name, String description, Hosts tcpHosts) implements Transport {
        @Override
        public boolean crossesHosts() {
            return tcpHosts != null;
        }

        @Override
        public Hosts hosts() {
            return tcpHosts != null ? tcpHosts : Hosts.LOOPBACK;
        }

        @Override
        public Link open(Multiproc mp, int maxSize, int producers) throws IOException {
            if (tcpHosts == null) {
                Path directory = Files.createTempDirectory("multiproc-bench-uds");
                return new SocketLink(directory.resolve("socket").toString(), null, 0);
            }
            // a port free here; another namespace's ports are all free
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return new SocketLink(null, tcpHosts.responderAddress(), probe.getLocalPort());
            }
        }
    }

    /** A Unix-domain socket's {@code path}, or the responder's TCP {@code host} and {@code port}. */
    private record SocketLink(String path, String host, int port) implements Link {
        private SocketAddress address() {
            return path != null ? UnixDomainSocketAddress.of(path) : new InetSocketAddress(host, port);
        }

        @Override
        public Endpoint initiator() throws IOException, InterruptedException {
            long deadline = System.nanoTime() + CONNECT_TIMEOUT_NANOS;
            while (true) {
                try {
                    SocketChannel channel = SocketChannel.open(address());
                    return new SocketEndpoint(channel, path == null);
                } catch (IOException notYetListening) {
                    if (System.nanoTime() > deadline) {
                        throw notYetListening;
                    }
                    Thread.sleep(5);
                }
            }
        }

        @Override
        public Endpoint responder() throws IOException {
            try (ServerSocketChannel server = path != null
                    ? ServerSocketChannel.open(StandardProtocolFamily.UNIX) : ServerSocketChannel.open()) {
                server.bind(address());
                return new SocketEndpoint(server.accept(), path == null);
            }
        }

        @Override
        public void cleanUp() {
            if (path != null) {
                TempFiles.deleteRecursively(Path.of(path).getParent());
            }
        }
    }

    private static final class SocketEndpoint implements Endpoint {
        private final SocketChannel channel;
        private final ByteBuffer header = ByteBuffer.allocateDirect(4).order(ByteOrder.LITTLE_ENDIAN);
        private ByteBuffer body = ByteBuffer.allocateDirect(64 * 1024);

        SocketEndpoint(SocketChannel channel, boolean tcp) throws IOException {
            this.channel = channel;
            if (tcp) {
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
        }

        @Override
        public void send(byte[] message, int length) throws IOException {
            if (body.capacity() < length) {
                body = ByteBuffer.allocateDirect(length);
            }
            header.clear().putInt(length).flip();
            body.clear();
            body.put(message, 0, length).flip();
            ByteBuffer[] frame = {header, body};
            while (body.hasRemaining()) {
                channel.write(frame);
            }
        }

        @Override
        public int receive(byte[] buffer) throws IOException {
            header.clear();
            readFully(header);
            int length = header.flip().getInt();
            if (body.capacity() < length) {
                body = ByteBuffer.allocateDirect(length);
            }
            body.clear().limit(length);
            readFully(body);
            body.flip().get(buffer, 0, length);
            return length;
        }

        private void readFully(ByteBuffer buffer) throws IOException {
            while (buffer.hasRemaining()) {
                if (channel.read(buffer) < 0) {
                    throw new java.io.EOFException("socket closed");
                }
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
