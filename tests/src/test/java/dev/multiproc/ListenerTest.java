package dev.multiproc;

import dev.multiproc.codec.Codec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.EOFException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Listener and connect within one process (threads standing in for processes): order, timeouts,
 * refusals, closing. Independent processes and deaths: {@link ServicesTest}.
 */
@Timeout(60)
class ListenerTest extends ContextPerTest {
    private final String name = "listener-" + UUID.randomUUID();

    @Test
    void acceptGivesConnectionsInTheOrderClientsConnectedAndTimesOut() throws Exception {
        try (Listener<String> listener = mp.listen(name, Codec.string())) {
            assertNull(listener.accept(Duration.ofMillis(100)), "nobody connected");
            List<Connection<String>> clients = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Connection<String> client = mp.connect(name, Codec.string());
                client.send("client " + i);
                clients.add(client);
            }
            assertEquals(2, listener.waitingConnections());
            for (int i = 0; i < 2; i++) {
                Connection<String> accepted = listener.accept();
                assertEquals("client " + i, accepted.recv());
                accepted.send("hello " + i);
                assertEquals("hello " + i, clients.get(i).recv());
            }
        }
    }

    @Test
    void aClientInTheListeningProcessThatClosesIsEndOfFileOnItsAcceptedEndAndTheOtherWayRound() throws Exception {
        try (Listener<String> listener = mp.listen(name, Codec.string())) {
            Connection<String> client = mp.connect(name, Codec.string());
            Connection<String> accepted = listener.accept(Duration.ofSeconds(5));
            client.send("last words");
            client.close();
            assertEquals("last words", accepted.recv());
            assertTrue(accepted.poll(Duration.ofSeconds(5)), "the closed client is end of file at once, not a wait");
            assertThrows(EOFException.class, accepted::recv);
            accepted.close();

            Connection<String> second = mp.connect(name, Codec.string());
            Connection<String> secondAccepted = listener.accept(Duration.ofSeconds(5));
            secondAccepted.close();
            assertTrue(second.poll(Duration.ofSeconds(5)), "the closed accepted end is end of file for the client");
            assertThrows(EOFException.class, second::recv);
            second.close();
        }
    }

    @Test
    void moreClientsThanOfferedPipesWaitForAcceptAndAreServedInOrder() throws Exception {
        try (Listener<String> listener = mp.listen(name, Codec.string())) {
            List<Thread> clients = new ArrayList<>();
            List<String> answers = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < 5; i++) {
                int number = i;
                Thread client = Thread.ofPlatform().start(() -> {
                    try (Connection<String> connection = mp.connect(name, Codec.string(), Duration.ofSeconds(20))) {
                        connection.send("ping " + number);
                        answers.add(connection.recv());
                    } catch (Exception e) {
                        answers.add("failed: " + e);
                    }
                });
                clients.add(client);
            }
            for (int i = 0; i < 5; i++) {
                Connection<String> accepted = listener.accept(Duration.ofSeconds(20));
                assertNotNull(accepted, "connection " + i);
                accepted.send(accepted.recv().replace("ping", "pong"));
            }
            for (Thread client : clients) {
                client.join(Duration.ofSeconds(20));
            }
            assertEquals(5, answers.size(), answers.toString());
            assertTrue(answers.stream().allMatch(answer -> answer.startsWith("pong ")), answers.toString());
        }
    }

    @Test
    void aClientTimesOutWhenTheListenerNeverComesBackToAccept() throws Exception {
        try (Listener<String> listener = mp.listen(name, Codec.string())) {
            List<Connection<String>> claimed = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                claimed.add(mp.connect(name, Codec.string(), Duration.ofSeconds(5)));
            }
            ConnectionRefusedException late = assertThrows(ConnectionRefusedException.class,
                    () -> mp.connect(name, Codec.string(), Duration.ofMillis(200)));
            assertTrue(late.getMessage().contains("within the timeout"), late.getMessage());
            assertEquals(name, late.listenerName());
            assertNotNull(listener.accept(Duration.ofSeconds(5)));
        }
    }

    @Test
    void connectingToANameNobodyListensOnIsRefused() {
        ConnectionRefusedException none = assertThrows(ConnectionRefusedException.class, () -> mp.connect(name, Codec.string()));
        assertTrue(none.getMessage().contains("no listener of that name"), none.getMessage());
    }

    @Test
    void aLiveListenersNameCannotBeTakenAndAClosedOnesCan() throws Exception {
        Listener<String> first = mp.listen(name, Codec.string());
        SharedObjectExistsException taken = assertThrows(SharedObjectExistsException.class, () -> mp.listen(name, Codec.string()));
        assertTrue(taken.getMessage().contains("pid " + ProcessHandle.current().pid()), taken.getMessage());
        Connection<String> claimedNotAccepted = mp.connect(name, Codec.string());
        first.close();
        assertThrows(EOFException.class, claimedNotAccepted::recv, "closing the listener ends connections it never accepted");
        ConnectionRefusedException refused = assertThrows(ConnectionRefusedException.class, () -> mp.connect(name, Codec.string()));
        assertTrue(refused.getMessage().contains("closed") || refused.getMessage().contains("no listener"), refused.getMessage());
        try (Listener<String> second = mp.listen(name, Codec.string())) {
            Connection<String> client = mp.connect(name, Codec.string());
            client.send("again");
            assertEquals("again", second.accept().recv());
        }
    }

    @LinuxOnly
    @Test
    void aClosedListenersNameGoesWithItsLastUser() throws Exception {
        Listener<String> listener = mp.listen(name, Codec.string());
        Connection<String> client = mp.connect(name, Codec.string());
        listener.close();
        client.close();
        assertTrue(Multiproc.listObjects().stream().noneMatch(info -> info.name().equals("mp-n-" + name)),
                "the name goes with its last user once the listener is closed");
    }

    @Test
    void oneThreadServesManyAcceptedConnectionsWithWaitAny() throws Exception {
        try (Listener<Long> listener = mp.listen(name, Codec.longs())) {
            List<Connection<Long>> clients = new ArrayList<>();
            List<Connection<?>> served = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                clients.add(mp.connect(name, Codec.longs()));
                served.add(listener.accept());
            }
            clients.get(2).send(2L);
            List<Connection<?>> ready = Connection.waitAny(served, Duration.ofSeconds(5));
            assertEquals(List.of(served.get(2)), ready);
            assertEquals(2L, ready.getFirst().recv());
        }
    }

    @Test
    void closingAListenerWakesAThreadWaitingInAccept() throws Exception {
        Listener<String> listener = mp.listen(name, Codec.string());
        Thread waiter = Thread.ofPlatform().start(() -> assertThrows(IllegalStateException.class, listener::accept));
        Thread.sleep(100);
        listener.close();
        waiter.join(Duration.ofSeconds(5));
        assertFalse(waiter.isAlive());
    }
}
