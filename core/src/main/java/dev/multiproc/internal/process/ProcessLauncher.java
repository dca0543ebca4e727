package dev.multiproc.internal.process;

import dev.multiproc.JvmProcess;
import dev.multiproc.internal.MultiprocLog;
import dev.multiproc.internal.shm.header.ObjectHeader;
import dev.multiproc.internal.shm.process.Bootstrap;
import dev.multiproc.internal.shm.process.BootstrapLayout;
import dev.multiproc.spi.ChildProcess;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NativePlatform;
import dev.multiproc.spi.ProcessSignal;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Starts a context's child JVMs, cold or from its spares, and keeps track of them.
 *
 * <p>Cold start: a bootstrap object holding the serialised target is created and published,
 * then {@code java ... ChildMain <bootstrap>} is spawned. Warm start: a spare JVM, started
 * earlier on an empty bootstrap, sleeps until the target is written into it (Python's
 * forkserver idea); the spare is replaced in the background. Either way the bootstrap's name is
 * removed as soon as the child has read it (by the child) or has ended (by us).
 */
public final class ProcessLauncher {
    /** Targets up to this size can go to a spare; larger ones start cold. */
    static final long SPARE_PAYLOAD_CAPACITY = 256 * 1024;
    private static final long DAEMON_TERMINATE_GRACE_MILLIS = 2_000;
    private static final long BOOT_WAIT_MILLIS = 30_000;
    private static final long REFILL_DELAY_MILLIS = 1_000;
    private static final long RETIRE_WAIT_MILLIS = 10_000;

    /** A child JVM and its bootstrap: a spare until a target is handed to it. */
    private record Spare(MappedRegion region, Bootstrap bootstrap, ChildProcess process) {
    }

    /** Where a context keeps the objects it created, bootstraps among them. */
    public interface Bootstraps {
        /** Creates (and records as the context's) a process bootstrap object of {@code bodySize} body bytes. */
        MappedRegion create(long bodySize);

        /** Removes the name of a bootstrap {@link #create} made (and forgets it). */
        void remove(String name);

        /** Whether the context has been closed (a failure then is expected, not worth a warning). */
        boolean closed();
    }

    private final Bootstraps context;
    private final NativePlatform platform;
    /** Running children, with the bootstrap each was started from (kept until it ends). */
    private final Map<JvmProcess, Spare> children = new ConcurrentHashMap<>();
    private final Deque<Spare> spares = new ArrayDeque<>();
    private int spareTarget;
    private boolean closed;

    public ProcessLauncher(Bootstraps context, NativePlatform platform) {
        this.context = context;
        this.platform = platform;
    }

    /**
     * Starts {@code process} under {@code commandPrefix} with {@code jvmOptions} (a spare, started
     * without either, takes it if there are none).
     */
    public ChildProcess launch(JvmProcess process, List<String> commandPrefix, List<String> jvmOptions, byte[] payload) {
        Spare spare = jvmOptions.isEmpty() && commandPrefix.isEmpty() ? takeSpare(payload.length) : null;
        Spare launched;
        if (spare != null) {
            spare.bootstrap().handOff(process.name(), process.isDaemon(), payload);
            launched = spare;
            refillInBackground(spare);
        } else {
            MappedRegion region = context.create(BootstrapLayout.bodySize(payload.length));
            try {
                Bootstrap bootstrap = new Bootstrap(platform, region);
                bootstrap.initialise(platform.currentProcess(), JvmProcess.current().name(), payload.length, BootstrapLayout.STATE_SPARE);
                bootstrap.handOff(process.name(), process.isDaemon(), payload);
                ObjectHeader.publish(region);
                ChildProcess child = platform.spawn(ChildCommand.build(commandPrefix, jvmOptions, region.name()),
                        ChildCommand.environment(environment(), jvmOptions));
                launched = new Spare(region, bootstrap, child);
            } catch (RuntimeException e) {
                region.close();
                context.remove(region.name());
                throw e;
            }
        }
        children.put(process, launched);
        launched.process().exit().whenComplete((code, error) -> {
            children.remove(process);
            launched.region().close();
            context.remove(launched.region().name());
        });
        return launched.process();
    }

    private static Map<String, String> environment() {
        return System.getenv();
    }

    public List<JvmProcess> activeChildren() {
        List<JvmProcess> alive = new ArrayList<>();
        for (JvmProcess child : children.keySet()) {
            if (child.isAlive()) {
                alive.add(child);
            }
        }
        return alive;
    }

