package dev.multiproc;

import dev.multiproc.codec.Codec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.EOFException;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static dev.multiproc.Children.*;
import static org.junit.jupiter.api.Assertions.*;

/** Pipes between real child JVMs. */
@Timeout(180)
class PipeTest extends ContextPerTest {
    /** Echoes every value plus one until end-of-file. */
    static void echoPlusOne(Connection<Long> connection) {
        try {
            while (true) {
                connection.send(connection.recv() + 1);
            }
        } catch (EOFException done) {
            connection.close();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aHundredThousandRoundTripsCarryTheRightValues() throws Exception {
        Pipe<Long> pipe = mp.pipe(Codec.longs());
        Connection<Long> here = pipe.first();
        Connection<Long> there = pipe.second();
        JvmProcess child = start(mp, () -> echoPlusOne(there)).getFirst();
        there.close();
        for (long i = 0; i < 100_000; i++) {
            here.send(i * 3);
            assertEquals(i * 3 + 1, here.recv());
        }
        here.close();
        joinAll(List.of(child), 0);
    }

    @Test
    void aOneWayPipeDeliversInOrderThenEndOfFile() throws Exception {
        Pipe<String> pipe = mp.pipe(Codec.string(), false);
        Connection<String> reader = pipe.first();
        Connection<String> writer = pipe.second();
        assertTrue(reader.readable());
        assertFalse(reader.writable());
        assertFalse(writer.readable());
        JvmProcess child = start(mp, () -> {
            for (int i = 0; i < 10_000; i++) {
                writer.send("message " + i + " é€𝄞");
            }
            writer.close();
        }).getFirst();
        writer.close();
        for (int i = 0; i < 10_000; i++) {
            assertEquals("message " + i + " é€𝄞", reader.recv());
        }
        assertThrows(EOFException.class, reader::recv, "after the writer closed and everything was read");
        assertTrue(reader.poll(), "end-of-file counts as ready");
        joinAll(List.of(child), 0);
        IllegalStateException wrongWay = assertThrows(IllegalStateException.class, () -> reader.send("x"));
        assertTrue(wrongWay.getMessage().contains("only receive"), wrongWay.getMessage());
    }

    @Test
    void bothDirectionsOfADuplexPipeWorkAtOnce() throws Exception {
        Pipe<byte[]> pipe = mp.pipe(Codec.bytes(), true, 4096);
        Connection<byte[]> here = pipe.first();
        Connection<byte[]> there = pipe.second();
        int count = 5_000;
        JvmProcess child = start(mp, () -> {
            Thread sender = new Thread(() -> {
                for (int i = 0; i < count; i++) {
                    there.send(new byte[]{(byte) i, (byte) (i >> 8), 42});
                }
            });
            sender.start();
            try {
                for (int i = 0; i < count; i++) {
                    byte[] got = there.recv();
                    if (got[0] != (byte) i || got[1] != (byte) (i >> 8)) {
                        System.exit(7);
                    }
                }
                sender.join();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).getFirst();
        Thread sender = new Thread(() -> {
            for (int i = 0; i < count; i++) {
                here.send(new byte[]{(byte) i, (byte) (i >> 8)});
            }
        });
        sender.start();
        for (int i = 0; i < count; i++) {
            byte[] got = here.recv();
            assertArrayEquals(new byte[]{(byte) i, (byte) (i >> 8), 42}, got);
        }
        sender.join();
        joinAll(List.of(child), 0);
    }

    @Test
    void endOfFileFollowsAKilledPeerWithinABoundedTime() throws Exception {
        Pipe<String> pipe = mp.pipe(Codec.string());
        Connection<String> here = pipe.first();
        Connection<String> there = pipe.second();
        JvmProcess child = start(mp, () -> {
            there.send("before the end");
            sleep(120_000);
        }).getFirst();
        assertEquals("before the end", here.recv());
        child.kill();
        long start = System.nanoTime();
        assertThrows(EOFException.class, here::recv);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(tookMillis < 10_000, "EOF took " + tookMillis + " ms");
        IllegalStateException broken = assertThrows(IllegalStateException.class, () -> {
            for (int i = 0; i < 100_000; i++) {
                here.send("into the void");
            }
        });
        assertTrue(broken.getMessage().contains("closed or its process has ended"), broken.getMessage());
    }

    @Test
    void messagesBiggerThanTheRingArriveWhole() throws Exception {
        Pipe<byte[]> pipe = mp.pipe(Codec.bytes(), true, 64 * 1024);
        Connection<byte[]> here = pipe.first();
        Connection<byte[]> there = pipe.second();
        JvmProcess child = start(mp, () -> echoBytes(there)).getFirst();
        Random random = new Random(7);
        for (int size : new int[]{1, 100, 16_000, 16_377, 16_384, 100_000, 1 << 20, 10 << 20}) {
            byte[] message = new byte[size];
            random.nextBytes(message);
            here.send(message);
            assertArrayEquals(message, here.recv(), "message of " + size + " bytes");
        }
        here.close();
        joinAll(List.of(child), 0);
    }

    static void echoBytes(Connection<byte[]> connection) {
        try {
            while (true) {
                connection.send(connection.recv());
            }
        } catch (EOFException done) {
            connection.close();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void waitAnyReturnsThePipesThatHaveSomethingToRead() throws Exception {
        int children = 3;
        Connection<?>[] readers = new Connection<?>[children];
        for (int i = 0; i < children; i++) {
            Pipe<Long> pipe = mp.pipe(Codec.longs(), false);
            Connection<Long> writer = pipe.second();
            readers[i] = pipe.first();
            long id = i;
            start(mp, () -> {
                for (int round = 0; round < 20; round++) {
                    sleep(10 + id * 7);
                    writer.send(id * 1000 + round);
                }
                writer.close();
            });
            writer.close();
        }
        Set<Long> received = new HashSet<>();
        Set<Connection<?>> open = new HashSet<>(Arrays.asList(readers));
        while (!open.isEmpty()) {
            List<Connection<?>> ready = Connection.waitAny(List.copyOf(open), Duration.ofSeconds(60));
            assertFalse(ready.isEmpty(), "waitAny timed out with " + open.size() + " pipes open");
            for (Connection<?> connection : ready) {
                try {
                    received.add((Long) connection.recv());
                } catch (EOFException done) {
                    open.remove(connection);
                }
            }
        }
        assertEquals(children * 20, received.size());
        joinAll(mp.activeChildren(), 0);
    }

    /**
     * More connections than one kernel multi-wait watches (Linux's {@code futex_waitv}: 128):
     * Python's {@code connection.wait} takes any number. With 129 this threw EINVAL.
     */
    @Test
    void waitAnyWatchesMoreConnectionsThanOneKernelWaitTakes() throws Exception {
        int count = 300;
        int chosen = 257;
        List<Connection<?>> readers = new ArrayList<>();
        Connection<Long> writer = null;
        for (int i = 0; i < count; i++) {
            Pipe<Long> pipe = mp.pipe(Codec.longs(), false, 4096);
            readers.add(pipe.first());
            if (i == chosen) {
                writer = pipe.second();
            }
        }
        assertTrue(Connection.waitAny(readers, Duration.ofMillis(100)).isEmpty(), "nothing to read yet");
        Connection<Long> chosenWriter = writer;
        start(mp, () -> {
            sleep(200);
            chosenWriter.send(42L);
        });
        assertEquals(List.of(readers.get(chosen)), Connection.waitAny(readers, Duration.ofSeconds(60)),
                "the one connection with a message, found while the waiter slept on all of them");
        assertEquals(42L, readers.get(chosen).recv());
        joinAll(mp.activeChildren(), 0);
    }

    @Test
    void waitAnyOnNoConnectionsWaitsOutItsTimeoutOrIsRefusedWithoutOne() throws Exception {
        long start = System.nanoTime();
        assertEquals(List.of(), Connection.waitAny(List.of(), Duration.ofMillis(200)));
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(took >= 200 && took < 3_000, took + " ms");
        assertThrows(IllegalArgumentException.class, () -> Connection.waitAny(List.of(), null));
    }

    @Test
    void pollTimesOutOnTimeAndWakesForAMessage() throws Exception {
        Pipe<String> pipe = mp.pipe(Codec.string());
        long start = System.nanoTime();
        assertFalse(pipe.first().poll(Duration.ofMillis(200)));
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(took >= 200 && took < 3_000, took + " ms");
        assertFalse(pipe.first().poll());
        pipe.second().send("x");
        assertTrue(pipe.first().poll(Duration.ofSeconds(5)));
        assertEquals("x", pipe.first().recv());
        assertTrue(Connection.waitAny(List.of(pipe.first(), pipe.second()), Duration.ofMillis(100)).isEmpty());
    }

    @Test
    void badUseGetsSpecificExceptionsAndTheOtherEndIsUnaffected() throws Exception {
        Pipe<byte[]> pipe = mp.pipe(Codec.bytes(), true, 4096);
        Connection<byte[]> a = pipe.first();
        Connection<byte[]> b = pipe.second();
        assertThrows(NullPointerException.class, () -> a.send(null));
        assertThrows(IndexOutOfBoundsException.class, () -> a.sendBytes(new byte[4], 2, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> a.sendBytes(new byte[4], -1, 1));

        a.sendBytes(new byte[]{1, 2, 3, 4, 5});
        BufferTooShortException tooShort = assertThrows(BufferTooShortException.class, () -> b.recvBytesInto(new byte[3]));
        assertEquals(5, tooShort.neededLength());
        assertArrayEquals(new byte[]{1, 2, 3, 4, 5}, tooShort.message());
        byte[] big = new byte[10];
        assertEquals(5, b.recvBytesInto(big), "the message was not lost");
        assertArrayEquals(new byte[]{1, 2, 3, 4, 5}, Arrays.copyOf(big, 5));

        java.lang.foreign.MemorySegment segment = java.lang.foreign.MemorySegment.ofArray(new byte[8]);
        a.sendBytes(new byte[]{6, 7, 8});
        assertEquals(3, b.recvBytesInto(segment, 5), "lands from the offset on, as Python's recv_bytes_into(buffer, offset)");
        assertArrayEquals(new byte[]{0, 0, 0, 0, 0, 6, 7, 8}, segment.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        a.sendBytes(new byte[]{1, 2});
        assertEquals(2, assertThrows(BufferTooShortException.class, () -> b.recvBytesInto(segment, 7)).neededLength(),
                "the room is what lies after the offset");
        assertThrows(IndexOutOfBoundsException.class, () -> b.recvBytesInto(segment, 9));
        assertEquals(2, b.recvBytesInto(segment, 6), "the message stayed for a receive with room");
        a.sendBytes(new byte[0]);
        assertEquals(0, b.recvBytesInto(segment, 8), "an empty message fits at the very end");
        a.sendBytes(java.lang.foreign.MemorySegment.ofArray(new byte[]{10, 11, 12, 13}), 1, 2);
        assertArrayEquals(new byte[]{11, 12}, b.recvBytes(), "a range of a segment goes as one message");
        assertThrows(IndexOutOfBoundsException.class, () -> a.sendBytes(segment, 7, 2));

        byte[] large = new byte[100_000];
        Arrays.fill(large, (byte) 9);
        Thread sender = new Thread(() -> a.sendBytes(large));
        sender.start();
        assertThrows(BufferTooShortException.class, () -> b.recvBytesInto(new byte[1000]));
        sender.join();
        assertArrayEquals(large, b.recvBytes(), "a streamed message is kept whole too");

        a.close();
        IllegalStateException closed = assertThrows(IllegalStateException.class, () -> a.send(new byte[1]));
        assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
        assertThrows(IllegalStateException.class, a::recv);
        assertThrows(EOFException.class, b::recv, "the other end reads end-of-file");
        assertThrows(IllegalStateException.class, () -> b.send(new byte[1]), "and cannot send to a closed end");
    }

    @Test
    void anEndSentToAChildMovesThereAndTheLeftHandleIsDetached() throws Exception {
        Pipe<String> pipe = mp.pipe(Codec.string());
        Connection<String> here = pipe.first();
        Connection<String> there = pipe.second();
        try (SharedEvent attached = mp.event(); SharedEvent done = mp.event()) {
            JvmProcess child = start(mp, () -> {
                attached.set();
                try {
                    there.send(there.recv().toUpperCase());
                    done.await(60, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).getFirst();
            assertTrue(attached.await(Duration.ofSeconds(60)));
            IllegalStateException moved = assertThrows(IllegalStateException.class, () -> there.send("from the wrong process"));
            assertTrue(moved.getMessage().contains("moved to pid " + child.pid().orElseThrow()), moved.getMessage());
            there.close();
            here.send("hello");
            assertEquals("HELLO", here.recv(), "closing the detached copy did not close the child's end");
            done.set();
            joinAll(List.of(child), 0);
            assertThrows(EOFException.class, here::recv, "the child's exit closed its end");
        }
    }

    /** Kills the JVM while a target is being deserialised, before the pipe end after it is read. */
    static final class DiesOnArrival implements Serializable {
        @java.io.Serial
        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            Runtime.getRuntime().halt(3);
        }

        int value() {
            return 1;
        }
    }

    @Test
    void anEndSentToAChildThatDiesBeforeAttachingItIsClosed() throws Exception {
        Pipe<String> pipe = mp.pipe(Codec.string());
        Connection<String> here = pipe.first();
        Connection<String> there = pipe.second();
        DiesOnArrival dies = new DiesOnArrival();
        JvmProcess child = start(mp, () -> there.send("never sent " + dies.value())).getFirst();
        there.close();
        joinAll(List.of(child), 3);
        assertThrows(EOFException.class, here::recv, "nobody can hang on an end its receiver never attached");
    }
}
