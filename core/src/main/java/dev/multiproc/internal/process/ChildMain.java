package dev.multiproc.internal.process;

import dev.multiproc.JvmProcess;
import dev.multiproc.Multiproc;
import dev.multiproc.Pipe;
import dev.multiproc.SerializableFunction;
import dev.multiproc.SerializableRunnable;
import dev.multiproc.SharedLongArray;
import dev.multiproc.SharedMemory;
import dev.multiproc.SharedSemaphore;
import dev.multiproc.WaitStrategy;
import dev.multiproc.codec.Codec;
import dev.multiproc.codec.Deserialization;
import dev.multiproc.internal.admin.GarbageCollector;
import dev.multiproc.internal.pool.PoolWorker;
import dev.multiproc.internal.pool.TaskCodec;
import dev.multiproc.internal.shm.header.ObjectHeader;
import dev.multiproc.internal.shm.header.ObjectKind;
import dev.multiproc.internal.shm.process.Bootstrap;
import dev.multiproc.internal.shm.process.BootstrapLayout;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NativePlatform;
import dev.multiproc.spi.Platforms;
import dev.multiproc.spi.ProcessIdentity;
import dev.multiproc.spi.ProcessSignal;

import java.io.ObjectInputFilter;
import java.lang.invoke.MethodHandles;

/**
 * The entry point of every child JVM: {@code ChildMain <bootstrap name>}. It reads its target
 * from the bootstrap object (waiting for one first if it is a spare), removes the bootstrap's
 * name, describes itself to {@link JvmProcess#current()}, watches its parent, and runs the
 * target on the main thread.
 *
 * <p>A termination signal ends the child by the signal itself (exit code -15, as Python
 * reports it), not through shutdown hooks. An uncaught exception prints "Process NAME:" and the
 * stack trace on standard error and exits with 1.
 */
public final class ChildMain {
    /** Run by {@code ChildCommand} to train the class-data-sharing archive: load, warm up, exit. */
    static final String TRAIN_ARGUMENT = "--train";
    /**
     * Set on a child started under a command prefix: the child checks that its parent process is
     * the JVM that started it, which a prefix program that forks instead of replacing itself
     * breaks (the starting JVM would watch, signal and join the prefix program, not the child).
     */
    static final String PARENT_CHECK_PROPERTY = "multiproc.checkParent";

    private static volatile boolean daemon;
    private static volatile boolean targetReceived;

