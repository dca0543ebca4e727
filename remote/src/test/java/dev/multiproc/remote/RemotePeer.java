package dev.multiproc.remote;

import dev.multiproc.Connection;
import dev.multiproc.Listener;
import dev.multiproc.Multiproc;
import dev.multiproc.codec.Codec;

import java.io.EOFException;
import java.time.Duration;

/**
 * One side of a remote connection as a program of its own, for tests between hosts (network
 * namespaces, {@code .ci/remote-netns}), through {@code mp.listen}/{@code mp.connect} on the
 * channel (with the options of the {@link Remote} it opens). Exit code 0 means the side saw what
 * it should.
 *
 * <pre>
 * RemotePeer listen CHANNEL COUNT   accept one client; expect messages 0..COUNT-1 in order, then
 *                                   end of file (the client closed or died); print what came
 * RemotePeer send CHANNEL COUNT     connect, send 0..COUNT-1, close
 * RemotePeer send-and-wait CHANNEL COUNT   connect, send 0..COUNT-1, then wait to be killed
 * RemotePeer clean                  remove the media driver directories of killed JVMs
 * </pre>
 */
public final class RemotePeer {
    private RemotePeer() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("clean")) {
            MediaDrivers.removeLeftBehind();
            return;
        }
        String channel = args[1];
        long count = Long.parseLong(args[2]);
        RemoteOptions options = RemoteOptions.defaults().withConnectTimeout(Duration.ofSeconds(60)).withPeerTimeout(Duration.ofSeconds(3));
        try (Multiproc mp = Multiproc.create(); Remote remote = Remote.open(mp, options)) {
            switch (args[0]) {
                case "listen" -> System.exit(listen(mp, channel, count));
                case "send", "send-and-wait" -> {
                    Connection<Long> connection = mp.connect(channel, Codec.longs());
                    for (long i = 0; i < count; i++) {
                        connection.send(i);
                    }
                    System.out.println("sent " + count);
                    if (args[0].equals("send-and-wait")) {
                        Thread.sleep(Duration.ofMinutes(10));
                    }
                    connection.close();
                }
                default -> throw new IllegalArgumentException("unknown mode " + args[0]);
            }
        }
    }

    private static int listen(Multiproc mp, String channel, long count) throws InterruptedException {
        try (Listener<Long> listener = mp.listen(channel, Codec.longs())) {
            System.out.println("listening on " + channel);
            Connection<Long> connection = listener.accept();
            long expected = 0;
            long lastMessageAt = System.nanoTime();
            try {
                while (true) {
                    long message = connection.recv();
                    lastMessageAt = System.nanoTime();
                    if (message != expected) {
                        System.out.println("out of order: message " + message + " where " + expected + " was due");
                        return 1;
                    }
                    if (++expected == count) {
                        System.out.println("all " + count + " received; waiting for end of file");
                    }
                }
            } catch (EOFException end) {
                long quietMillis = (System.nanoTime() - lastMessageAt) / 1_000_000;
                System.out.println("received " + expected + " in order, then end of file " + quietMillis + " ms after the last message");
                return expected == count ? 0 : 2;
            }
        }
    }
}
