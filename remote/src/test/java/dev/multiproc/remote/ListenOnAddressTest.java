package dev.multiproc.remote;

import dev.multiproc.Connection;
import dev.multiproc.ConnectionRefusedException;
import dev.multiproc.JvmProcess;
import dev.multiproc.Listener;
import dev.multiproc.Multiproc;
import dev.multiproc.Pipe;
import dev.multiproc.codec.Codec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static dev.multiproc.remote.RemoteConnectionTest.freeChannel;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code mp.listen(address)} and {@code mp.connect(address)} with an Aeron channel: the core's
 * {@link Listener} and {@link Connection}, carried by this module's transport.
 */
@Timeout(120)
class ListenOnAddressTest extends ContextPerTest {
    private static final Duration ACCEPT = Duration.ofSeconds(10);

    private static RemoteOptions options() {
        return RemoteOptions.defaults().withPeerTimeout(Duration.ofSeconds(2)).withConnectTimeout(Duration.ofSeconds(3));
    }

    @Test
    void aListenerOnAnAeronChannelAcceptsAClientThatConnectsToItAndBothWaysArriveInOrder() throws Exception {
        String channel = freeChannel();
        try (Listener<Long> listener = mp.listen(channel, Codec.longs())) {
            assertEquals(channel, listener.listenName());
            Connection<Long> client = mp.connect(channel, Codec.longs());
            Connection<Long> server = listener.accept(ACCEPT);
            assertNotNull(server, "accepted");
            int count = 10_000;
            for (long i = 0; i < count; i++) {
                client.send(i);
            }
            for (long i = 0; i < count; i++) {
                long received = server.recv();
                assertEquals(i, received, "message " + i);
                server.send(received * 3);
            }
            for (long i = 0; i < count; i++) {
                assertEquals(3 * i, client.recv(), "answer " + i);
            }
            client.close();
            assertThrows(EOFException.class, server::recv, "the client closed");
            server.close();
        }
    }

    @Test
    void aChildJvmConnectsByAddressAndWaitAnyMixesItsConnectionWithALocalPipe() throws Exception {
        String channel = freeChannel();
        JvmProcess child = mp.process(() -> sayHelloAndEcho(channel));
        try (Listener<String> listener = mp.listen(channel, Codec.string()); Pipe<String> pipe = mp.pipe(Codec.string())) {
            child.start();
            Connection<String> server = listener.accept(Duration.ofSeconds(60));
            assertNotNull(server, "the child connected");
            assertEquals(List.of(server), Connection.waitAny(List.of(server, pipe.first()), ACCEPT));
            assertEquals("hello from " + child.pid().orElseThrow(), server.recv());
            server.send("echo this");
            assertEquals("echo this", server.recv());
            pipe.second().send("local");
            assertEquals(List.of(pipe.first()), Connection.waitAny(List.of(server, pipe.first()), ACCEPT));
            server.send("bye");
            assertTrue(child.join(Duration.ofSeconds(60)), "the child ends after bye");
            assertEquals(0, child.exitCode().orElseThrow());
            server.close();
        } finally {
            child.kill();
            child.join(Duration.ofSeconds(30));
        }
    }

