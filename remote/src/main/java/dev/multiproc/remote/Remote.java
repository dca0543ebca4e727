package dev.multiproc.remote;

import dev.multiproc.Connection;
import dev.multiproc.ConnectionRefusedException;
import dev.multiproc.Multiproc;
import dev.multiproc.Pipe;
import dev.multiproc.PipeOptions;
import dev.multiproc.codec.Codec;
import dev.multiproc.transport.RemoteTransport;
import io.aeron.Aeron;
import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.Subscription;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Connections to other hosts over Aeron: Python's {@code Listener}/{@code Client} on a network
 * address. {@link #listen} and {@link #connect} take an Aeron UDP channel
 * ({@code aeron:udp?endpoint=host:port}) and give {@link Connection}s with the contract of local
 * ones — {@code send}/{@code recv}/{@code poll}, {@code sendBytes}/{@code recvBytes}, in order,
 * none lost or duplicated (Aeron retransmits what the network drops), {@code EOFException} once
 * the peer has closed, died or stayed unreachable for {@link RemoteOptions#peerTimeout()} — and
 * {@link Connection#waitAny} mixes them with local ones: each is a local pipe whose other end two
 * pump threads tie to Aeron.
 *
 * <p>With an {@link RemoteOptions#authKey() auth key}, both ends prove they know it (HMAC-SHA256
 * challenge and response, as Python's {@code authkey}); a client without the right key is
 * refused with {@link ConnectionRefusedException}, and so is one whose listener cannot prove it.
 *
 * <p>The media driver is embedded (one per JVM, removed when its last {@code Remote} closes) unless
 * {@link RemoteOptions#aeronDirectory()} names an external one. The JVM needs
 * {@code --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED} (Aeron's Agrona uses it).
 */
public final class Remote implements AutoCloseable {
    static final int LISTEN_STREAM = 0x6D70;
    static final int REPLY_STREAM = LISTEN_STREAM + 1;
    static final int DATA_STREAM = LISTEN_STREAM + 2;
    /** The name, before the pid, of a JVM's list of its connections in its media driver's directory. */
    static final String REGISTRY_PREFIX = "multiproc-connections-";
    /**
     * The local pipe between a connection's user and its pump threads: 1 MiB each way, so that
     * several large messages fit at once (with the pipe's default 128 KiB a 64 KiB message filled
     * it, and the user and the pump took turns, one message a hand-off).
     */
    static final PipeOptions CONNECTION_PIPE = PipeOptions.duplexPipe().withCapacityBytes(1 << 20);

    /** The Remotes users opened, by context, in the order they were opened; each leaves on close. */
    private static final java.util.Map<Multiproc, List<Remote>> OPENED = new java.util.concurrent.ConcurrentHashMap<>();

    private final Multiproc context;
    private final RemoteOptions options;
    private final boolean embedded;
    private final Aeron aeron;
    private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private Remote(Multiproc context, RemoteOptions options) {
        this.context = Objects.requireNonNull(context, "context");
        this.options = Objects.requireNonNull(options, "options");
        this.embedded = options.aeronDirectory() == null;
        String directory = embedded ? MediaDrivers.acquire(options.peerTimeout().toNanos()) : options.aeronDirectory();
        try {
            this.aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(directory));
        } catch (RuntimeException e) {
            if (embedded) {
                MediaDrivers.release();
            }
            throw e;
        }
    }

    /** Remote connections with the default options (no key, an embedded media driver). */
    public static Remote open(Multiproc context) {
        return open(context, RemoteOptions.defaults());
    }

    /**
     * Remote connections with {@code options}; while this is open, {@code context.listen} and
     * {@code context.connect} on Aeron channels use it (and so its options), the last opened first.
     */
    public static Remote open(Multiproc context, RemoteOptions options) {
        Remote remote = new Remote(context, options);
        OPENED.computeIfAbsent(context, any -> new CopyOnWriteArrayList<>()).add(remote);
        return remote;
    }

    /** A Remote that {@link #openedOn} does not find: a transport session's own. */
    static Remote openUnlisted(Multiproc context, RemoteOptions options) {
        return new Remote(context, options);
    }

    /** The Remote opened last on {@code context} and still open, if any. */
    static java.util.Optional<Remote> openedOn(Multiproc context) {
        List<Remote> opened = OPENED.getOrDefault(context, List.of());
        return opened.reversed().stream().filter(remote -> !remote.closed).findFirst();
    }

    /** The directory of the media driver this uses (the embedded one's, or the external one named). */
    public String aeronDirectory() {
        return aeron.context().aeronDirectoryName();
    }

    /** Listens on {@code channel} ({@code aeron:udp?endpoint=host:port}, the address clients connect to). */
    public <T> RemoteListener<T> listen(String channel, Codec<T> codec) {
        ensureOpen();
        RemoteListener<T> listener = new RemoteListener<>(this, channel, codec);
        open.add(listener);
        return listener;
    }

    /**
     * Admits clients on {@code channel} into {@code listener}, the local listener that
     * {@code mp.listen(channel, codec)} made; closing what this returns stops admitting.
     */
    AutoCloseable serve(String channel, RemoteTransport.LocalListener listener) {
        ensureOpen();
        // the core listener's connect makes the end acceptable at once: it is listed moments later
        Admissions admissions = new Admissions(this, channel, timeout -> new Admissions.LocalEnd(listener.connect(timeout), () -> { }));
        open.add(admissions);
        return () -> {
            open.remove(admissions);
            admissions.close();
        };
    }

    /**
     * Connects to the listener on {@code channel}.
     *
     * @throws ConnectionRefusedException if no listener answers within the connect timeout, or the
     *                                    keys do not match
     */
    public <T> Connection<T> connect(String channel, Codec<T> codec) {
        return connect(channel, codec, options.connectTimeout());
    }

    /** Connects as {@link #connect(String, Codec)} does, waiting at most {@code timeout} for the listener. */
    <T> Connection<T> connect(String channel, Codec<T> codec, java.time.Duration timeout) {
        ensureOpen();
        Objects.requireNonNull(codec, "codec");
        long deadline = System.nanoTime() + timeout.toNanos();
        InetSocketAddress listener = endpointOf(channel);
        String settings = ChannelSettings.toward(listener.getAddress(), channel);
        Subscription replies = aeron.addSubscription(udpChannel(localAddressToward(listener) + ":0") + settings, REPLY_STREAM);
        ExclusivePublication out = null;
        try {
            String replyChannel = udpChannel(endpointIn(await(channel, "its reply address to resolve", deadline, replies::tryResolveChannelEndpointPort)));
            out = aeron.addExclusivePublication(channel, LISTEN_STREAM);
            ExclusivePublication request = out;
            await(channel, "a listener to answer", deadline, () -> request.isConnected() ? "" : null);
            byte[] nonce = Frames.nonce();
            send(channel, out, Frames.hello(nonce, REPLY_STREAM, replyChannel));
            Image image = await(channel, "the listener's reply", deadline, () -> replies.imageCount() > 0 ? replies.imageAtIndex(0) : null);
            byte[] frame = receive(channel, image, deadline);
            byte[] key = options.authKey();
            if (frame[0] == Frames.CHALLENGE) {
                if (key == null) {
                    throw refused(channel, "the listener asks for an authentication key and none was given");
                }
                byte[] listenerProof = Frames.part(frame, 1, 1 + Frames.PROOF_BYTES);
                byte[] listenerNonce = Frames.part(frame, 1 + Frames.PROOF_BYTES, 1 + Frames.PROOF_BYTES + Frames.NONCE_BYTES);
                if (!Frames.proves(key, "listener", nonce, listenerProof)) {
                    throw refused(channel, "the listener could not prove it knows the authentication key");
                }
                send(channel, out, Frames.response(Frames.proof(key, "client", listenerNonce)));
                frame = receive(channel, image, deadline);
            } else if (frame[0] == Frames.WELCOME && key != null) {
                throw refused(channel, "the listener did not ask for the authentication key, so it cannot have proved it knows it");
            }
            if (frame[0] == Frames.REFUSED) {
                throw refused(channel, "the listener refused: " + Frames.text(frame));
            }
            if (frame[0] != Frames.WELCOME || frame.length < 2) {
                throw refused(channel, "the listener answered with a frame of kind " + frame[0] + ", not a welcome");
            }
            // the connection's messages go to a channel of its own, so that it outlives the listener
            ExclusivePublication data = aeron.addExclusivePublication(udpChannel(dataEndpoint(channel, Frames.text(frame))) + settings, DATA_STREAM);
            out.close();
            out = data;
            await(channel, "the connection's channel", deadline, () -> data.isConnected() ? "" : null);
            Pipe<T> pipe = context.pipe(codec, CONNECTION_PIPE);
            ExclusivePublication linked = data;
            Link link = new Link("to " + channel, out, image, pipe.second(), options.peerTimeout().toNanos(), () -> {
                linked.close();
                replies.close();
            });
            start(link);
            return pipe.first();
        } catch (RuntimeException e) {
            closeQuietly(out);
            closeQuietly(replies);
            throw e;
        }
    }

    /**
     * Serves {@code queue} to other hosts on {@code channel}: what their {@link #remoteQueue}s put
     * lands in it, in order, each at most once, a full queue holding them back; what they take
     * comes out of it, at least once.
     */
    public QueueExport exportQueue(dev.multiproc.SharedQueue<?> queue, String channel) {
        return new QueueExport(Objects.requireNonNull(queue, "queue"), listen(channel, Codec.bytes()));
    }

    /**
     * The queue another host exports on {@code channel}, to put into and take from; {@code codec}
     * is the one the exported queue was made with.
     *
     * @throws ConnectionRefusedException as {@link #connect}
     */
    public <T> RemoteQueue<T> remoteQueue(String channel, Codec<T> codec) {
        return new RemoteQueue<>(channel, codec, connect(channel, Codec.bytes()), () -> connect(channel, Codec.bytes()),
                options.peerTimeout());
    }

    /**
     * What {@code multiproc doctor} says about remote connections on this machine: whether this JVM
     * gives Aeron the export it needs, where embedded media drivers keep their directories, and
     * directories left by JVMs that are gone (the next embedded driver removes them).
     */
    public static List<dev.multiproc.PlatformCheck> checkPlatform() {
        List<dev.multiproc.PlatformCheck> checks = new java.util.ArrayList<>();
        boolean exported = Object.class.getModule().isExported("jdk.internal.misc", Remote.class.getModule());
        checks.add(exported
                ? dev.multiproc.PlatformCheck.ok("remote: Aeron's JDK access", "java.base exports jdk.internal.misc to multiproc-remote")
                : dev.multiproc.PlatformCheck.problem("remote: Aeron's JDK access", "jdk.internal.misc is not exported to multiproc-remote",
                "start the JVM with --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED (Aeron's Agrona needs it)"));
        checks.add(ChannelSettings.check());
        java.io.File base = MediaDrivers.base();
        checks.add(dev.multiproc.PlatformCheck.ok("remote: media driver", "embedded by default, directory under " + base + " ("
                + base.getUsableSpace() / (1 << 20) + " MiB free; about 6 MiB per connection and direction)"));
        List<MediaDrivers.DriverDirectory> drivers = MediaDrivers.directories();
        long left = drivers.stream().filter(driver -> !driver.active()).count();
        List<Long> running = drivers.stream().filter(MediaDrivers.DriverDirectory::active).map(MediaDrivers.DriverDirectory::pid).toList();
        String runningNow = running.isEmpty() ? "no embedded driver running" : "embedded drivers running in pids " + running;
        checks.add(left == 0
                ? dev.multiproc.PlatformCheck.ok("remote: driver directories", runningNow)
                : dev.multiproc.PlatformCheck.fallback("remote: driver directories", left + " left by JVMs that are gone; " + runningNow,
                        "the next embedded driver started here removes them"));
        return checks;
    }

    RemoteOptions options() {
        return options;
    }

    /** Starts a connection's pumps; {@link #close()} lets it finish closing. */
    void start(Link link) {
        links.removeIf(Link::isFinished);
        links.add(link);
        link.whenFinished(this::writeRegistry);
        link.start();
        writeRegistry();
    }

    /**
     * This JVM's live connections, for {@code multiproc ls}: a file in the media driver's
     * directory, {@value #REGISTRY_PREFIX}PID, one line a connection ({@code started-millis TAB
     * local-pipe TAB description}), replaced whole (written aside, then renamed) whenever one starts
     * or ends, removed on close; only with an embedded driver. It only informs: a failure to write
     * it leaves the connections alone.
     */
    private synchronized void writeRegistry() {
        if (!embedded) {
            // an external driver's directory is its owner's, and multiproc ls does not look there
            return;
        }
        Path registry = Path.of(aeronDirectory(), REGISTRY_PREFIX + ProcessHandle.current().pid());
        try {
            if (closed) {
                Files.deleteIfExists(registry);
                return;
            }
            StringBuilder lines = new StringBuilder();
            for (Link link : links) {
                if (!link.isFinished()) {
                    lines.append(link.startedMillis()).append('\t').append(link.pipeName()).append('\t').append(link.description()).append('\n');
                }
            }
            Path written = registry.resolveSibling(registry.getFileName() + ".tmp");
            Files.writeString(written, lines);
            Files.move(written, registry, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | UncheckedIOException e) {
            // the driver's directory went away (it is closing): nothing to list
        }
    }

    /**
     * The remote connections of every JVM on this machine whose embedded media driver runs, as
     * each registered them (external drivers' directories are not searched). A connection a
     * {@link RemoteListener} accepts is listed before {@code accept} returns it; one that
     * {@code mp.listen} accepts is listed once its pumps start, moments after.
     */
    public static List<RemoteConnectionInfo> listConnections() {
        List<RemoteConnectionInfo> found = new ArrayList<>();
        for (MediaDrivers.DriverDirectory driver : MediaDrivers.directories()) {
            boolean alive = ProcessHandle.of(driver.pid()).map(ProcessHandle::isAlive).orElse(false);
            Path registry = driver.directory().toPath().resolve(REGISTRY_PREFIX + driver.pid());
            if (!alive || !driver.active() || !Files.isRegularFile(registry)) {
                continue;
            }
            try {
                for (String line : Files.readAllLines(registry)) {
                    String[] fields = line.split("\t", 3);
                    if (fields.length == 3) {
                        found.add(new RemoteConnectionInfo(driver.pid(), fields[2], fields[1], Instant.ofEpochMilli(Long.parseLong(fields[0]))));
                    }
                }
            } catch (IOException | NumberFormatException unreadable) {
                // replaced or removed while we read it: its JVM's connections are changing
            }
        }
        return found;
    }

    Aeron aeron() {
        return aeron;
    }

    Multiproc context() {
        return context;
    }

    boolean isClosed() {
        return closed;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this Remote is closed");
        }
    }

    /**
     * Closes the connections — one whose end the user closed gets up to the peer timeout for the
     * peer to confirm it has everything; any other ends at once — then the listeners, the Aeron
     * client and (the last Remote of the JVM) the embedded media driver.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        OPENED.computeIfPresent(context, (any, opened) -> {
            opened.remove(this);
            return opened.isEmpty() ? null : opened;
        });
        long deadline = System.nanoTime() + options.peerTimeout().toNanos();
        boolean interrupted = false;
        boolean pumpsEnded = true;
        for (Link link : links) {
            while (true) {
                try {
                    pumpsEnded &= link.stop(java.time.Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        open.forEach(Remote::closeQuietly);
        writeRegistry();
        if (pumpsEnded) {
            aeron.close();
        } else {
            // a pump may still read Aeron's log: unmapping it would crash this JVM, so the client stays until exit
            System.getLogger(Remote.class.getName()).log(System.Logger.Level.WARNING,
                    "a remote connection's pump did not stop; its Aeron client stays open until this JVM exits");
        }
        if (embedded) {
            MediaDrivers.release();
        }
    }

    // ------------------------------------------------------------------ helpers shared with the listener

    static ConnectionRefusedException refused(String channel, String why) {
        return new ConnectionRefusedException(channel, "connection to " + channel + " refused: " + why);
    }

    /** Waits for {@code value} to give non-null, until {@code deadline}; refused if it does not. */
    static <V> V await(String channel, String what, long deadline, java.util.function.Supplier<V> value) {
        IdleStrategy idle = new BackoffIdleStrategy(10, 10, TimeUnit.MICROSECONDS.toNanos(10), TimeUnit.MILLISECONDS.toNanos(1));
        while (true) {
            V found = value.get();
            if (found != null) {
                return found;
            }
            if (System.nanoTime() - deadline > 0) {
                throw refused(channel, "timed out waiting for " + what);
            }
            idle.idle();
        }
    }

    /** Sends one handshake frame (a few bytes: it never waits long). */
    static void send(String channel, Publication publication, byte[] frame) {
        if (!Link.offer(publication, new UnsafeBuffer(frame), 0, frame.length, TimeUnit.SECONDS.toNanos(5), () -> false)) {
            throw refused(channel, "the peer went away during the handshake");
        }
    }

    /** The next frame from {@code image}, whole, until {@code deadline}. */
    static byte[] receive(String channel, Image image, long deadline) {
        byte[][] frame = new byte[1][];
        FragmentAssembler assembler = new FragmentAssembler((buffer, offset, length, header) -> {
            frame[0] = new byte[length];
            buffer.getBytes(offset, frame[0]);
        });
        BooleanSupplier arrived = () -> {
            image.poll(assembler, 1);
            return frame[0] != null || image.isClosed();
        };
        await(channel, "the peer's handshake", deadline, () -> arrived.getAsBoolean() ? Boolean.TRUE : null);
        if (frame[0] == null || frame[0].length == 0) {
            throw refused(channel, "the peer went away during the handshake");
        }
        return frame[0];
    }

    static void closeQuietly(AutoCloseable resource) {
        if (resource == null) {
            return;
        }
        try {
            resource.close();
        } catch (Exception e) {
            // closing what is already gone
        }
    }

    private static InetSocketAddress endpointOf(String channel) {
        return endpoint(endpointIn(channel));
    }

    /** The {@code host:port} of the data channel a listener's WELCOME names; refused if it names none. */
    private static String dataEndpoint(String channel, String welcomed) {
        try {
            return endpointIn(welcomed);
        } catch (IllegalArgumentException notAChannel) {
            throw refused(channel, "the listener's welcome names no data channel: " + welcomed);
        }
    }

    /** The {@code host:port} a channel names. */
    static String endpointIn(String channel) {
        String endpoint = ChannelUri.parse(channel).get(CommonContext.ENDPOINT_PARAM_NAME);
        if (endpoint == null) {
            throw new IllegalArgumentException("a remote channel names an endpoint (aeron:udp?endpoint=host:port): " + channel);
        }
        return endpoint;
    }

    /** The plain UDP channel of {@code host:port}; a connection's own channels append {@link ChannelSettings}. */
    static String udpChannel(String endpoint) {
        return "aeron:udp?endpoint=" + endpoint;
    }

    /** {@code host:port} (an IPv6 host in brackets or not) as an address. */
    static InetSocketAddress endpoint(String hostAndPort) {
        int colon = hostAndPort.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("not host:port: " + hostAndPort);
        }
        String host = hostAndPort.substring(0, colon).replace("[", "").replace("]", "");
        return new InetSocketAddress(host, Integer.parseInt(hostAndPort.substring(colon + 1)));
    }

    /** This host's address on the route to {@code peer}: where the peer can send back. */
    static String localAddressToward(InetSocketAddress peer) {
        try (DatagramSocket probe = new DatagramSocket()) {
            probe.connect(peer);
            InetAddress local = probe.getLocalAddress();
            String host = local.getHostAddress();
            return local instanceof Inet6Address ? "[" + host + "]" : host;
        } catch (IOException e) {
            throw new UncheckedIOException("no route to " + peer + ": " + e.getMessage(), e);
        }
    }
}
