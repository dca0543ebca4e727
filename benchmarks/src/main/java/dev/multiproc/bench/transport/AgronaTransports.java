package dev.multiproc.bench.transport;

import dev.multiproc.Multiproc;
import org.agrona.IoUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * Agrona's ring buffers over memory-mapped files in /dev/shm (the same memory multiproc uses),
 * busy-spinning on both sides: {@code OneToOneRingBuffer} and {@code ManyToOneRingBuffer},
 * one ring per direction.
 */
public final class AgronaTransports {
    private static final int MESSAGE_TYPE = 1;

    private AgronaTransports() {
    }

    public static Transport oneToOne() {
        return new AgronaTransport(false);
    }

    public static Transport manyToOne() {
        return new AgronaTransport(true);
    }

    private record AgronaTransport(boolean many) implements Transport {
        @Override
        public String name() {
            return many ? "agrona-m2o" : "agrona-o2o";
        }

        @Override
        public String description() {
            return "Agrona " + (many ? "ManyToOneRingBuffer" : "OneToOneRingBuffer")
                    + " over a mapped file in /dev/shm, busy-spin both sides, read(handler, 256) on the throughput steps (peer)";
        }

        @Override
        public boolean manyToOne() {
            return many;
        }

        @Override
        public List<String> jvmOptions() {
            return PeerOptions.unsafe();
        }

        @Override
        public Link open(Multiproc mp, int maxSize, int producers) throws Exception {
            // a ring's largest message is an eighth of its capacity
            int capacity = Math.max(1 << 20, Integer.highestOneBit(Math.max(1, maxSize)) * 16);
            String prefix = "/dev/shm/agrona-bench-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
            // sized here without Agrona: its classes need JVM flags this orchestrating JVM does not have
            for (String suffix : List.of("-ping", "-pong")) {
                try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(prefix + suffix, "rw")) {
                    file.setLength(capacity + RingBufferDescriptor.TRAILER_LENGTH);
                }
            }
            return new AgronaLink(prefix + "-ping", prefix + "-pong", many);
        }
    }

    private record AgronaLink(String toResponder, String toInitiator, boolean many) implements Link {
        @Override
        public Endpoint initiator() {
            return new AgronaEndpoint(toResponder, toInitiator, many);
        }

        @Override
        public Endpoint responder() {
            return new AgronaEndpoint(toInitiator, toResponder, many);
        }

        @Override
        public Endpoint extraProducer(int index) {
            return new AgronaEndpoint(toResponder, toInitiator, many);
        }

        @Override
        public void cleanUp() {
            for (String file : List.of(toResponder, toInitiator)) {
                TempFiles.deleteRecursively(Path.of(file));
            }
        }
    }

    private static final class AgronaEndpoint implements Endpoint {
        private final MappedByteBuffer outgoingFile;
        private final MappedByteBuffer incomingFile;
        private final RingBuffer outgoing;
        private final RingBuffer incoming;
        private final UnsafeBuffer source = new UnsafeBuffer(new byte[0]);
        /** Made once: nothing is allocated per message. */
        private final org.agrona.concurrent.MessageHandler copier = this::copy;
        private final org.agrona.concurrent.MessageHandler stampReader =
                (type, buffer, index, length) -> {
                    copy(type, buffer, index, length);
                    this.stampSink.accept(Messages.stampOf(this.target));
                };
        private java.util.function.LongConsumer stampSink;
        private byte[] target;
        private int received;

        AgronaEndpoint(String outgoingPath, String incomingPath, boolean many) {
            this.outgoingFile = IoUtil.mapExistingFile(new File(outgoingPath), "outgoing");
            this.incomingFile = IoUtil.mapExistingFile(new File(incomingPath), "incoming");
            this.outgoing = ring(new UnsafeBuffer(outgoingFile), many);
            this.incoming = ring(new UnsafeBuffer(incomingFile), many);
        }

        private static RingBuffer ring(UnsafeBuffer buffer, boolean many) {
            return many ? new ManyToOneRingBuffer(buffer) : new OneToOneRingBuffer(buffer);
        }

        @Override
        public void send(byte[] message, int length) {
            source.wrap(message);
            while (!outgoing.write(MESSAGE_TYPE, source, 0, length)) {
                Thread.onSpinWait();
            }
        }

        @Override
        public int receive(byte[] buffer) {
            target = buffer;
            while (incoming.read(copier, 1) == 0) {
                Thread.onSpinWait();
            }
            return received;
        }

        /** A batch with {@code read(handler, limit)}, the way Agrona's consumers read. */
        @Override
        public int receiveBatch(byte[] buffer, int max, java.util.function.LongConsumer stamps) {
            target = buffer;
            stampSink = stamps;
            int taken;
            while ((taken = incoming.read(stampReader, max)) == 0) {
                Thread.onSpinWait();
            }
            return taken;
        }

        private void copy(int type, MutableDirectBuffer buffer, int index, int length) {
            buffer.getBytes(index, target, 0, length);
            received = length;
        }

        @Override
        public void close() {
            IoUtil.unmap(outgoingFile);
            IoUtil.unmap(incomingFile);
        }
    }
}
