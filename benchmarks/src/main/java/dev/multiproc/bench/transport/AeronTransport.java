package dev.multiproc.bench.transport;

import dev.multiproc.Multiproc;
import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.exceptions.DriverTimeoutException;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Aeron IPC ({@code aeron:ipc}) with an embedded media driver in the responder's JVM (its
 * threads idle by sleeping, so they leave the two cores to the data path), busy-spinning
 * publication and subscription on both sides; one stream per direction.
 */
public final class AeronTransport implements Transport {
    private static final String CHANNEL = "aeron:ipc";
    private static final int TO_RESPONDER = 1001;
    private static final int TO_INITIATOR = 1002;

    @Override
    public String name() {
        return "aeron-ipc";
    }

    @Override
    public String description() {
        return "Aeron IPC (aeron:ipc), embedded media driver in the responder JVM, busy-spin offer/poll, poll(handler, 256) on the throughput steps (peer)";
    }

    @Override
    public boolean manyToOne() {
        return true;
    }

    @Override
    public List<String> jvmOptions() {
        return PeerOptions.unsafe();
    }

    @Override
    public Link open(Multiproc mp, int maxSize, int producers) {
        int termLength = Math.max(1 << 22, Integer.highestOneBit(Math.max(1, maxSize)) * 32);
        return new AeronLink("/dev/shm/aeron-bench-" + ProcessHandle.current().pid() + "-" + System.nanoTime(), termLength);
    }

    private record AeronLink(String directory, int termLength) implements Link {
        @Override
        public Endpoint initiator() throws InterruptedException {
            return new AeronEndpoint(directory, null, TO_RESPONDER, TO_INITIATOR);
        }

        @Override
        public Endpoint responder() throws InterruptedException {
            MediaDriver driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                    .aeronDirectoryName(directory)
                    .threadingMode(ThreadingMode.SHARED)
                    .sharedIdleStrategy(new SleepingMillisIdleStrategy(1))
                    .ipcTermBufferLength(termLength)
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true));
            return new AeronEndpoint(directory, driver, TO_INITIATOR, TO_RESPONDER);
        }

        @Override
        public Endpoint extraProducer(int index) throws InterruptedException {
            return new AeronEndpoint(directory, null, TO_RESPONDER, TO_INITIATOR);
        }

        @Override
        public void cleanUp() {
            TempFiles.deleteRecursively(java.nio.file.Path.of(directory));
        }
    }

    private static final class AeronEndpoint implements Endpoint {
        private final MediaDriver driver;
        private final Aeron aeron;
        private final Publication publication;
        private final Subscription subscription;
        private final UnsafeBuffer source = new UnsafeBuffer(new byte[0]);
        private final FragmentAssembler assembler = new FragmentAssembler(this::copy);
        private final FragmentAssembler stampAssembler = new FragmentAssembler(
                (buffer, offset, length, header) -> {
                    copy(buffer, offset, length, header);
                    this.stampSink.accept(Messages.stampOf(this.target));
                });
        private java.util.function.LongConsumer stampSink;
        private byte[] target;
        private int received;

        AeronEndpoint(String directory, MediaDriver driver, int outgoingStream, int incomingStream) throws InterruptedException {
            this.driver = driver;
            this.aeron = connect(directory);
            this.publication = aeron.addPublication(CHANNEL, outgoingStream);
            this.subscription = aeron.addSubscription(CHANNEL, incomingStream);
        }

        private static Aeron connect(String directory) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                try {
                    return Aeron.connect(new Aeron.Context().aeronDirectoryName(directory));
                } catch (DriverTimeoutException | IllegalStateException notYetRunning) {
                    if (System.nanoTime() > deadline) {
                        throw notYetRunning;
                    }
                    Thread.sleep(20);
                }
            }
        }

        @Override
        public void send(byte[] message, int length) {
            source.wrap(message);
            while (publication.offer(source, 0, length) < 0) {
                Thread.onSpinWait();
            }
        }

        @Override
        public int receive(byte[] buffer) {
            target = buffer;
            received = -1;
            while (received < 0) {
                if (subscription.poll(assembler, 1) == 0) {
                    Thread.onSpinWait();
                }
            }
            return received;
        }

        /** A batch with {@code poll(handler, fragmentLimit)}, the way Aeron's subscribers read. */
        @Override
        public int receiveBatch(byte[] buffer, int max, java.util.function.LongConsumer stamps) {
            target = buffer;
            stampSink = stamps;
            int taken;
            while ((taken = subscription.poll(stampAssembler, max)) == 0) {
                Thread.onSpinWait();
            }
            return taken;
        }

        private void copy(DirectBuffer buffer, int offset, int length, io.aeron.logbuffer.Header header) {
            buffer.getBytes(offset, target, 0, length);
            received = length;
        }

        @Override
        public void close() {
            subscription.close();
            publication.close();
            aeron.close();
            if (driver != null) {
                driver.close();
            }
        }
    }

}
