package dev.multiproc;

import dev.multiproc.codec.Codec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.*;

/** SharedQueue's API in one process: misuse, codecs, zero-copy, snapshots. */
@Timeout(60)
class QueueInProcessTest extends ContextPerTest {
    /** A codec that refuses one value when encoding, and another when decoding. */
    static final class PickyCodec implements Codec<String>, Serializable {
        @Override
        public int encodedSize(String value) {
            return Codec.string().encodedSize(value);
        }

        @Override
        public void encode(String value, MemorySegment target) {
            if (value.equals("unencodable")) {
                throw new IllegalArgumentException("cannot encode this one");
            }
            Codec.string().encode(value, target);
        }

        @Override
        public String decode(MemorySegment source) {
            String value = Codec.string().decode(source);
            if (value.equals("undecodable")) {
                throw new IllegalStateException("cannot decode this one");
            }
            return value;
        }
    }

    @Test
    void badInputGetsSpecificExceptionsAndTheQueueStaysUsable() throws Exception {
        try (SharedQueue<String> queue = mp.queue(new PickyCodec(), 8)) {
            assertThrows(NullPointerException.class, () -> queue.offer(null));
            assertThrows(NullPointerException.class, () -> queue.put(null));
            assertThrows(IllegalArgumentException.class, () -> queue.put("unencodable"));
            assertEquals(0, queue.size(), "an aborted message is not counted");
            queue.put("first");
            queue.put("undecodable");
            queue.put("third");
            assertEquals("first", queue.take());
            assertThrows(IllegalStateException.class, queue::take);
            assertEquals("third", queue.take(), "the queue goes on after a codec failure");
            assertThrows(UnsupportedOperationException.class, () -> queue.remove("x"));
            assertThrows(IllegalArgumentException.class, () -> mp.queue(Codec.string(), 0));
            assertThrows(IllegalArgumentException.class, () -> mp.queue(Codec.string(), 8, 10));
        }
        try (SharedLock lock = mp.lock()) {
            IncompatibleSharedObjectException notAQueue = assertThrows(IncompatibleSharedObjectException.class,
                    () -> SharedQueue.attach(lock.name(), Codec.string()));
            assertTrue(notAQueue.getMessage().contains("it is a lock"), notAQueue.getMessage());
        }
        assertThrows(SharedObjectNotFoundException.class, () -> SharedQueue.attach("mp-no-such-queue", Codec.string()));
        SharedQueue<String> closed = mp.queue(Codec.string());
        closed.close();
        assertThrows(IllegalStateException.class, () -> closed.offer("x"));
        assertThrows(IllegalStateException.class, closed::poll);
    }

