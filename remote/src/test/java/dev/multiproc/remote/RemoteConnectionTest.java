package dev.multiproc.remote;

import dev.multiproc.Connection;
import dev.multiproc.ConnectionRefusedException;
import dev.multiproc.JvmProcess;
import dev.multiproc.Multiproc;
import dev.multiproc.Pipe;
import dev.multiproc.codec.Codec;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.EOFException;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** Remote connections over loopback UDP: order, keys, ends and deaths, mixed with local pipes. */
@Timeout(120)
class RemoteConnectionTest extends ContextPerTest {
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(2);

    /** A loopback channel on a UDP port free a moment ago. */
    static String freeChannel() throws Exception {
        try (DatagramSocket socket = new DatagramSocket(0)) {
            return "aeron:udp?endpoint=127.0.0.1:" + socket.getLocalPort();
        }
    }

    /** A body that may throw. */
    interface Body {
        void run() throws Exception;
    }

    /** Runs {@code body} on a thread of its own (the common pool may have a single thread on two cores). */
    static CompletableFuture<Void> background(String name, Body body) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                body.run();
                done.complete(null);
            } catch (Throwable failure) {
                done.completeExceptionally(failure);
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        return done;
    }

    private static RemoteOptions options() {
        return RemoteOptions.defaults().withPeerTimeout(PEER_TIMEOUT).withConnectTimeout(Duration.ofSeconds(3));
    }

    @Test
    void aHundredThousandMessagesArriveInOrderBothWaysNoneLostOrDuplicated() throws Exception {
        String channel = freeChannel();
        try (Remote remote = Remote.open(mp, options()); RemoteListener<Long> listener = remote.listen(channel, Codec.longs())) {
            Connection<Long> client = remote.connect(channel, Codec.longs());
            Connection<Long> server = listener.accept(Duration.ofSeconds(10));
            assertNotNull(server, "accepted");
            int count = 100_000;
            CompletableFuture<Void> echo = background("echo", () -> {
                for (int i = 0; i < count; i++) {
                    server.send(server.recv() * 2);
                }
            });
            CompletableFuture<Void> sender = background("sender", () -> {
                for (long i = 0; i < count; i++) {
                    client.send(i);
                }
            });
            for (long i = 0; i < count; i++) {
                assertEquals(2 * i, client.recv(), "message " + i);
            }
            sender.get(60, TimeUnit.SECONDS);
            echo.get(60, TimeUnit.SECONDS);
            assertFalse(client.poll(Duration.ofMillis(200)), "nothing more: none duplicated");
            client.close();
            assertThrows(EOFException.class, server::recv, "the client closed its end");
            server.close();
        }
    }

    @Test
    void messagesOfEverySizeArriveWholeAndInOrderAloneOrInBatches() throws Exception {
        String channel = freeChannel();
        // beyond 64 KiB the out pump's frame grows; beyond a term / 8 (256 KiB with the embedded driver's terms) a message goes in PART frames
        int[] sizes = {0, 1, 7, 100, 8_187, 8_192, 8_193, 70_000, 300_000, 1_000_000, 5_000_000};
        try (Remote remote = Remote.open(mp, options()); RemoteListener<byte[]> listener = remote.listen(channel, Codec.bytes())) {
            Connection<byte[]> client = remote.connect(channel, Codec.bytes());
            Connection<byte[]> server = listener.accept(Duration.ofSeconds(10));
            int messages = 3 * sizes.length;
            CompletableFuture<Void> sender = background("sender", () -> {
                for (int i = 0; i < messages; i++) {
                    byte[] message = new byte[sizes[i % sizes.length]];
                    java.util.Arrays.fill(message, (byte) i);
                    client.send(message);
                }
            });
            for (int i = 0; i < messages; i++) {
                byte[] message = server.recv();
                assertEquals(sizes[i % sizes.length], message.length, "message " + i + " whole");
                for (byte b : message) {
                    assertEquals((byte) i, b, "message " + i + "'s bytes");
                }
            }
            sender.get(60, TimeUnit.SECONDS);
            client.close();
            assertThrows(EOFException.class, server::recv);
            server.close();
        }
    }

    @Test
    void aHelloAskingToBeAnsweredAtAnotherAddressGetsNoAnswer() throws Exception {
        String channel = freeChannel();
        int victimPort;
        try (DatagramSocket socket = new DatagramSocket(0)) {
            victimPort = socket.getLocalPort();
        }
        String victim = "aeron:udp?endpoint=127.0.0.2:" + victimPort;
        try (Remote remote = Remote.open(mp, options()); RemoteListener<String> listener = remote.listen(channel, Codec.string());
             Subscription victimSees = remote.aeron().addSubscription(victim, Remote.REPLY_STREAM);
             ExclusivePublication hostile = remote.aeron().addExclusivePublication(channel, Remote.LISTEN_STREAM)) {
            Remote.await(channel, "the hostile client to reach the listener", System.nanoTime() + TimeUnit.SECONDS.toNanos(10),
                    () -> hostile.isConnected() ? "" : null);
            Remote.send(channel, hostile, Frames.hello(Frames.nonce(), Remote.REPLY_STREAM, victim));
            assertNull(listener.accept(Duration.ofMillis(1500)), "nothing to accept");
            assertEquals(0, victimSees.imageCount(), "the listener sent nothing to the address the client named, 127.0.0.2");
            Connection<String> client = remote.connect(channel, Codec.string());
            Connection<String> server = listener.accept(Duration.ofSeconds(10));
            client.send("an honest client still connects");
            assertEquals("an honest client still connects", server.recv());
            client.close();
            server.close();
        }
    }

    @Test
    void everyLiveConnectionIsListedForMultiprocLsWithItsLocalPipeAndGoesWhenItEnds() throws Exception {
        String channel = freeChannel();
        long me = ProcessHandle.current().pid();
        try (Remote remote = Remote.open(mp, options()); RemoteListener<String> listener = remote.listen(channel, Codec.string())) {
            Connection<String> client = remote.connect(channel, Codec.string());
            Connection<String> server = listener.accept(Duration.ofSeconds(10));
            assertNotNull(server, "accepted");
            List<RemoteConnectionInfo> mine = Remote.listConnections().stream().filter(info -> info.pid() == me).toList();
            assertEquals(2, mine.size(), mine.toString());
            assertTrue(mine.stream().anyMatch(info -> info.description().equals("to " + channel) && info.pipeName().equals(client.name())),
                    mine.toString());
            assertTrue(mine.stream().anyMatch(info -> info.description().startsWith("from ") && info.description().endsWith(" on " + channel)
                    && info.pipeName().equals(server.name())), mine.toString());
            assertTrue(mine.stream().allMatch(info -> !info.since().isAfter(java.time.Instant.now())), mine.toString());
            client.close();
            assertThrows(EOFException.class, server::recv, "the server sees the client's close");
            server.close();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (Remote.listConnections().stream().anyMatch(info -> info.pid() == me)) {
                assertTrue(System.nanoTime() < deadline, "ended connections are no longer listed: " + Remote.listConnections());
                Thread.sleep(10);
            }
        }
        assertTrue(Remote.listConnections().stream().noneMatch(info -> info.pid() == me), "nothing listed after close");
    }

    @Test
    void closingTheListenerLeavesTheConnectionsItAcceptedOpenAndRefusesNewOnes() throws Exception {
        String channel = freeChannel();
        try (Remote remote = Remote.open(mp, options().withConnectTimeout(Duration.ofSeconds(1)))) {
            RemoteListener<String> listener = remote.listen(channel, Codec.string());
            Connection<String> client = remote.connect(channel, Codec.string());
            Connection<String> server = listener.accept(Duration.ofSeconds(10));
            listener.close();
            client.send("after the listener closed");
            assertEquals("after the listener closed", server.recv());
            server.send("still here");
            assertEquals("still here", client.recv());
            assertThrows(ConnectionRefusedException.class, () -> remote.connect(channel, Codec.string()), "nobody listens any more");
            client.close();
            assertThrows(EOFException.class, server::recv);
            server.close();
        }
    }

    @Test
    void aWrongOrMissingKeyIsRefusedAndTheRightOneWelcomed() throws Exception {
        String channel = freeChannel();
        byte[] key = "the right key".getBytes(StandardCharsets.UTF_8);
        try (Remote listening = Remote.open(mp, options().withAuthKey(key));
             RemoteListener<String> listener = listening.listen(channel, Codec.string());
             Remote wrong = Remote.open(mp, options().withAuthKey("a wrong key".getBytes(StandardCharsets.UTF_8)));
             Remote none = Remote.open(mp, options());
             Remote right = Remote.open(mp, options().withAuthKey(key))) {
            ConnectionRefusedException refused = assertThrows(ConnectionRefusedException.class, () -> wrong.connect(channel, Codec.string()));
            assertTrue(refused.getMessage().contains("could not prove") || refused.getMessage().contains("wrong authentication key"),
                    refused.getMessage());
            ConnectionRefusedException missing = assertThrows(ConnectionRefusedException.class, () -> none.connect(channel, Codec.string()));
            assertTrue(missing.getMessage().contains("asks for an authentication key"), missing.getMessage());
            assertNull(listener.accept(Duration.ofMillis(300)), "no refused client reaches accept");
            Connection<String> client = right.connect(channel, Codec.string());
            Connection<String> server = listener.accept(Duration.ofSeconds(10));
            client.send("with the right key");
            assertEquals("with the right key", server.recv());
            client.close();
            server.close();
        }
    }

    @Test
    void aListenerWithoutAKeyIsRefusedByAClientThatHasOne() throws Exception {
        String channel = freeChannel();
        try (Remote open = Remote.open(mp, options()); RemoteListener<String> listener = open.listen(channel, Codec.string());
             Remote keyed = Remote.open(mp, options().withAuthKey(new byte[]{1, 2, 3}))) {
            ConnectionRefusedException refused = assertThrows(ConnectionRefusedException.class, () -> keyed.connect(channel, Codec.string()));
            assertTrue(refused.getMessage().contains("did not ask for the authentication key"), refused.getMessage());
            assertNotNull(listener);
        }
    }

    @Test
    void nobodyListeningIsRefusedOnceTheConnectTimeoutHasPassed() throws Exception {
        try (Remote remote = Remote.open(mp, options().withConnectTimeout(Duration.ofMillis(700)))) {
            long start = System.nanoTime();
            ConnectionRefusedException refused = assertThrows(ConnectionRefusedException.class,
                    () -> remote.connect(freeChannel(), Codec.string()));
            assertTrue(refused.getMessage().contains("timed out waiting for a listener"), refused.getMessage());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "bounded by the connect timeout");
        }
    }

    @Test
    void waitAnyMixesRemoteAndLocalConnections() throws Exception {
        String channel = freeChannel();
        try (Remote remote = Remote.open(mp, options()); RemoteListener<String> listener = remote.listen(channel, Codec.string());
             Pipe<String> pipe = mp.pipe(Codec.string())) {
            Connection<String> client = remote.connect(channel, Codec.string());
            Connection<String> server = listener.accept(Duration.ofSeconds(10));
            assertEquals(List.of(), Connection.waitAny(List.of(server, pipe.first()), Duration.ofMillis(100)));
            client.send("over the network");
            assertEquals(List.of(server), Connection.waitAny(List.of(server, pipe.first()), Duration.ofSeconds(10)));
            assertEquals("over the network", server.recv());
            pipe.second().send("local");
            assertEquals(List.of(pipe.first()), Connection.waitAny(List.of(server, pipe.first()), Duration.ofSeconds(10)));
            client.close();
            server.close();
        }
    }

    /** The child's side of the kill test: connects, says hello, then waits to be killed. */
    static void connectAndWait(String channel, long peerTimeoutMillis) {
        try (Multiproc child = Multiproc.create();
             Remote remote = Remote.open(child, RemoteOptions.defaults().withPeerTimeout(Duration.ofMillis(peerTimeoutMillis)))) {
            Connection<String> connection = remote.connect(channel, Codec.string());
            connection.send("hello from " + ProcessHandle.current().pid());
            Thread.sleep(120_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aPeerKilledWithSigkillEndsTheConnectionWithEofWithinThePeerTimeout() throws Exception {
        String channel = freeChannel();
        long peerTimeout = PEER_TIMEOUT.toMillis();
        JvmProcess child = mp.process(() -> connectAndWait(channel, peerTimeout));
        try (Remote remote = Remote.open(mp, options()); RemoteListener<String> listener = remote.listen(channel, Codec.string())) {
            child.start();
            Connection<String> server = listener.accept(Duration.ofSeconds(60));
            assertNotNull(server, "the child connected");
            assertEquals("hello from " + child.pid().orElseThrow(), server.recv());
            child.kill();
            assertTrue(child.join(Duration.ofSeconds(30)));
            long killed = System.nanoTime();
            assertTrue(server.poll(PEER_TIMEOUT.multipliedBy(5)), "end of file within the peer timeout (and slack)");
            assertThrows(EOFException.class, server::recv);
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            assertTrue(tookMillis < PEER_TIMEOUT.toMillis() * 5, "EOF after " + tookMillis + " ms");
            server.close();
        } finally {
            child.kill();
            child.join(Duration.ofSeconds(30));
            KilledDrivers.remove(child);
        }
    }
}
