package dev.multiproc;

import dev.multiproc.codec.Codec;
import dev.multiproc.internal.MultiprocLog;
import dev.multiproc.internal.admin.GarbageCollector;
import dev.multiproc.internal.admin.ObjectInspector;
import dev.multiproc.internal.admin.ObjectNames;
import dev.multiproc.internal.objects.ApiFailures;
import dev.multiproc.internal.objects.Attachment;
import dev.multiproc.internal.objects.Blueprint;
import dev.multiproc.internal.objects.Blueprints;
import dev.multiproc.internal.objects.NamedObjects;
import dev.multiproc.internal.process.ChildCommand;
import dev.multiproc.internal.process.ProcessLauncher;
import dev.multiproc.internal.process.StartupCacheDirectory;
import dev.multiproc.internal.shm.ProtocolFailures;
import dev.multiproc.internal.shm.condition.ConditionState;
import dev.multiproc.internal.shm.header.ObjectHeader;
import dev.multiproc.internal.shm.header.ObjectHeaderLayout;
import dev.multiproc.internal.shm.header.ObjectKind;
import dev.multiproc.internal.shm.queue.QueueLayout;
import dev.multiproc.internal.shm.ring.RingLayout;
import dev.multiproc.internal.transport.RemoteSessions;
import dev.multiproc.transport.RemoteTransport;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NativePlatform;
import dev.multiproc.spi.Platforms;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A multiprocessing context: the factory of every shared object and child process, and the
 * owner of what it creates. Python's {@code multiprocessing} module-level functions map to the
 * {@linkplain #context() default context}; {@link #create()} gives an isolated one.
 *
 * <p>Each context has a random id that prefixes the names it generates
 * ({@code mp-<id>-<kind>-<n>}). Closing the context (or the JVM exiting) terminates its daemon
 * children and removes every name it created. If the JVM is killed first, the names stay
 * behind until {@link #collectGarbage()} (which every context runs when it starts and when it
 * closes, and which {@code multiproc gc} calls) finds that their creator is dead.
 */
public final class Multiproc implements AutoCloseable {
    private static final Set<Multiproc> OPEN = ConcurrentHashMap.newKeySet();
    private static final Object DEFAULT_LOCK = new Object();
    private static volatile Multiproc defaultContext;

    static {
        // before any object is opened: every path to one goes through this class
        ProtocolFailures.install(new ApiFailures());
        Runtime.getRuntime().addShutdownHook(new Thread(Multiproc::closeAllAtExit, "multiproc-exit"));
    }

    private final NativePlatform platform;
    private final boolean isDefault;
    private final AtomicLong nextNumber = new AtomicLong();
    /** Names this context made and has not retired, oldest first; guarded by itself. */
    private final Set<String> createdNames = new LinkedHashSet<>();
    /** The open handles of this context (their closing parts, which never refer to the handles). */
    private final Set<SharedObject.HandleState> handles = ConcurrentHashMap.newKeySet();
    /**
     * The handles that created objects, kept reachable so that only {@link #close()} retires what
     * the context made (a handle received from elsewhere may be collected once unreferenced). By
     * identity: a handle may define equals (a map is equal to any map with its entries).
     */
    private final Set<SharedObject> creators = java.util.Collections.synchronizedSet(
            java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
    private final ProcessLauncher launcher;
    /** The remote transports this context has used (addresses with a ':'). */
    private final RemoteSessions remoteSessions = new RemoteSessions();
    private final Set<ProcessPool> pools = ConcurrentHashMap.newKeySet();
    private volatile String id;
    private MappedRegion marker;
    private volatile boolean closed;

    private Multiproc(NativePlatform platform, boolean isDefault) {
        this.platform = platform;
        this.isDefault = isDefault;
        this.launcher = new ProcessLauncher(new ProcessLauncher.Bootstraps() {
            @Override
            public MappedRegion create(long bodySize) {
                return createObject(ObjectKind.PROCESS, bodySize);
            }

            @Override
            public void remove(String name) {
                unlinkCreated(name);
            }

            @Override
            public boolean closed() {
                return isClosed();
            }
        }, platform);
        OPEN.add(this);
    }

    /**
     * The process-wide default context, created on first use and closed at JVM exit. Shared
     * objects that arrive from another process attach through it.
     */
    public static Multiproc context() {
        Multiproc current = defaultContext;
        if (current == null || current.closed) {
            synchronized (DEFAULT_LOCK) {
                current = defaultContext;
                if (current == null || current.closed) {
                    current = new Multiproc(Platforms.current(), true);
                    defaultContext = current;
                }
            }
        }
        return current;
    }

    /** A new isolated context with its own name prefix; close it to remove what it created. */
    public static Multiproc create() {
        return new Multiproc(Platforms.current(), false);
    }

    /** The number of processors available to this JVM [os.cpu_count]. */
    public static int cpuCount() {
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * Removes the shared objects of every context on this machine whose creating process is
     * dead, and returns their names. Live processes' objects and names that multiproc did not
     * generate are never touched.
     */
    public static List<String> collectGarbage() {
        return GarbageCollector.collect(Platforms.current(), false);
    }

    /** The names {@link #collectGarbage()} would remove now, without removing them. */
    public static List<String> findGarbage() {
        return GarbageCollector.collect(Platforms.current(), true);
    }

    /** Every multiproc object on this machine, with its kind, creator and live state (for {@code multiproc ls}). */
    public static List<SharedObjectInfo> listObjects() {
        return ObjectInspector.list(Platforms.current());
    }

    /** The JDK multiproc needs: the Foreign Function & Memory API as final. */
    private static final int MIN_JDK = 22;

    /**
     * The facts about this machine that decide how multiproc runs on it — JDK, native access,
     * kernel, C library, optional system calls and the fallbacks in use, shared-memory space, the
     * child start-up cache, the children's collector — each OK, or what to do ({@code multiproc doctor}).
     */
    public static List<PlatformCheck> checkPlatform() {
        List<PlatformCheck> checks = new ArrayList<>();
        int jdk = Runtime.version().feature();
        checks.add(jdk >= MIN_JDK ? PlatformCheck.ok("JDK", System.getProperty("java.vm.name") + " " + Runtime.version())
                : PlatformCheck.problem("JDK", Runtime.version().toString(), "multiproc needs JDK " + MIN_JDK + " or later"));
        try {
            NativePlatform current = Platforms.current();
            Module calling = current.getClass().getModule();
            checks.add(calling.isNativeAccessEnabled() ? PlatformCheck.ok("native access", "enabled for " + calling)
                    : PlatformCheck.problem("native access", "not enabled for " + calling,
                    "start the JVM with --enable-native-access=ALL-UNNAMED (class path) or =dev.multiproc.posix (module path), "
                            + "or put Enable-Native-Access: ALL-UNNAMED in the jar's manifest"));
            checks.addAll(current.checks());
        } catch (RuntimeException | LinkageError unusable) {
            checks.add(PlatformCheck.problem("platform", "no usable multiproc platform: " + unusable,
                    "multiproc runs on Linux (native-posix) and Windows (native-windows): put the module for this OS on the class path"));
        }
        checks.add(StartupCacheDirectory.check());
        checks.add(ChildCommand.collectorCheck());
        return checks;
    }

    /** The random id in the names this context generates; assigned when it first creates something. */
    public String id() {
        materialise();
        return id;
    }

    NativePlatform platform() {
        return platform;
    }

    // ------------------------------------------------------------------ processes

    /** A child JVM that will run {@code target} once {@linkplain JvmProcess#start() started}. */
    public JvmProcess process(SerializableRunnable target) {
        ensureOpen();
        return new JvmProcess(this, target);
    }

    /** The children started through this context that are still running; finished ones are reaped. */
    public List<JvmProcess> activeChildren() {
        return launcher.activeChildren();
    }

    /**
     * Keeps {@code count} spare JVMs booted and waiting, so that {@link JvmProcess#start()}
     * hands its target to one of them (a few milliseconds) instead of booting a JVM; each spare
     * taken is replaced in the background. Spares belong to this context, are never listed as
     * children, and are retired when it closes (or killed with this JVM). 0 retires them all.
     */
    public void prestartProcesses(int count) {
        ensureOpen();
        launcher.prestart(count);
    }

    /**
     * Prepares the start-up cache of child JVMs (an AOT or class-data-sharing archive, built once
     * per JDK and class path by a short training child in the background): builds it now if it is
     * missing and waits for it, at most {@code timeout}. Benchmarks call this so that no child
     * boots while the training JVM takes a core.
     *
     * @return whether children start with the cache from now on
     */
    public static boolean awaitChildStartupCache(java.time.Duration timeout) throws InterruptedException {
        return ChildCommand.awaitArchive(timeout);
    }

    /**
     * {@link #awaitChildStartupCache(java.time.Duration)} for children started with {@code
     * jvmOptions} of their own ({@link JvmProcess#setJvmOptions}, {@link PoolOptions#withJvmOptions}).
     * Options with which the JVM would refuse the common cache — module options such as {@code
     * --add-opens}, another object layout such as {@code -XX:+UseZGC} — get a cache of their own,
     * also trained on first use; until it is ready such children start with the JDK's default one.
     *
     * @return whether children with those options start with a cache from now on
     */
    public static boolean awaitChildStartupCache(java.time.Duration timeout, List<String> jvmOptions) throws InterruptedException {
        return ChildCommand.awaitArchive(timeout, List.copyOf(jvmOptions));
    }

    /** How many spare JVMs have booted and wait for a target now. */
    public int readySpareProcesses() {
        return launcher.readySpares();
    }

    dev.multiproc.spi.ChildProcess launch(JvmProcess process, List<String> commandPrefix, List<String> jvmOptions, byte[] payload) {
        ensureOpen();
        return launcher.launch(process, commandPrefix, jvmOptions, payload);
    }

    // ------------------------------------------------------------------ pools

    /** A pool of {@code workers} worker JVMs [Pool(processes)]. */
    public ProcessPool pool(int workers) {
        return pool(PoolOptions.of(workers));
    }

    /** A pool as {@code options} says [Pool(processes, initializer, maxtasksperchild)]. */
    public ProcessPool pool(PoolOptions options) {
        ensureOpen();
        ProcessPool pool = new ProcessPool(this, java.util.Objects.requireNonNull(options, "options"));
        pools.add(pool);
        return pool;
    }

    // ------------------------------------------------------------------ shared memory

    /** A new zero-filled block of {@code size} bytes with a generated name. */
    public SharedMemory sharedMemory(long size) {
        return new SharedMemory(this, newObject(Blueprints.sharedMemory(size)), true);
    }

    /**
     * A new zero-filled block of {@code size} bytes whose OS name is exactly {@code name}
     * (Python's {@code SharedMemory(name, create=True)}); removed when this context closes, or by
     * {@link SharedMemory#unlink()}. For a block independent processes open and that outlives its
     * maker, see {@link #openSharedMemory}.
     *
     * @throws SharedObjectExistsException if the name is taken
     * @throws IllegalArgumentException    if the name is empty, contains '/' or is too long for the OS
     */
    public SharedMemory sharedMemory(String name, long size) {
        Blueprint blueprint = Blueprints.sharedMemory(size);
        ObjectNames.checkUserName(name, platform.maxNameLength());
        ensureOpen();
        MappedRegion region = ObjectHeader.create(platform, name, ObjectKind.SHARED_MEMORY, blueprint.bodySize());
        registerCreated(name);
        return new SharedMemory(this, publishCreated(region, blueprint), true);
    }

    SharedMemory attachSharedMemory(String name) {
        ObjectNames.checkUserName(name, platform.maxNameLength());
        return new SharedMemory(this, Attachment.open(platform, name, ObjectKind.SHARED_MEMORY), false);
    }

    // ------------------------------------------------------------------ synchronisation

    /** A new lock shared by processes [Lock]: not reentrant; any holder may unlock. */
    public SharedLock lock() {
        return new SharedLock(this, newObject(Blueprints.plain(ObjectKind.LOCK)), true);
    }

    /** A new reentrant lock shared by processes [RLock]. */
    public SharedReentrantLock reentrantLock() {
        return new SharedReentrantLock(this, newObject(Blueprints.plain(ObjectKind.REENTRANT_LOCK)), true);
    }

    SharedCondition condition(AbstractSharedLock lock) {
        return new SharedCondition(this, newObject(Blueprints.condition(platform, lock.kind(), lock.name())), true, lock);
    }

    /**
     * A new semaphore with {@code permits} free permits [Semaphore].
     *
     * @throws IllegalArgumentException if {@code permits} is negative
     */
    public SharedSemaphore semaphore(int permits) {
        return new SharedSemaphore(this, newObject(Blueprints.semaphore(platform, permits, false)), true);
    }

    /**
     * A new semaphore that refuses releases above {@code permits} [BoundedSemaphore]; it gives
     * back the permits of processes that died holding them.
     *
     * @throws IllegalArgumentException if {@code permits} is not positive
     */
    public SharedSemaphore boundedSemaphore(int permits) {
        return new SharedSemaphore(this, newObject(Blueprints.semaphore(platform, permits, true)), true);
    }

    /** A new event, not set [Event]. */
    public SharedEvent event() {
        return new SharedEvent(this, newObject(Blueprints.plain(ObjectKind.EVENT)), true);
    }

    /**
     * A new barrier for {@code parties} threads of any processes [Barrier].
     *
     * @throws IllegalArgumentException if {@code parties} is not positive
     */
    public SharedBarrier barrier(int parties) {
        return new SharedBarrier(this, newObject(Blueprints.barrier(platform, parties)), true);
    }

    // ------------------------------------------------------------------ shared values

    /** A long shared by processes, starting at {@code initial} [Value('q')]. */
    public SharedLong sharedLong(long initial) {
        return new SharedLong(this, newObject(Blueprints.values(ObjectKind.LONG_VALUES, 1, initial)), true);
    }

    /** A double shared by processes, starting at {@code initial} [Value('d')]. */
    public SharedDouble sharedDouble(double initial) {
        return new SharedDouble(this, newObject(Blueprints.values(ObjectKind.DOUBLE_VALUES, 1, Double.doubleToRawLongBits(initial))), true);
    }

    /** {@code length} longs shared by processes, all 0 [Array('q', n)]. */
    public SharedLongArray sharedLongArray(int length) {
        return new SharedLongArray(this, newObject(Blueprints.values(ObjectKind.LONG_VALUES, length, 0L)), true);
    }

    /** {@code length} doubles shared by processes, all 0.0 [Array('d', n)]. */
    public SharedDoubleArray sharedDoubleArray(int length) {
        return new SharedDoubleArray(this, newObject(Blueprints.values(ObjectKind.DOUBLE_VALUES, length, Double.doubleToRawLongBits(0.0))), true);
    }

    // ------------------------------------------------------------------ shared map and list

    /** A map shared by processes, made for at most {@code maxEntries} entries [Manager().dict()]. */
    public <K, V> SharedMap<K, V> map(Codec<K> keyCodec, Codec<V> valueCodec, int maxEntries) {
        return map(keyCodec, valueCodec, MapOptions.of(maxEntries));
    }

    /** A map shared by processes, sized by {@code options} (entries, average key and value sizes, stripes). */
    public <K, V> SharedMap<K, V> map(Codec<K> keyCodec, Codec<V> valueCodec, MapOptions options) {
        return new SharedMap<>(this, newObject(Blueprints.map(platform, options).withCodecs(keyCodec, valueCodec)), true, keyCodec, valueCodec);
    }

    /** Default most elements of {@link #list(Codec)}. */
    public static final int DEFAULT_LIST_ELEMENTS = 65_536;

    /** A list shared by processes, of at most {@value #DEFAULT_LIST_ELEMENTS} elements [Manager().list()]. */
    public <E> SharedList<E> list(Codec<E> codec) {
        return list(codec, DEFAULT_LIST_ELEMENTS);
    }

    /** A list shared by processes, of at most {@code maxElements} elements of about 64 bytes encoded. */
    public <E> SharedList<E> list(Codec<E> codec, int maxElements) {
        java.util.Objects.requireNonNull(codec, "codec");
        return new SharedList<>(this, newObject(Blueprints.list(platform, maxElements).withCodecs(codec, null)), true, codec);
    }

    // ------------------------------------------------------------------ queues

    /** A queue of {@value QueueLayout#DEFAULT_CAPACITY} messages [Queue()]. */
    public <E> SharedQueue<E> queue(Codec<E> codec) {
        return queue(codec, QueueLayout.DEFAULT_CAPACITY);
    }

    /** A queue of at most {@code capacity} messages [Queue(maxsize)]. */
    public <E> SharedQueue<E> queue(Codec<E> codec, int capacity) {
        return queue(codec, QueueOptions.of(capacity));
    }

    /**
     * A queue of at most {@code capacity} messages whose slots hold {@code slotBytes} of encoded
     * message (at least {@value QueueLayout#MIN_SLOT_DATA}); bigger messages spill into their
     * own shared-memory object. Memory: about {@code capacity * (slotBytes + 16)} bytes.
     */
    public <E> SharedQueue<E> queue(Codec<E> codec, int capacity, int slotBytes) {
        return queue(codec, QueueOptions.of(capacity).withSlotBytes(slotBytes));
    }

    /** A queue as {@code options} says: capacity, slot size, largest message, wait strategy, mode. */
    public <E> SharedQueue<E> queue(Codec<E> codec, QueueOptions options) {
        java.util.Objects.requireNonNull(codec, "codec");
        return configured(new SharedQueue<>(this, newObject(Blueprints.queue(platform, options, false).withCodecs(codec, null)), true, codec),
                options);
    }

    private static <Q extends SharedQueue<?>> Q configured(Q queue, QueueOptions options) {
        queue.setWaitStrategy(options.waitStrategy());
        return queue;
    }

    /** A joinable queue of {@value QueueLayout#DEFAULT_CAPACITY} messages [JoinableQueue()]. */
    public <E> JoinableQueue<E> joinableQueue(Codec<E> codec) {
        return joinableQueue(codec, QueueLayout.DEFAULT_CAPACITY);
    }

    /** A joinable queue of at most {@code capacity} messages [JoinableQueue(maxsize)]. */
    public <E> JoinableQueue<E> joinableQueue(Codec<E> codec, int capacity) {
        return joinableQueue(codec, QueueOptions.of(capacity));
    }

    /** A joinable queue with {@code slotBytes} per slot (see {@link #queue(Codec, int, int)}). */
    public <E> JoinableQueue<E> joinableQueue(Codec<E> codec, int capacity, int slotBytes) {
        return joinableQueue(codec, QueueOptions.of(capacity).withSlotBytes(slotBytes));
    }

    /** A joinable queue as {@code options} says. */
    public <E> JoinableQueue<E> joinableQueue(Codec<E> codec, QueueOptions options) {
        java.util.Objects.requireNonNull(codec, "codec");
        return configured(new JoinableQueue<>(this, newObject(Blueprints.queue(platform, options, true).withCodecs(codec, null)), true, codec),
                options);
    }

    // ------------------------------------------------------------------ pipes

    /** Bytes of ring per direction unless given: room for bursts without holding much memory. */
    public static final int DEFAULT_PIPE_CAPACITY = PipeOptions.DEFAULT_CAPACITY_BYTES;

    /** A duplex pipe [Pipe()]: both ends send and receive. */
    public <E> Pipe<E> pipe(Codec<E> codec) {
        return pipe(codec, PipeOptions.duplexPipe());
    }

    /** A pipe; one-way when {@code duplex} is false: {@code first()} receives, {@code second()} sends [Pipe(duplex)]. */
    public <E> Pipe<E> pipe(Codec<E> codec, boolean duplex) {
        return pipe(codec, duplex ? PipeOptions.duplexPipe() : PipeOptions.oneWay());
    }

    /**
     * A pipe with {@code capacityBytes} of ring per direction (rounded up to a power of two, at
     * least 4 KiB); messages of any size pass, bigger ones in pieces.
     */
    public <E> Pipe<E> pipe(Codec<E> codec, boolean duplex, int capacityBytes) {
        return pipe(codec, (duplex ? PipeOptions.duplexPipe() : PipeOptions.oneWay()).withCapacityBytes(capacityBytes));
    }

    /** A pipe as {@code options} says: duplex or one-way, ring size, largest message. */
    public <E> Pipe<E> pipe(Codec<E> codec, PipeOptions options) {
        java.util.Objects.requireNonNull(codec, "codec");
        Attachment first = newObject(Blueprints.pipe(options));
        Attachment second = Attachment.open(platform, first.name(), ObjectKind.PIPE);
        return new Pipe<>(new Connection<>(this, first, true, 0, codec), new Connection<>(this, second, true, 1, codec));
    }

    // ------------------------------------------------------------------ named objects

    /**
     * The queue named {@code name}, made now with room for {@value QueueLayout#DEFAULT_CAPACITY}
     * messages if no process has made it yet. Any process on this machine opens the same queue by
     * the same name; it stays until {@link #unlink}.
     *
     * @throws IllegalArgumentException          if the name is not 1 to 200 of {@code A-Z a-z 0-9 . _ -}
     * @throws IncompatibleSharedObjectException naming both, if the name holds another kind or another shape of queue, or
     *                                           a queue whose messages another codec encodes
     */
    public <E> SharedQueue<E> openQueue(String name, Codec<E> codec) {
        return openQueue(name, codec, QueueLayout.DEFAULT_CAPACITY);
    }

    /** The queue named {@code name}, of {@code capacity} messages (see {@link #openQueue(String, Codec)}). */
    public <E> SharedQueue<E> openQueue(String name, Codec<E> codec, int capacity) {
        return openQueue(name, codec, QueueOptions.of(capacity));
    }

    /** The queue named {@code name}, as {@code options} says (see {@link #openQueue(String, Codec)}). */
    public <E> SharedQueue<E> openQueue(String name, Codec<E> codec, QueueOptions options) {
        java.util.Objects.requireNonNull(codec, "codec");
        return configured(new SharedQueue<>(this, openNamed(name, Blueprints.queue(platform, options, false).withCodecs(codec, null)), false, codec),
                options);
    }

    /** The joinable queue named {@code name} (see {@link #openQueue(String, Codec)}). */
    public <E> JoinableQueue<E> openJoinableQueue(String name, Codec<E> codec) {
        return openJoinableQueue(name, codec, QueueLayout.DEFAULT_CAPACITY);
    }

    /** The joinable queue named {@code name}, of {@code capacity} messages. */
    public <E> JoinableQueue<E> openJoinableQueue(String name, Codec<E> codec, int capacity) {
        return openJoinableQueue(name, codec, QueueOptions.of(capacity));
    }

    /** The joinable queue named {@code name}, as {@code options} says. */
    public <E> JoinableQueue<E> openJoinableQueue(String name, Codec<E> codec, QueueOptions options) {
        java.util.Objects.requireNonNull(codec, "codec");
        return configured(new JoinableQueue<>(this, openNamed(name, Blueprints.queue(platform, options, true).withCodecs(codec, null)), false, codec),
                options);
    }

    /** The map named {@code name}, made for {@code maxEntries} entries if nobody has made it yet. */
    public <K, V> SharedMap<K, V> openMap(String name, Codec<K> keyCodec, Codec<V> valueCodec, int maxEntries) {
        return openMap(name, keyCodec, valueCodec, MapOptions.of(maxEntries));
    }

    /** The map named {@code name}, sized by {@code options} if nobody has made it yet (the sizes must match if someone has). */
    public <K, V> SharedMap<K, V> openMap(String name, Codec<K> keyCodec, Codec<V> valueCodec, MapOptions options) {
        java.util.Objects.requireNonNull(keyCodec, "keyCodec");
        java.util.Objects.requireNonNull(valueCodec, "valueCodec");
        return new SharedMap<>(this, openNamed(name, Blueprints.map(platform, options).withCodecs(keyCodec, valueCodec)), false,
                keyCodec, valueCodec);
    }

    /** The list named {@code name}, of at most {@value #DEFAULT_LIST_ELEMENTS} elements. */
    public <E> SharedList<E> openList(String name, Codec<E> codec) {
        return openList(name, codec, DEFAULT_LIST_ELEMENTS);
    }

    /** The list named {@code name}, of at most {@code maxElements} elements. */
    public <E> SharedList<E> openList(String name, Codec<E> codec, int maxElements) {
        java.util.Objects.requireNonNull(codec, "codec");
        return new SharedList<>(this, openNamed(name, Blueprints.list(platform, maxElements).withCodecs(codec, null)), false, codec);
    }

    /** The lock named {@code name}. */
    public SharedLock openLock(String name) {
        return new SharedLock(this, openNamed(name, Blueprints.plain(ObjectKind.LOCK)), false);
    }

    /** The reentrant lock named {@code name}. */
    public SharedReentrantLock openReentrantLock(String name) {
        return new SharedReentrantLock(this, openNamed(name, Blueprints.plain(ObjectKind.REENTRANT_LOCK)), false);
    }

    /** The semaphore named {@code name}, made with {@code permits} permits (one made with others is refused). */
    public SharedSemaphore openSemaphore(String name, int permits) {
        return new SharedSemaphore(this, openNamed(name, Blueprints.semaphore(platform, permits, false)), false);
    }

    /** The bounded semaphore named {@code name}, of {@code permits} permits. */
    public SharedSemaphore openBoundedSemaphore(String name, int permits) {
        return new SharedSemaphore(this, openNamed(name, Blueprints.semaphore(platform, permits, true)), false);
    }

    /** The event named {@code name}. */
    public SharedEvent openEvent(String name) {
        return new SharedEvent(this, openNamed(name, Blueprints.plain(ObjectKind.EVENT)), false);
    }

    /** The barrier named {@code name}, for {@code parties} parties. */
    public SharedBarrier openBarrier(String name, int parties) {
        return new SharedBarrier(this, openNamed(name, Blueprints.barrier(platform, parties)), false);
    }

    /** The shared long named {@code name}; {@code initial} is its value if this call makes it. */
    public SharedLong openSharedLong(String name, long initial) {
        return new SharedLong(this, openNamed(name, Blueprints.values(ObjectKind.LONG_VALUES, 1, initial)), false);
    }

    /** The shared double named {@code name}; {@code initial} is its value if this call makes it. */
    public SharedDouble openSharedDouble(String name, double initial) {
        return new SharedDouble(this, openNamed(name, Blueprints.values(ObjectKind.DOUBLE_VALUES, 1, Double.doubleToRawLongBits(initial))), false);
    }

    /** The array of {@code length} shared longs named {@code name} (all 0 if this call makes it). */
    public SharedLongArray openSharedLongArray(String name, int length) {
        return new SharedLongArray(this, openNamed(name, Blueprints.values(ObjectKind.LONG_VALUES, length, 0L)), false);
    }

    /** The array of {@code length} shared doubles named {@code name} (all 0.0 if this call makes it). */
    public SharedDoubleArray openSharedDoubleArray(String name, int length) {
        return new SharedDoubleArray(this, openNamed(name, Blueprints.values(ObjectKind.DOUBLE_VALUES, length,
                Double.doubleToRawLongBits(0.0))), false);
    }

    /** The block of {@code size} bytes of shared memory named {@code name} (zero-filled if this call makes it). */
    public SharedMemory openSharedMemory(String name, long size) {
        return new SharedMemory(this, openNamed(name, Blueprints.sharedMemory(size)), false);
    }

    /**
     * Removes the named object {@code name}, of any kind: processes that have it open keep using
     * it, and the next {@code open...} of the name makes a new one.
     *
     * @return false if there was no such name
     */
    public boolean unlink(String name) {
        return platform.unlinkRegion(ObjectNames.named(name));
    }

    private Attachment openNamed(String name, Blueprint blueprint) {
        ensureOpen();
        return NamedObjects.openOrCreate(platform, name, blueprint);
    }

    // ------------------------------------------------------------------ connections between processes

    /**
     * Listens on {@code name} for connections from other processes [connection.Listener]: each
     * {@link #connect} gets a duplex connection of its own, with rings of
     * {@value PipeOptions#DEFAULT_CAPACITY_BYTES} bytes. A name with a {@code ':'} is an address
     * on the network for the remote transport that takes it ({@code aeron:udp?endpoint=host:port}
     * with {@code multiproc-remote} on the path): clients on other hosts connect there, and
     * {@link Listener#accept()} hands their connections over as it does local ones.
     *
     * @throws IllegalArgumentException    if the name is an address no transport on the path takes
     * @throws SharedObjectExistsException if a live process listens on the name
     */
    public <E> Listener<E> listen(String name, Codec<E> codec) {
        return listen(name, codec, PipeOptions.duplexPipe());
    }

    /** Listens on {@code name}; every connection's pipe is made as {@code options} says (duplex). */
    public <E> Listener<E> listen(String name, Codec<E> codec, PipeOptions options) {
        if (!options.duplex()) {
            throw new IllegalArgumentException("connections are duplex: listen with PipeOptions.duplexPipe()");
        }
        PipeOptions pipes = options.withCapacityBytes(RingLayout.capacityFor(options.capacityBytes()));
        if (RemoteSessions.isRemoteAddress(name)) {
            return listenRemotely(name, codec, pipes);
        }
        Attachment attachment = openNamed(name, Blueprints.listener(platform));
        return new Listener<>(this, attachment, name, codec, pipes);
    }

    /** A listener under a generated name that the transport of {@code address} connects its clients to. */
    private <E> Listener<E> listenRemotely(String address, Codec<E> codec, PipeOptions pipes) {
        RemoteTransport.Session session = remoteSessions.sessionFor(this, address);
        Listener<E> listener = new Listener<>(this, newObject(Blueprints.listener(platform)), address, codec, pipes);
        String osName = listener.name();
        try {
            listener.stopOnClose(session.serve(address, timeout -> Listener.connect(this, address, osName, Codec.bytes(), timeout)));
        } catch (RuntimeException e) {
            listener.close();
            throw e;
        }
        return listener;
    }

    /**
     * Connects to the process listening on {@code name} [connection.Client]: returns once it has
     * accepted, this end of a duplex connection of its own. A name with a {@code ':'} is a
     * listener's network address ({@code aeron:udp?endpoint=host:port}, see {@link #listen}).
     *
     * @throws ConnectionRefusedException if nobody listens on the name, or its listener closes or ends first
     */
    public <E> Connection<E> connect(String name, Codec<E> codec) throws InterruptedException {
        return connect(name, codec, null);
    }

    /**
     * Connects as {@link #connect(String, Codec)} does, waiting at most {@code timeout} (null:
     * forever) for the listener to accept.
     *
     * @throws ConnectionRefusedException also when the listener has not accepted within {@code timeout}
     */
    public <E> Connection<E> connect(String name, Codec<E> codec, java.time.Duration timeout) throws InterruptedException {
        ensureOpen();
        if (RemoteSessions.isRemoteAddress(name)) {
            return remoteSessions.sessionFor(this, name).connect(name, codec, timeout);
        }
        return Listener.connect(this, name, ObjectNames.named(name), codec, timeout);
    }

    /** Creates an object with a generated name from {@code blueprint}, publishes it, and attaches this process to it. */
    Attachment newObject(Blueprint blueprint) {
        return publishCreated(createObject(blueprint.kind(), blueprint.bodySize()), blueprint);
    }

    /** Writes and publishes an object this context has just created; its name is forgotten if that fails. */
    private Attachment publishCreated(MappedRegion region, Blueprint blueprint) {
        try {
            return blueprint.publish(platform, region);
        } catch (RuntimeException e) {
            forgetCreated(region.name());
            throw e;
        }
    }

    // ------------------------------------------------------------------ attaching by reference

    /** Re-attaches a shared object that arrived serialised from another process. */
    Object attach(SharedObjectReference reference) {
        return attach(reference, reference.extra() instanceof Codec<?> codec ? codec : null);
    }

    /** Attaches the object a reference names; {@code codec} for the kinds that carry messages. */
    Object attach(SharedObjectReference reference, Codec<?> codec) {
        ObjectKind kind = ObjectKind.ofCode(reference.kindCode());
        if (kind == null) {
            throw new IncompatibleSharedObjectException(reference.name(), "'" + reference.name()
                    + "' arrived as a kind of shared object this build does not know (" + reference.kindCode() + ")");
        }
        String name = reference.name();
        return switch (kind) {
            case SHARED_MEMORY -> attachSharedMemory(name);
            case CONDITION -> attachCondition(name);
            case PIPE -> attachConnection(name, reference.detail(), codec);
            case LOCK, REENTRANT_LOCK, SEMAPHORE, EVENT, BARRIER, QUEUE, MAP, LIST, LONG_VALUES, DOUBLE_VALUES ->
                    withAttachment(name, kind, attachment -> handle(attachment, reference, codec));
            default -> throw new IncompatibleSharedObjectException(reference.name(),
                    "'" + reference.name() + "' is a " + kind.label() + ", which cannot travel to another process");
        };
    }

    /** A new handle on an attachment of one of the plain kinds. */
    @SuppressWarnings("unchecked")
    private Object handle(Attachment attachment, SharedObjectReference reference, Codec<?> codec) {
        return switch (attachment.kind) {
            case LOCK -> new SharedLock(this, attachment, false);
            case REENTRANT_LOCK -> new SharedReentrantLock(this, attachment, false);
            case SEMAPHORE -> new SharedSemaphore(this, attachment, false);
            case EVENT -> new SharedEvent(this, attachment, false);
            case BARRIER -> new SharedBarrier(this, attachment, false);
            case QUEUE -> attachment.shared(SharedQueue.QueueShared.class, SharedQueue.QueueShared::new).slots.joinable()
                    ? new JoinableQueue<>(this, attachment, false, codec) : new SharedQueue<>(this, attachment, false, codec);
            case MAP -> {
                SharedMap.Codecs codecs = (SharedMap.Codecs) reference.extra();
                yield new SharedMap<>(this, attachment, false, (Codec<Object>) codecs.keys(), (Codec<Object>) codecs.values());
            }
            case LIST -> new SharedList<>(this, attachment, false, codec);
            case LONG_VALUES -> reference.detail() == 1 ? new SharedLongArray(this, attachment, false) : new SharedLong(this, attachment, false);
            case DOUBLE_VALUES -> reference.detail() == 1 ? new SharedDoubleArray(this, attachment, false)
                    : new SharedDouble(this, attachment, false);
            default -> throw new IllegalStateException("no plain handle for " + attachment.kind);
        };
    }

    /** Runs {@code make} on a new attachment handle of {@code name}, giving the handle back if it fails. */
    private <T> T withAttachment(String name, ObjectKind kind, java.util.function.Function<Attachment, T> make) {
        Attachment attachment = Attachment.open(platform, name, kind);
        try {
            return make.apply(attachment);
        } catch (RuntimeException e) {
            attachment.release();
            throw e;
        }
    }

    <E> Connection<E> attachConnection(String name, int end, Codec<E> codec) {
        if (end != 0 && end != 1) {
            throw new IllegalArgumentException("a pipe has ends 0 and 1, not " + end);
        }
        Connection<E> connection = withAttachment(name, ObjectKind.PIPE, attachment -> new Connection<>(this, attachment, false, end, codec));
        connection.attachHere();
        return connection;
    }

    private SharedCondition attachCondition(String name) {
        return withAttachment(name, ObjectKind.CONDITION, attachment -> {
            ConditionState state = SharedCondition.state(attachment);
            String lockName = ObjectNames.checkStoredName(name, "lock name", state.lockName());
            AbstractSharedLock lock = (AbstractSharedLock) attach(new SharedObjectReference(state.lockKind(), lockName, 0));
            return new SharedCondition(this, attachment, false, lock);
        });
    }

    // ------------------------------------------------------------------ ownership

    /** How many generated names in a row may turn out to be taken before creation gives up. */
    private static final int NAME_ATTEMPTS = 16;

    /**
     * Creates a named object of {@code kind} with a {@code bodySize}-byte body and a header not
     * yet published; the caller writes the body, then calls {@link ObjectHeader#publish}. A
     * generated name that someone else has taken (another user may create any name in
     * {@code /dev/shm}) is passed over for the next one.
     */
    MappedRegion createObject(ObjectKind kind, long bodySize) {
        ensureOpen();
        materialise();
        for (int attempt = 1; ; attempt++) {
            String name = ObjectNames.generated(id, kind, nextNumber.incrementAndGet());
            try {
                MappedRegion region = ObjectHeader.create(platform, name, kind, bodySize);
                registerCreated(name);
                return region;
            } catch (SharedObjectExistsException taken) {
                if (attempt == NAME_ATTEMPTS) {
                    throw new MultiprocException("the generated names of context " + id + " keep being taken by someone else ("
                            + NAME_ATTEMPTS + " in a row, the last '" + name + "'): another user may be squatting on /dev/shm", taken);
                }
                MultiprocLog.get().log(System.Logger.Level.DEBUG, "generated name {0} is taken by someone else; trying the next", name);
            }
        }
    }

    /** Creates the context's marker (so that its names can be collected if this JVM dies), once. */
    private synchronized void materialise() {
        if (id != null) {
            return;
        }
        while (true) {
            String candidate = ObjectNames.newContextId();
            try {
                MappedRegion created = ObjectHeader.create(platform, ObjectNames.marker(candidate), ObjectKind.CONTEXT, 0);
                ObjectHeader.publish(created);
                marker = created;
                id = candidate;
                break;
            } catch (SharedObjectExistsException taken) {
                // another context (or a squatter) has that id: draw again
            }
        }
        if (GarbageCollector.takeStartupCollection()) {
            Thread collector = new Thread(this::collectQuietly, "multiproc-gc");
            collector.setDaemon(true);
            collector.start();
        }
    }

    private void collectQuietly() {
        try {
            List<String> removed = GarbageCollector.collect(platform, false);
            if (!removed.isEmpty()) {
                MultiprocLog.get().log(System.Logger.Level.INFO, "removed {0} shared objects that ended processes left and nobody uses: {1}", removed.size(), removed);
            }
        } catch (RuntimeException e) {
            MultiprocLog.get().log(System.Logger.Level.DEBUG, "collecting dead processes' shared objects failed", e);
        }
    }

    /**
     * Lets go of a name this context made: removed now if no process uses the object, else
     * marked retired, so that its last user removes it when it lets go (see {@link Attachment}).
     */
    private void retire(String name) {
        if (platform.unlinkRegionIfUnused(name)) {
            return;
        }
        MappedRegion region;
        try {
            region = platform.openRegion(name);
        } catch (SharedObjectNotFoundException gone) {
            return;
        }
        try {
            if (region.size() >= ObjectHeaderLayout.LENGTH) {
                ObjectHeader.retire(region);
            }
        } finally {
            region.close();
        }
        // whoever was using it may have let go before it saw the mark
        platform.unlinkRegionIfUnused(name);
    }

    void registerCreated(String name) {
        synchronized (createdNames) {
            createdNames.add(name);
        }
    }

    /** Removes a name this context created, if it is still there. */
    void unlinkCreated(String name) {
        platform.unlinkRegion(name);
        forgetCreated(name);
    }

    /** The name no longer needs removing by this context (its handle retired it, or it is gone). */
    void forgetCreated(String name) {
        synchronized (createdNames) {
            createdNames.remove(name);
        }
    }

    /** A new handle: tracked until it closes; a creator's handle is kept reachable until the context closes. */
    void trackHandle(SharedObject.HandleState handle, SharedObject creator) {
        handles.add(handle);
        if (creator != null) {
            creators.add(creator);
        }
    }

    void forgetHandle(SharedObject.HandleState handle) {
        handles.remove(handle);
    }

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this multiproc context is closed");
        }
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes every handle this context opened, removes every name it created, and collects
     * what dead processes left behind. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        OPEN.remove(this);
        List<RuntimeException> failures = new ArrayList<>();
        for (ProcessPool pool : pools) {
            try {
                pool.shutdownNow();
                pool.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (RuntimeException e) {
                failures.add(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // remote connections end before the local handles their pumps use are closed
        failures.addAll(remoteSessions.closeAll());
        try {
            launcher.close();
        } catch (RuntimeException e) {
            failures.add(e);
        }
        for (SharedObject.HandleState handle : List.copyOf(handles)) {
            try {
                handle.run();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        creators.clear();
        List<String> names;
        synchronized (createdNames) {
            names = new ArrayList<>(createdNames);
            createdNames.clear();
        }
        for (String name : names.reversed()) {
            try {
                retire(name);
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        synchronized (this) {
            if (marker != null) {
                marker.close();
                platform.unlinkRegion(marker.name());
            }
        }
        if (id != null) {
            collectQuietly();
        }
        if (!failures.isEmpty()) {
            MultiprocException failure = new MultiprocException("closing multiproc context " + id + " failed "
                    + failures.size() + " time(s); first: " + failures.getFirst().getMessage(), failures.getFirst());
            failures.stream().skip(1).forEach(failure::addSuppressed);
            throw failure;
        }
    }

    private static void closeAllAtExit() {
        for (Multiproc context : List.copyOf(OPEN)) {
            try {
                context.close();
            } catch (RuntimeException e) {
                MultiprocLog.get().log(System.Logger.Level.WARNING, "closing a multiproc context at exit failed", e);
            }
        }
        try {
            Platforms.current().processExiting();
        } catch (RuntimeException e) {
            MultiprocLog.get().log(System.Logger.Level.DEBUG, "letting go of the platform at exit failed", e);
        }
    }

    @Override
    public String toString() {
        return "Multiproc[" + (id == null ? "unmaterialised" : id) + (isDefault ? ", default" : "") + (closed ? ", closed" : "") + "]";
    }
}