    @Test
    void aQueueOfOneHoldsOneMessageAndNeverWritesOverTheOneBeingRead() throws Exception {
        try (SharedQueue<Long> queue = mp.queue(Codec.longs(), 1)) {
            queue.put(1L);
            assertFalse(queue.offer(2L), "full at one message");
            java.util.concurrent.CountDownLatch reading = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch putMeanwhile = new java.util.concurrent.CountDownLatch(1);
            long[] seen = new long[2];
            Thread consumer = Thread.ofPlatform().start(() -> {
                try {
                    queue.takeInPlace(message -> {
                        seen[0] = message.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
                        reading.countDown();
                        try {
                            putMeanwhile.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        seen[1] = message.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
                    });
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(reading.await(10, java.util.concurrent.TimeUnit.SECONDS));
            assertTrue(queue.offer(2L), "the one message was taken: there is room for one");
            assertFalse(queue.offer(3L), "and for one only");
            putMeanwhile.countDown();
            consumer.join(10_000);
            assertEquals(1L, seen[0]);
            assertEquals(1L, seen[1], "the message being read was not written over");
            assertEquals(2L, queue.poll());
            assertNull(queue.poll());
        }
    }

    @Test
    void zeroCopyProducersAndConsumersUseTheSlotInPlace() throws Exception {
        try (SharedQueue<byte[]> queue = mp.queue(Codec.bytes(), 4)) {
            assertTrue(queue.offerInPlace(16, slot -> {
                slot.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 11L);
                slot.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, 22L);
            }));
            assertThrows(IllegalStateException.class, () -> queue.offerInPlace(8, slot -> {
                throw new IllegalStateException("writer gives up");
            }));
            queue.putInPlace(100_000, slot -> slot.fill((byte) 5));
            long[] read = new long[2];
            assertTrue(queue.pollInPlace(message -> {
                assertEquals(16, message.byteSize());
                read[0] = message.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
                read[1] = message.get(ValueLayout.JAVA_LONG_UNALIGNED, 8);
            }));
            assertArrayEquals(new long[]{11, 22}, read, "the aborted message never shows");
            queue.takeInPlace(message -> {
                assertEquals(100_000, message.byteSize(), "a spilled message is read in place too");
                assertEquals(5, message.get(ValueLayout.JAVA_BYTE, 99_999));
            });
            assertFalse(queue.pollInPlace(message -> fail("empty")));
        }
    }

    @Test
    void snapshotsLookWithoutTaking() throws Exception {
        try (SharedQueue<String> queue = mp.queue(Codec.string(), 8)) {
            assertNull(queue.peek());
            queue.addAll(List.of("a", "b", "c"));
            assertEquals("a", queue.peek());
            assertEquals("a", queue.element());
            assertTrue(queue.contains("b"));
            assertFalse(queue.contains("z"));
            List<String> seen = new ArrayList<>();
            queue.iterator().forEachRemaining(seen::add);
            assertEquals(List.of("a", "b", "c"), seen);
            assertArrayEquals(new Object[]{"a", "b", "c"}, queue.toArray());
            assertEquals(3, queue.size());
            List<String> drained = new ArrayList<>();
            assertEquals(2, queue.drainTo(drained, 2));
            assertEquals(List.of("a", "b"), drained);
            queue.clear();
            assertTrue(queue.isEmpty());
        }
    }

    /** Sets a flag if it is ever deserialised: the allow-list must refuse it first. */
    static final class Gadget implements Serializable {
        static final AtomicBoolean RAN = new AtomicBoolean();

        @java.io.Serial
        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            RAN.set(true);
        }
    }

    record Order(String item, int quantity) implements Serializable {
    }

    @Test
    void theSerializableCodecDecodesOnlyWhatItsAllowListNames() throws Exception {
        try (SharedQueue<Object> writer = mp.queue(Codec.serializable(Object.class))) {
            SharedQueue<Object> reader = SharedQueue.attach(writer.name(), Codec.serializable(Order.class));
            writer.put(new Order("tea", 3));
            writer.put(new Gadget());
            assertEquals(new Order("tea", 3), reader.take());
            SecurityException refused = assertThrows(SecurityException.class, reader::take);
            assertTrue(refused.getMessage().contains("refused"), refused.getMessage());
            assertFalse(Gadget.RAN.get(), "the refused class never ran any code");
            reader.close();
        }
    }

    /**
     * A spinning round trip waits on every take; the wait (its JFR event, its checks) and the view
     * of the slot must allocate nothing, or the allocations' pauses become the round trip's tail.
     * Three writers make the call that fills a slot megamorphic, as in a program with several.
     */
    @Test
    void aSpinningRoundTripOfFixedSizeMessagesAllocatesNothingOnceWarm() throws Exception {
        QueueOptions spinning = QueueOptions.of(64).withWaitStrategy(WaitStrategy.BUSY_SPIN);
        try (SharedQueue<byte[]> ping = mp.queue(Codec.bytes(), spinning); SharedQueue<byte[]> pong = mp.queue(Codec.bytes(), spinning)) {
            int roundTrips = 100_000;
            int phases = 4;
            byte[] echoed = new byte[64];
            Thread echo = new Thread(() -> {
                java.util.function.Consumer<MemorySegment> in = message -> MemorySegment.copy(message, ValueLayout.JAVA_BYTE, 0, echoed, 0, 64);
                java.util.function.Consumer<MemorySegment> out = slot -> MemorySegment.copy(echoed, 0, slot, ValueLayout.JAVA_BYTE, 0, 64);
                try {
                    for (int i = 0; i < phases * roundTrips; i++) {
                        ping.takeInPlace(in);
                        pong.putInPlace(64, out);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "echo");
            echo.setDaemon(true);
            echo.start();
            byte[] message = new byte[64];
            byte[] answer = new byte[64];
            List<java.util.function.Consumer<MemorySegment>> writers = List.of(
                    slot -> MemorySegment.copy(message, 0, slot, ValueLayout.JAVA_BYTE, 0, 64),
                    slot -> slot.fill((byte) 1),
                    slot -> slot.set(ValueLayout.JAVA_BYTE, 0, (byte) 2));
            java.util.function.Consumer<MemorySegment> reader = reply -> MemorySegment.copy(reply, ValueLayout.JAVA_BYTE, 0, answer, 0, 64);
            com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            double bytesPerRoundTrip = Double.NaN;
            for (int phase = 0; phase < phases; phase++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < roundTrips; i++) {
                    ping.putInPlace(64, writers.get(i % writers.size()));
                    pong.takeInPlace(reader);
                }
                bytesPerRoundTrip = (threads.getCurrentThreadAllocatedBytes() - before) / (double) roundTrips;
            }
            echo.join(10_000);
            assertTrue(bytesPerRoundTrip < 1, "a warm spinning round trip allocated " + bytesPerRoundTrip + " bytes");
        }
    }
}
