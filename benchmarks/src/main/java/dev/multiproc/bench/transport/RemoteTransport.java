package dev.multiproc.bench.transport;

import dev.multiproc.Multiproc;
import dev.multiproc.WaitStrategy;
import dev.multiproc.codec.Codec;
import dev.multiproc.remote.Remote;
import dev.multiproc.remote.RemoteListener;
import dev.multiproc.remote.RemoteOptions;

import java.net.DatagramSocket;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;

/**
 * A remote connection ({@code multiproc-remote}) over UDP between two {@link Hosts}: each peer a
 * Remote with its own embedded media driver, as two hosts would have; the responder listens, the
 * initiator connects. Compared with JDK TCP between the same hosts.
 */
public final class RemoteTransport implements Transport {
    private final Hosts hosts;

    public RemoteTransport(Hosts hosts) {
        this.hosts = hosts;
    }

    @Override
    public String name() {
        return "mp-remote";
    }

    @Override
    public String description() {
        return "multiproc-remote Connection over Aeron UDP (" + hosts.describe() + "; aeron:udp?endpoint=address:port), an "
                + "embedded media driver in each peer, sendBytes/recvBytesInto through the connection's local pipe and pump threads";
    }

    @Override
    public boolean crossesHosts() {
        return true;
    }

    @Override
    public Hosts hosts() {
        return hosts;
    }

    @Override
    public List<String> jvmOptions() {
        return PeerOptions.unsafe();
    }

    @Override
    public Link open(Multiproc mp, int maxSize, int producers) throws SocketException {
        // a port free here; another namespace's ports are all free
        try (DatagramSocket probe = new DatagramSocket(0)) {
            return new RemoteLink("aeron:udp?endpoint=" + Hosts.endpoint(hosts.responderAddress(), probe.getLocalPort()));
        }
    }

    private record RemoteLink(String channel) implements Link {
        @Override
        public Endpoint initiator() {
            Multiproc context = Multiproc.create();
            Remote remote = Remote.open(context, RemoteOptions.defaults().withConnectTimeout(Duration.ofSeconds(60)));
            return new ConnectionEndpoint(remote.connect(channel, Codec.bytes()), WaitStrategy.BACKOFF, remote, context);
        }

        @Override
        public Endpoint responder() throws InterruptedException {
            Multiproc context = Multiproc.create();
            Remote remote = Remote.open(context);
            RemoteListener<byte[]> listener = remote.listen(channel, Codec.bytes());
            return new ConnectionEndpoint(listener.accept(), WaitStrategy.BACKOFF, listener, remote, context);
        }
    }
}
