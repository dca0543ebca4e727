package dev.multiproc.remote;

import dev.multiproc.Connection;
import dev.multiproc.JvmProcess;
import dev.multiproc.Multiproc;
import dev.multiproc.SharedLong;
import dev.multiproc.codec.Codec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.EOFException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A remote connection across a lossy network: the listener runs in a child JVM whose media driver
 * drops 1% of the data packets it receives (Aeron's own loss generator), so Aeron must notice the
 * gaps and have them sent again. Every message still arrives, once, in order.
 */
@Timeout(180)
class RemoteLossTest extends ContextPerTest {
    private static final int MESSAGES = 100_000;

    /**
     * The child: accepts one connection, checks that message i is i for every i, and records how
     * many arrived in order and how many NAKs its driver sent (each one a gap it asked to be filled).
     */
    static void receiveInOrder(String channel, SharedLong inOrder, SharedLong naks) {
        try (Multiproc child = Multiproc.create(); Remote remote = Remote.open(child); RemoteListener<Long> listener = remote.listen(channel, Codec.longs())) {
            Connection<Long> connection = listener.accept(Duration.ofSeconds(60));
            long expected = 0;
            try {
                while (true) {
                    long message = connection.recv();
                    if (message != expected) {
                        break;
                    }
                    expected++;
                }
            } catch (EOFException end) {
                // the sender closed: everything it sent has been read
            }
            inOrder.set(expected);
            naks.set(counter(remote, "NAKs sent"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long counter(Remote remote, String label) {
        AtomicLong total = new AtomicLong();
        remote.aeron().countersReader().forEach((id, type, key, name) -> {
            if (name.startsWith(label)) {
                total.addAndGet(remote.aeron().countersReader().getCounterValue(id));
            }
        });
        return total.get();
    }

    @Test
    void aHundredThousandMessagesCrossAOnePercentLossOnceEachAndInOrder() throws Exception {
        // Aeron's datagram size, as between hosts, named in the channel (both sides carry it over to
        // the connection's channels): loopback's 64 KiB datagrams would be too few for 1% to drop any
        String channel = RemoteConnectionTest.freeChannel() + "|mtu=1408";
        try (SharedLong inOrder = mp.sharedLong(-1); SharedLong naks = mp.sharedLong(-1)) {
            JvmProcess listener = mp.process(() -> receiveInOrder(channel, inOrder, naks));
            listener.setJvmOptions(List.of(
                    "-Daeron.ReceiveChannelEndpoint.supplier=io.aeron.driver.ext.DebugReceiveChannelEndpointSupplier",
                    "-Daeron.debug.receive.data.loss.rate=0.01",
                    "-Daeron.debug.receive.data.loss.seed=7"));
            try (Remote remote = Remote.open(mp, RemoteOptions.defaults().withConnectTimeout(Duration.ofSeconds(30)))) {
                listener.start();
                Connection<Long> connection = remote.connect(channel, Codec.longs());
                for (long i = 0; i < MESSAGES; i++) {
                    connection.send(i);
                }
                connection.close();
                assertTrue(listener.join(Duration.ofSeconds(120)), "the listener finished");
                assertEquals(0, listener.exitCode().orElse(-1));
                assertEquals(MESSAGES, inOrder.get(), "every message, in order, none twice (a duplicate breaks the order)");
                assertTrue(naks.get() > 0, "the loss generator dropped packets and the receiver asked for them again: " + naks.get() + " NAKs");
            } finally {
                listener.kill();
                listener.join(Duration.ofSeconds(30));
            }
        }
    }

    /** The child: connects, sends {@code count} longs, closes, and exits at once. */
    static void sendAndExit(String channel, int count) {
        try (Multiproc child = Multiproc.create();
             Remote remote = Remote.open(child, RemoteOptions.defaults().withConnectTimeout(Duration.ofSeconds(30)))) {
            Connection<Long> connection = remote.connect(channel, Codec.longs());
            for (long i = 0; i < count; i++) {
                connection.send(i);
            }
            connection.close();
        }
    }

    @Test
    void aSenderThatClosesAndExitsRightAwayLosesNothingItSentThroughALossyNetwork() throws Exception {
        String channel = RemoteConnectionTest.freeChannel() + "|mtu=1408";
        JvmProcess sender = mp.process(() -> sendAndExit(channel, MESSAGES));
        sender.setJvmOptions(List.of(
                "-Daeron.SendChannelEndpoint.supplier=io.aeron.driver.ext.DebugSendChannelEndpointSupplier",
                "-Daeron.debug.send.data.loss.rate=0.01",
                "-Daeron.debug.send.data.loss.seed=11"));
        try (Remote remote = Remote.open(mp); RemoteListener<Long> listener = remote.listen(channel, Codec.longs())) {
            sender.start();
            Connection<Long> connection = listener.accept(Duration.ofSeconds(60));
            assertNotNull(connection, "the sender connected");
            long expected = 0;
            try {
                while (true) {
                    assertEquals(expected, connection.recv(), "in order, none twice");
                    expected++;
                }
            } catch (EOFException end) {
                // the sender closed after its last message
            }
            assertEquals(MESSAGES, expected, "the sender's close waited for the last messages (some resent) to arrive");
            assertTrue(sender.join(Duration.ofSeconds(60)));
            assertEquals(0, sender.exitCode().orElse(-1));
            connection.close();
        } finally {
            sender.kill();
            sender.join(Duration.ofSeconds(30));
        }
    }
}
