package dev.multiproc.remote;

import dev.multiproc.Connection;
import dev.multiproc.Listener;
import dev.multiproc.Multiproc;
import dev.multiproc.SharedQueue;
import dev.multiproc.codec.Codec;

import java.io.EOFException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
 * RemotePeer export CHANNEL COUNT   export a queue of 1,024 and put 0..COUNT-1 into it; exit when
 *                                   every one has been taken
 * RemotePeer take CHANNEL COUNT     take 0..COUNT-1 from the queue exported there, in order (the
 *                                   first thousand one at a time, the rest by drainTo), then close
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
                case "export" -> System.exit(export(mp, remote, channel, count));
                case "take" -> System.exit(take(remote, channel, count));
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

    private static int export(Multiproc mp, Remote remote, String channel, long count) throws InterruptedException {
        try (SharedQueue<Long> queue = mp.queue(Codec.longs(), 1024); QueueExport export = remote.exportQueue(queue, channel)) {
            System.out.println("exporting on " + export.channel());
            for (long i = 0; i < count; i++) {
                queue.put(i);
            }
            // taken out of the queue is not yet delivered: the last answer may still be on its way, and ending this
            // process (its media driver with it) would lose it
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (export.delivered() < count) {
                if (System.nanoTime() > deadline) {
                    System.out.println("only " + export.delivered() + " of " + count + " delivered (" + queue.metrics().taken() + " taken)");
                    return 1;
                }
                Thread.sleep(10);
            }
            System.out.println("all " + count + " delivered");
            return 0;
        }
    }

    private static int take(Remote remote, String channel, long count) throws InterruptedException {
        try (RemoteQueue<Long> queue = remote.remoteQueue(channel, Codec.longs())) {
            long expected = 0;
            List<Long> batch = new ArrayList<>();
            while (expected < count) {
                if (expected < 1_000) {
                    batch.add(queue.take());
                } else if (queue.drainTo(batch, 4_096) == 0) {
                    Long next = queue.poll(1, TimeUnit.SECONDS);
                    if (next != null) {
                        batch.add(next);
                    }
                }
                for (long message : batch) {
                    if (message != expected) {
                        System.out.println("out of order: message " + message + " where " + expected + " was due");
                        return 1;
                    }
                    expected++;
                }
                batch.clear();
            }
            System.out.println("took " + count + " in order");
            return 0;
        }
    }
}