    // ------------------------------------------------------------------ spares

    public synchronized void prestart(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("spare process count must not be negative, got " + count);
        }
        spareTarget = count;
        refill();
        while (spares.size() > spareTarget) {
            retire(spares.pollLast());
        }
    }

    public synchronized int readySpares() {
        int ready = 0;
        for (Spare spare : spares) {
            if (spare.bootstrap().isSpareReady() && !spare.process().exit().isDone()) {
                ready++;
            }
        }
        return ready;
    }

    private synchronized Spare takeSpare(long payloadLength) {
        if (payloadLength > SPARE_PAYLOAD_CAPACITY) {
            return null;
        }
        Spare spare;
        while ((spare = spares.pollFirst()) != null) {
            if (!spare.process().exit().isDone()) {
                return spare;
            }
            spare.region().close();
            context.remove(spare.region().name());
        }
        return null;
    }

    /**
     * Boots a replacement spare once the one just taken runs its target plus a short delay: a
     * JVM booting on the next core would slow the very start-up the spare exists to make fast.
     */
    private void refillInBackground(Spare taken) {
        Thread refill = new Thread(() -> {
            try {
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REFILL_DELAY_MILLIS);
                while (System.nanoTime() - deadline < 0 && stillBooting(taken)) {
                    Thread.sleep(1);
                }
                Thread.sleep(REFILL_DELAY_MILLIS / 10);
                refill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                if (!context.closed()) {
                    MultiprocLog.get().log(System.Logger.Level.WARNING, "starting a spare JVM failed", e);
                }
            }
        }, "multiproc-spare-refill");
        refill.setDaemon(true);
        refill.start();
    }

    private synchronized void refill() {
        while (!closed && spares.size() < spareTarget) {
            spares.addLast(startSpare());
        }
    }

    private Spare startSpare() {
        MappedRegion region = context.create(BootstrapLayout.bodySize(SPARE_PAYLOAD_CAPACITY));
        try {
            Bootstrap bootstrap = new Bootstrap(platform, region);
            bootstrap.initialise(platform.currentProcess(), JvmProcess.current().name(), SPARE_PAYLOAD_CAPACITY, BootstrapLayout.STATE_SPARE);
            ObjectHeader.publish(region);
            ChildProcess process = platform.spawn(ChildCommand.build(List.of(), List.of(), region.name()), environment());
            return new Spare(region, bootstrap, process);
        } catch (RuntimeException e) {
            region.close();
            context.remove(region.name());
            throw e;
        }
    }

    /**
     * Tells a spare to exit, and removes its bootstrap once it has (a spare still booting has
     * yet to open it); a spare that does not exit in time is killed.
     */
    private void retire(Spare spare) {
        spare.bootstrap().retire();
        try {
            spare.process().exit().get(RETIRE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            platform.signal(spare.process().identity().pid(), ProcessSignal.KILL);
        }
        spare.region().close();
        context.remove(spare.region().name());
    }

    /** Retires the spares and terminates daemon children (killing those that outlive a grace period). */
    public void close() {
        synchronized (this) {
            closed = true;
            Spare spare;
            while ((spare = spares.pollFirst()) != null) {
                retire(spare);
            }
        }
        List<JvmProcess> daemons = new ArrayList<>();
        children.forEach((child, launched) -> {
            if (child.isDaemon()) {
                child.terminate();
                daemons.add(child);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DAEMON_TERMINATE_GRACE_MILLIS);
        for (JvmProcess daemon : daemons) {
            try {
                long remaining = Math.max(0, deadline - System.nanoTime());
                if (!daemon.join(Duration.ofNanos(remaining))) {
                    daemon.kill();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                daemon.kill();
            }
        }
        awaitTargetsRead();
    }

    private static boolean stillBooting(Spare launched) {
        try {
            return !launched.process().exit().isDone() && launched.bootstrap().state() == BootstrapLayout.STATE_TARGET_READY;
        } catch (IllegalStateException unmapped) {
            return false; // the child ended and its bootstrap was released meanwhile
        }
    }

    /**
     * Non-daemon children outlive the context; each must read its target before the context
     * removes the bootstrap it reads it from. Waits (bounded) for the ones still booting.
     */
    private void awaitTargetsRead() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BOOT_WAIT_MILLIS);
        for (Spare launched : children.values()) {
            while (stillBooting(launched) && System.nanoTime() - deadline < 0) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
