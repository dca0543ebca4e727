package dev.multiproc.remote;

import dev.multiproc.Connection;
import io.aeron.ChannelUri;
import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Subscription;

import java.net.InetSocketAddress;

/**
 * Admits remote clients on an Aeron channel. Each client's handshake is an Aeron image of the
 * channel's subscription; a thread of its own reads its hello, answers on the client's reply
 * channel, checks the auth key both ways, and gives the connection a subscription of its own for
 * the client's messages (so that it outlives the admissions). A client refused (wrong key, wrong
 * version, a reply address that is not its own) never gets a local end. Each admitted client's
 * messages are pumped to and from the local end that {@link LocalEnds} gives.
 */
final class Admissions implements AutoCloseable {
    /** Where an admitted client's connection ends in this process. */
    interface LocalEnds {
        /** A new local end whose bytes the link pumps; the user holds its other end. */
        LocalEnd next(java.time.Duration timeout) throws InterruptedException;
    }

    /**
     * The end a link pumps, and what hands its other end to the user once the link is started
     * (and so listed for {@code multiproc ls}); a no-op where getting the end handed it already.
     */
    record LocalEnd(Connection<?> pumped, Runnable handOver) {
    }

    private final Remote remote;
    private final String channel;
    private final LocalEnds localEnds;
    private final Subscription subscription;

    Admissions(Remote remote, String channel, LocalEnds localEnds) {
        this.remote = remote;
        this.channel = channel;
        this.localEnds = localEnds;
        this.subscription = remote.aeron().addSubscription(channel, Remote.LISTEN_STREAM, this::onClient, image -> { });
    }

    /** Stops admitting; the connections admitted stay open. */
    @Override
    public void close() {
        subscription.close();
    }

    private void onClient(Image image) {
        Thread handshake = new Thread(() -> welcome(image), "multiproc-remote-handshake " + channel + " #" + image.sessionId());
        handshake.setDaemon(true);
        handshake.start();
    }

    private void welcome(Image image) {
        RemoteOptions options = remote.options();
        long deadline = System.nanoTime() + options.connectTimeout().toNanos();
        ExclusivePublication reply = null;
        Subscription data = null;
        try {
            Frames.Hello hello = Frames.Hello.read(Remote.receive(channel, image, deadline));
            InetSocketAddress client = Remote.endpoint(image.sourceIdentity());
            String settings = ChannelSettings.toward(client.getAddress(), channel);
            reply = remote.aeron().addExclusivePublication(replyChannel(hello, image) + settings, hello.replyStream());
            ExclusivePublication answer = reply;
            Remote.await(channel, "the client's reply channel", deadline, () -> answer.isConnected() ? "" : null);
            if (hello.version() != Frames.VERSION) {
                Remote.send(channel, reply, Frames.refused("this listener speaks version " + Frames.VERSION + ", not " + hello.version()));
                reply.close();
                return;
            }
            byte[] key = options.authKey();
            if (key != null) {
                byte[] nonce = Frames.nonce();
                Remote.send(channel, reply, Frames.challenge(Frames.proof(key, "listener", hello.clientNonce()), nonce));
                byte[] response = Remote.receive(channel, image, deadline);
                if (response[0] != Frames.RESPONSE || response.length != 1 + Frames.PROOF_BYTES
                        || !Frames.proves(key, "client", nonce, Frames.part(response, 1, 1 + Frames.PROOF_BYTES))) {
                    Remote.send(channel, reply, Frames.refused("wrong authentication key"));
                    reply.close();
                    return;
                }
            }
            // the connection's messages come on a subscription of its own, so that it outlives this listener
            data = remote.aeron().addSubscription(Remote.udpChannel(Remote.localAddressToward(client) + ":0") + settings, Remote.DATA_STREAM);
            Subscription dataIn = data;
            String dataChannel = Remote.udpChannel(Remote.endpointIn(
                    Remote.await(channel, "the connection's channel to resolve", deadline, dataIn::tryResolveChannelEndpointPort)));
            Remote.send(channel, reply, Frames.welcome(dataChannel));
            String clientHost = client.getAddress().getHostAddress();
            Image messages = Remote.await(channel, "the client on the connection's channel", deadline, () -> fromHost(dataIn, clientHost));
            LocalEnd local = localEnds.next(java.time.Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            ExclusivePublication out = reply;
            Link link = new Link("from " + image.sourceIdentity() + " on " + channel, reply, messages, local.pumped(),
                    options.peerTimeout().toNanos(), () -> {
                        out.close();
                        dataIn.close();
                    });
            remote.start(link);
            local.handOver().run();
        } catch (InterruptedException closing) {
            Remote.closeQuietly(reply);
            Remote.closeQuietly(data);
        } catch (RuntimeException failed) {
            // a client that does not finish its handshake, asks for a reply elsewhere, or a listener closing: nothing to accept
            Remote.closeQuietly(reply);
            Remote.closeQuietly(data);
        }
    }

    /** The first image of {@code subscription} sent from {@code host}, or null. */
    private static Image fromHost(Subscription subscription, String host) {
        for (Image image : subscription.images()) {
            if (Remote.endpoint(image.sourceIdentity()).getAddress().getHostAddress().equals(host)) {
                return image;
            }
        }
        return null;
    }

    /**
     * The channel a client asked to be answered on, if it is a plain UDP endpoint at the address
     * its frames come from: an unauthenticated client cannot make the listener send to anyone else.
     */
    static String replyChannel(Frames.Hello hello, Image image) {
        ChannelUri uri = ChannelUri.parse(hello.replyChannel());
        String endpoint = uri.get("endpoint");
        boolean[] otherParameters = {false};
        uri.forEachParameter((key, value) -> otherParameters[0] |= !key.equals("endpoint"));
        String source = image.sourceIdentity();
        if (!"udp".equals(uri.media()) || endpoint == null || otherParameters[0]
                || !Remote.endpoint(endpoint).getAddress().equals(Remote.endpoint(source).getAddress())) {
            throw new IllegalArgumentException("a client at " + source + " asked to be answered on " + hello.replyChannel());
        }
        return Remote.udpChannel(endpoint);
    }

}