    private ChildMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: ChildMain <bootstrap object name> (started by multiproc, not by hand)");
            System.exit(2);
        }
        prepareDeserialisationMeanwhile();
        // the API's class initialiser installs the exceptions the protocols raise here
        MethodHandles.lookup().ensureInitialized(Multiproc.class);
        NativePlatform platform = Platforms.current();
        if (TRAIN_ARGUMENT.equals(args[0])) {
            train(platform);
            return;
        }
        platform.restoreDefaultTermination();
        GarbageCollector.skipStartupCollection();
        MappedRegion region = ObjectHeader.open(platform, args[0], ObjectKind.PROCESS);
        Bootstrap bootstrap = new Bootstrap(platform, region);
        ProcessIdentity parent = bootstrap.parent();
        watchParent(platform, parent, bootstrap);
        int state = bootstrap.state();
        if (state == BootstrapLayout.STATE_SPARE) {
            warmUp();
            bootstrap.markSpareReady();
            state = bootstrap.awaitTarget();
        }
        if (state == BootstrapLayout.STATE_RETIRED) {
            return;
        }
        String name = bootstrap.name();
        if (Boolean.getBoolean(PARENT_CHECK_PROPERTY)) {
            exitUnlessStartedBy(platform, parent, name);
        }
        daemon = bootstrap.daemon();
        byte[] payload = bootstrap.payload();
        bootstrap.markRunning();
        targetReceived = true;
        ChildIdentity.record(new ChildIdentity(name, daemon, platform.currentProcess(), bootstrap.parentName(), parent));
        try {
            Runnable target;
            try {
                target = deserialise(payload);
            } finally {
                // removed once the target's objects are attached: until then a bootstrap keeps an ended parent's context from
                // being collected under this child (the mapping stays until exit: unmapping a shared arena costs a handshake
                // with every thread)
                platform.unlinkRegion(args[0]);
            }
            target.run();
        } catch (Throwable failure) {
            System.out.flush();
            System.err.println("Process " + name + ":");
            failure.printStackTrace();
            System.err.flush();
            System.exit(1);
        }
    }

    /**
     * Sets up, on a thread of its own, what reading the target first needs from the JDK, while
     * this thread makes the first native call (the JVM builds the call's stub, ~30 ms here):
     * the serialisation filter's configuration asks for a system logger, and the JDK's look for
     * a logging back-end reads the service list of every jar on the class path — 17-19 ms of a
     * cold child's ~100 ms with the benchmarks' 16 MB jar. Measured here (four rounds of six cold
     * starts, medians): the target ran 9-15 ms sooner.
     */
    private static void prepareDeserialisationMeanwhile() {
        Thread preparer = new Thread(ObjectInputFilter.Config::getSerialFilter, "multiproc-deserialisation-setup");
        preparer.setDaemon(true);
        preparer.start();
    }

    private static void exitUnlessStartedBy(NativePlatform platform, ProcessIdentity parent, String name) {
        long actualParent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
        if (actualParent != parent.pid() && platform.isAlive(parent)) {
            System.err.println("Process " + name + ": its command prefix started it as a child of process " + actualParent
                    + ", not of the JVM that started it (" + parent.pid() + "): the prefix program must replace itself with "
                    + "the command it runs (as taskset, nice, chrt or ip netns exec do), not fork and wait");
            System.exit(1);
        }
    }

    private static Runnable deserialise(byte[] payload) throws Exception {
        return (Runnable) Deserialization.read(payload);
    }

    /**
     * Whether this process has a non-daemon target: read, or handed over in the bootstrap (its
     * fields are written before its state says so, and read after).
     */
    private static boolean runsOnWithoutParent(Bootstrap bootstrap) {
        if (targetReceived) {
            return !daemon;
        }
        int state = bootstrap.state();
        return (state == BootstrapLayout.STATE_TARGET_READY || state == BootstrapLayout.STATE_RUNNING) && !bootstrap.daemon();
    }

    /** Loads the classes a child loads on its way to a target, so that the archive holds them. */
    private static void train(NativePlatform platform) throws Exception {
        // recorded by every child before its target runs; left out, a child read it from the jar, opening the jar for it
        MethodHandles.lookup().ensureInitialized(ChildIdentity.class);
        platform.isAlive(platform.currentProcess());
        try (Multiproc context = Multiproc.create(); SharedMemory probe = context.sharedMemory(64);
             MappedRegion region = platform.openRegion(probe.name())) {
            Bootstrap bootstrap = new Bootstrap(platform, region);
            bootstrap.state();
            region.liveness().isAlive(region.liveness().currentToken() + 1);
        }
        warmUp();
        trainPoolWorker();
    }

    /**
     * Runs a pool worker's path once — its target read as a worker reads it, a task received on a
     * pipe, its function deserialised and run over packed items, the result announced and sent —
     * so that a pool's cold worker finds it loaded and linked in the archive.
     */
    private static void trainPoolWorker() throws Exception {
        try (Multiproc scratch = Multiproc.create(); Pipe<byte[]> pipe = scratch.pipe(Codec.bytes());
             SharedSemaphore signals = scratch.semaphore(0); SharedLongArray slots = scratch.sharedLongArray(PoolWorker.SLOT_LONGS)) {
            byte[] work = TargetBytes.serialise((SerializableFunction<Integer, Integer>) x -> x + 1, "training");
            pipe.first().sendBytes(TaskCodec.encodeTask(1, 1, work, true, TaskCodec.encodeItems(new Object[] {1, 2, 3}, 0, 3)));
            String name = pipe.first().name();
            Runnable target = deserialise(TargetBytes.serialise(PoolWorker.target(name, signals, slots, 0, null, 1, WaitStrategy.BACKOFF),
                    "training"));
            Thread worker = new Thread(target, "training-pool-worker");
            worker.start();
            TaskCodec.decodeResult(pipe.first().recvBytes());
            worker.join();
        }
    }

    /**
     * Loads and links what running a target needs while a spare waits, so that the hand-off
     * costs little: deserialising a lambda that captures a shared object exercises the lambda
     * machinery, the default context and attaching by name.
     */
    private static void warmUp() throws Exception {
        try (Multiproc scratch = Multiproc.create(); SharedMemory probe = scratch.sharedMemory(64)) {
            SerializableRunnable sample = () -> probe.segment().set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, 1L);
            deserialise(TargetBytes.serialise(sample, "warm-up")).run();
        }
        Multiproc.context();
    }

    /**
     * A daemon (or a spare not yet given a target) ends with its parent: a thread sleeps until
     * the parent process ends (pidfd on Linux), then terminates this process. A non-daemon child
     * whose target was handed over runs on, even if it had not read the target yet when its
     * parent died (the target is in the bootstrap object, which this process has mapped).
     */
    private static void watchParent(NativePlatform platform, ProcessIdentity parent, Bootstrap bootstrap) {
        Thread watcher = new Thread(() -> {
            try {
                platform.awaitExit(parent, null);
                if (!runsOnWithoutParent(bootstrap)) {
                    platform.signal(platform.currentProcess().pid(), ProcessSignal.TERMINATE);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "multiproc-parent-watch");
        watcher.setDaemon(true);
        watcher.start();
    }
}
