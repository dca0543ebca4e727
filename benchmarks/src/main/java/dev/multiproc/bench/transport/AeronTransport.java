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
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.DatagramSocket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Aeron as a peer, one stream per direction: {@link #ipc()} between the JVMs of one host,
 * busy-spinning; {@link #udp(Hosts)} over UDP with a media driver in each JVM, as two hosts
 * would have — what {@code mp-remote} builds on, without its pipes and pump threads.
 */
public final class AeronTransport implements Transport {
    private static final String IPC_CHANNEL = "aeron:ipc";
    private static final int TO_RESPONDER = 1001;
    private static final int TO_INITIATOR = 1002;
    /** What {@code mp-remote} gives its channels toward another host where the kernel allows 2 MiB buffers (its {@code ChannelSettings}). */
    private static final String WINDOW_SETTINGS = "|rcv-wnd=2m|so-rcvbuf=2m|so-sndbuf=2m";
    /** What it gives them toward a peer on this host: datagrams as large as UDP's besides. */
    private static final String LOOPBACK_SETTINGS = "|mtu=65504" + WINDOW_SETTINGS;

    /** Where the UDP peers run; null for IPC. */
    private final Hosts udpHosts;

    private AeronTransport(Hosts udpHosts) {
        this.udpHosts = udpHosts;
    }

    /** Aeron IPC ({@code aeron:ipc}) through one embedded driver in the responder's JVM. */
    public static Transport ipc() {
        return new AeronTransport(null);
    }

    /**
     * Aeron UDP between {@code hosts}, an embedded driver in each JVM with the settings {@code
     * mp-remote}'s drivers have (shared threading mode, Aeron's default idle strategy) and the
     * channel settings it picks toward such a peer; the program's offers and polls idle with
     * Aeron's default back-off too: spinning programs would take both cores of a two-core
     * machine from the drivers (measured: a 7 ms round trip).
     */
    public static Transport udp(Hosts hosts) {
        return new AeronTransport(hosts);
    }

    @Override
    public String name() {
        return udpHosts != null ? "aeron-udp" : "aeron-ipc";
    }

    @Override
    public String description() {
        if (udpHosts == null) {
            return "Aeron IPC (aeron:ipc), embedded media driver in the responder JVM, busy-spin offer/poll, poll(handler, 256) "
                    + "on the throughput steps (peer)";
        }
        return "Aeron UDP (" + udpHosts.describe() + "; aeron:udp?endpoint=address:port, one port per direction, "
                + (udpHosts.loopback() ? "64 KiB datagrams, " : "Aeron's datagrams, ") + "2 MiB windows and socket buffers: what "
                + "mp-remote picks there), an embedded media driver in each JVM (shared threading mode, default idle strategy), "
                + "offer/poll idling with Aeron's default back-off (spin, yield, park 1 µs to 1 ms), poll(handler, 256) on the "
                + "throughput steps (peer; the floor under mp-remote)";
    }

    @Override
    public boolean manyToOne() {
        return udpHosts == null;
    }

    @Override
    public boolean crossesHosts() {
        return udpHosts != null;
    }

    @Override
    public Hosts hosts() {
        return udpHosts != null ? udpHosts : Hosts.LOOPBACK;
    }

    @Override
    public List<String> jvmOptions() {
        return PeerOptions.unsafe();
    }

    @Override
    public Link open(Multiproc mp, int maxSize, int producers) throws SocketException {
        String directory = "/dev/shm/aeron-bench-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        if (udpHosts != null) {
            // ports free here; another namespace's ports are all free
            try (DatagramSocket initiatorPort = new DatagramSocket(0); DatagramSocket responderPort = new DatagramSocket(0)) {
                return new UdpLink(directory, udpChannel(udpHosts.initiatorAddress(), initiatorPort),
                        udpChannel(udpHosts.responderAddress(), responderPort));
            }
        }
        int termLength = Math.max(1 << 22, Integer.highestOneBit(Math.max(1, maxSize)) * 32);
        return new IpcLink(directory, termLength);
    }

    private String udpChannel(String address, DatagramSocket port) {
        return "aeron:udp?endpoint=" + Hosts.endpoint(address, port.getLocalPort()) + (udpHosts.loopback() ? LOOPBACK_SETTINGS : WINDOW_SETTINGS);
    }

    /** Each side its own driver, subscribing on its own port and publishing to the other's. */
    private record UdpLink(String directory, String toInitiator, String toResponder) implements Link {
        @Override
        public Endpoint initiator() throws InterruptedException {
            return udpEndpoint(directory + "-initiator", toResponder, TO_RESPONDER, toInitiator, TO_INITIATOR);
        }

        @Override
        public Endpoint responder() throws InterruptedException {
            return udpEndpoint(directory + "-responder", toInitiator, TO_INITIATOR, toResponder, TO_RESPONDER);
        }

        private static Endpoint udpEndpoint(String driverDirectory, String outgoing, int outgoingStream, String incoming,
                                            int incomingStream) throws InterruptedException {
            MediaDriver driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                    .aeronDirectoryName(driverDirectory)
                    .threadingMode(ThreadingMode.SHARED)
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true));
            return new AeronEndpoint(driverDirectory, driver, new BackoffIdleStrategy(), outgoing, outgoingStream, incoming, incomingStream);
        }

        @Override
        public void cleanUp() {
            TempFiles.deleteRecursively(java.nio.file.Path.of(directory + "-initiator"));
            TempFiles.deleteRecursively(java.nio.file.Path.of(directory + "-responder"));
        }
    }

    private record IpcLink(String directory, int termLength) implements Link {
        @Override
        public Endpoint initiator() throws InterruptedException {
            return ipcEndpoint(null, TO_RESPONDER, TO_INITIATOR);
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
            return ipcEndpoint(driver, TO_INITIATOR, TO_RESPONDER);
        }

        @Override
        public Endpoint extraProducer(int index) throws InterruptedException {
            return ipcEndpoint(null, TO_RESPONDER, TO_INITIATOR);
        }

        private Endpoint ipcEndpoint(MediaDriver driver, int outgoingStream, int incomingStream) throws InterruptedException {
            return new AeronEndpoint(directory, driver, new BusySpinIdleStrategy(), IPC_CHANNEL, outgoingStream, IPC_CHANNEL, incomingStream);
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
        private final IdleStrategy idle;
        private java.util.function.LongConsumer stampSink;
        private byte[] target;
        private int received;

        AeronEndpoint(String directory, MediaDriver driver, IdleStrategy idle, String outgoingChannel, int outgoingStream,
                      String incomingChannel, int incomingStream) throws InterruptedException {
            this.driver = driver;
            this.idle = idle;
            this.aeron = connect(directory);
            this.publication = aeron.addPublication(outgoingChannel, outgoingStream);
            this.subscription = aeron.addSubscription(incomingChannel, incomingStream);
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
            idle.reset();
            while (publication.offer(source, 0, length) < 0) {
                idle.idle();
            }
        }

        @Override
        public int receive(byte[] buffer) {
            target = buffer;
            received = -1;
            idle.reset();
            while (received < 0) {
                idle.idle(subscription.poll(assembler, 1));
            }
            return received;
        }

        /** A batch with {@code poll(handler, fragmentLimit)}, the way Aeron's subscribers read. */
        @Override
        public int receiveBatch(byte[] buffer, int max, java.util.function.LongConsumer stamps) {
            target = buffer;
            stampSink = stamps;
            int taken;
            idle.reset();
            while ((taken = subscription.poll(stampAssembler, max)) == 0) {
                idle.idle();
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