    /** The child: connects by address, says hello, echoes until "bye". */
    static void sayHelloAndEcho(String channel) {
        try (Multiproc child = Multiproc.create()) {
            Connection<String> connection = child.connect(channel, Codec.string(), Duration.ofSeconds(30));
            connection.send("hello from " + ProcessHandle.current().pid());
            for (String message = connection.recv(); !message.equals("bye"); message = connection.recv()) {
                connection.send(message);
            }
            connection.close();
        } catch (InterruptedException | EOFException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The child: listens on the channel with a 2 s peer timeout, echoes each client's messages until killed. */
    static void listenAndEcho(String channel) {
        try (Multiproc child = Multiproc.create(); Remote withShortTimeouts = Remote.open(child, options());
             Listener<String> listener = child.listen(channel, Codec.string())) {
            while (true) {
                Connection<String> connection = listener.accept();
                try {
                    while (true) {
                        connection.send("echo " + connection.recv());
                    }
                } catch (EOFException clientLeft) {
                    connection.close();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aListenerKilledWithSigkillEndsItsClientsWithEofAndClientsConnectAfreshToItsSuccessor() throws Exception {
        String channel = freeChannel();
        Duration peerTimeout = options().peerTimeout();
        JvmProcess first = mp.process(() -> listenAndEcho(channel));
        JvmProcess second = mp.process(() -> listenAndEcho(channel));
        try (Remote remote = Remote.open(mp, options().withConnectTimeout(Duration.ofSeconds(60)))) {
            first.start();
            Connection<String> client = mp.connect(channel, Codec.string());
            client.send("one");
            assertEquals("echo one", client.recv());
            first.kill();
            assertTrue(first.join(Duration.ofSeconds(30)));
            long killed = System.nanoTime();
            assertTrue(client.poll(peerTimeout.multipliedBy(5)), "end of file within the peer timeout (and slack)");
            assertThrows(EOFException.class, client::recv, "a client does not reconnect on its own");
            long tookMillis = (System.nanoTime() - killed) / 1_000_000;
            assertTrue(tookMillis < peerTimeout.toMillis() * 5, "EOF after " + tookMillis + " ms");
            client.close();

            second.start();
            Connection<String> again = mp.connect(channel, Codec.string());
            again.send("two");
            assertEquals("echo two", again.recv(), "a new connect reaches the listener that took the channel over");
            again.close();
            assertFalse(remote.isClosed());
        } finally {
            for (JvmProcess child : List.of(first, second)) {
                child.kill();
                child.join(Duration.ofSeconds(30));
                KilledDrivers.remove(child);
            }
        }
    }

    @Test
    void theRemoteOpenedOnTheContextGivesItsKeyToListenAndConnect() throws Exception {
        String channel = freeChannel();
        byte[] key = "the right key".getBytes(StandardCharsets.UTF_8);
        try (Remote keyed = Remote.open(mp, options().withAuthKey(key)); Listener<String> listener = mp.listen(channel, Codec.string());
             Multiproc stranger = Multiproc.create(); Multiproc friend = Multiproc.create();
             Remote friendsRemote = Remote.open(friend, options().withAuthKey(key))) {
            ConnectionRefusedException refused = assertThrows(ConnectionRefusedException.class,
                    () -> stranger.connect(channel, Codec.string(), Duration.ofSeconds(3)));
            assertTrue(refused.getMessage().contains("asks for an authentication key"), refused.getMessage());
            assertNull(listener.accept(Duration.ofMillis(300)), "the refused client never reaches accept");
            Connection<String> client = friend.connect(channel, Codec.string());
            Connection<String> server = listener.accept(ACCEPT);
            client.send("with the key");
            assertEquals("with the key", server.recv());
            client.close();
            server.close();
            assertFalse(keyed.isClosed());
            assertNotNull(friendsRemote);
        }
    }

    @Test
    void closingTheListenerStopsAdmittingAndLeavesItsConnectionsOpen() throws Exception {
        String channel = freeChannel();
        Listener<String> listener = mp.listen(channel, Codec.string());
        Connection<String> client = mp.connect(channel, Codec.string());
        Connection<String> server = listener.accept(ACCEPT);
        listener.close();
        client.send("after the listener closed");
        assertEquals("after the listener closed", server.recv());
        assertThrows(ConnectionRefusedException.class, () -> mp.connect(channel, Codec.string(), Duration.ofSeconds(1)),
                "nobody admits clients on the channel any more");
        client.close();
        server.close();
    }

    @Test
    void closingTheContextEndsItsRemoteConnectionsAndTheMediaDriverItStarted() throws Exception {
        String channel = freeChannel();
        Multiproc other = Multiproc.create();
        Connection<String> server;
        try {
            Listener<String> listener = other.listen(channel, Codec.string());
            Connection<String> client = mp.connect(channel, Codec.string());
            server = listener.accept(ACCEPT);
            assertNotNull(server);
            client.send("before");
        } finally {
            other.close();
        }
        assertTrue(server.isClosed(), "the context closed its end");
        // mp's own session still holds the JVM's embedded driver; closing mp lets it go
        mp.close();
        long pid = ProcessHandle.current().pid();
        assertTrue(MediaDrivers.directories().stream().noneMatch(driver -> driver.pid() == pid && driver.active()),
                "no embedded driver of this JVM runs once no context uses one: " + MediaDrivers.directories());
    }

    @Test
    void anAddressNoTransportTakesIsRefusedWithTheReason() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> mp.listen("tcp://127.0.0.1:4000", Codec.string()));
        assertTrue(refused.getMessage().contains("no remote transport takes it"), refused.getMessage());
    }
}
