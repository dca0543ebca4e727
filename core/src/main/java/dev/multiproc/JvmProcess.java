package dev.multiproc;

import dev.multiproc.internal.process.ChildIdentity;
import dev.multiproc.internal.process.TargetBytes;
import dev.multiproc.internal.shm.wait.CarrierRelease;
import dev.multiproc.internal.shm.wait.WaitPoint;
import dev.multiproc.spi.ChildProcess;
import dev.multiproc.spi.NativePlatform;
import dev.multiproc.spi.Platforms;
import dev.multiproc.spi.ProcessIdentity;
import dev.multiproc.spi.ProcessSignal;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Java target running in a child JVM: Python's {@code multiprocessing.Process}.
 *
 * <p>The child is a new JVM started with this JVM's {@code java}, class or module path and the
 * options that matter (see {@code ChildCommand}); it runs {@code ChildMain}, never this JVM's
 * {@code main}. The target travels serialised, with the values it captures; shared objects among
 * them travel by name and re-attach in the child.
 *
 * <p>Exit codes follow Python: 0 when the target returns, 1 when it throws (the child prints the
 * stack trace to its standard error), N for {@code System.exit(N)}, -N when signal N ends it
 * ({@link #terminate()} gives -15, {@link #kill()} -9). A daemon child is terminated when its
 * parent exits, also when the parent is killed: the child watches its parent.
 *
 * <p>The same type describes {@link #current()} and {@link #parent()}, which can be observed
 * (pid, liveness, join) but not started or closed.
 */
public final class JvmProcess {
    private static final AtomicInteger DEFAULT_NAMES = new AtomicInteger();
    private static volatile JvmProcess current;

    private enum Role { CHILD, CURRENT, PARENT }

    private final Role role;
    private final Multiproc context;
    private final SerializableRunnable target;
    private volatile String name;
    private volatile boolean daemon;
    private volatile List<String> jvmOptions = List.of();
    private volatile List<String> commandPrefix = List.of();
    private volatile ChildProcess child;
    private final ProcessIdentity observed;
    private volatile boolean closed;
    private volatile boolean terminateRequested;

    JvmProcess(Multiproc context, SerializableRunnable target) {
        this.role = Role.CHILD;
        this.context = context;
        this.target = Objects.requireNonNull(target, "target");
        this.name = "JvmProcess-" + DEFAULT_NAMES.incrementAndGet();
        this.observed = null;
    }

    private JvmProcess(Role role, String name, boolean daemon, ProcessIdentity observed) {
        this.role = role;
        this.context = null;
        this.target = null;
        this.name = name;
        this.daemon = daemon;
        this.observed = observed;
    }

    /** The process this code runs in: the child's own description in a child, {@code MainProcess} otherwise. */
    public static JvmProcess current() {
        describeFromChildIdentity();
        JvmProcess self = current;
        if (self == null) {
            synchronized (JvmProcess.class) {
                self = current;
                if (self == null) {
                    self = new JvmProcess(Role.CURRENT, "MainProcess", false, Platforms.current().currentProcess());
                    current = self;
                }
            }
        }
        return self;
    }

    private static volatile JvmProcess parent;
    /** The child identity {@link #current} and {@link #parent} were last made from. */
    private static volatile ChildIdentity describedFrom;

    /** The process that started this one, if this JVM is a multiproc child. */
    public static Optional<JvmProcess> parent() {
        describeFromChildIdentity();
        return Optional.ofNullable(parent);
    }

    /** Describes this JVM and its parent from the identity {@code ChildMain} recorded, if it recorded a new one. */
    private static void describeFromChildIdentity() {
        ChildIdentity identity = ChildIdentity.recorded();
        if (identity != null && identity != describedFrom) {
            synchronized (JvmProcess.class) {
                if (identity != describedFrom) {
                    current = new JvmProcess(Role.CURRENT, identity.name(), identity.daemon(), identity.self());
                    parent = new JvmProcess(Role.PARENT, identity.parentName(), false, identity.parent());
                    describedFrom = identity;
                }
            }
        }
    }

    // ------------------------------------------------------------------ configuration

    public String name() {
        return name;
    }

    /** Renames the process; allowed at any time, as in Python. */
    public void setName(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    public boolean isDaemon() {
        return daemon;
    }

    /**
     * Makes the child a daemon: it is terminated when this JVM exits, however it exits.
     *
     * @throws IllegalStateException after {@link #start()}
     */
    public void setDaemon(boolean daemon) {
        synchronized (this) {
            if (role != Role.CHILD || child != null) {
                throw new IllegalStateException("cannot set the daemon flag of '" + name + "': the process has already started");
            }
            this.daemon = daemon;
        }
    }

    /**
     * Extra JVM options for the child, added after the inherited ones (so an inherited option
     * given again here is overridden by this one where the JVM takes the last occurrence). The
     * child inherits this JVM's heap limit ({@code -Xmx}) but not how this JVM sized or touched
     * its heap up front ({@code -Xms}, {@code -Xmn}, {@code -XX:+AlwaysPreTouch}), nor its
     * class-data archive ({@code -XX:AOTCache} and the like; children get one made for them):
     * give those here for the child. A collector named here ({@code -XX:+UseG1GC}, ...) replaces
     * the one the child would run otherwise: the parent's, if the parent was told one (a collector flag in the JVM's option
     * variables, {@code JAVA_TOOL_OPTIONS} and the like, is then left out of the child's
     * environment), else the serial collector, which keeps a child that runs one job small (see
     * the README's "Limits").
     *
     * @throws IllegalStateException after {@link #start()}
     */
    public void setJvmOptions(List<String> options) {
        synchronized (this) {
            if (role != Role.CHILD || child != null) {
                throw new IllegalStateException("cannot set JVM options of '" + name + "': the process has already started");
            }
            this.jvmOptions = List.copyOf(options);
        }
    }

    List<String> jvmOptions() {
        return jvmOptions;
    }

    /**
     * A program (and its arguments) that the child's {@code java} command runs under:
     * {@code taskset -c 1} to pin it, {@code nice -n 10}, {@code chrt -f 10}, {@code numactl
     * --cpunodebind=0}, {@code ip netns exec NAME} to put it in a network namespace. The program
     * must replace itself with the command it is given (exec), as those do: the process this
     * JVM starts, watches, signals and joins must be the child JVM itself. A child started
     * through a program that forks and waits instead ({@code timeout}, {@code sudo}, a shell
     * running more than the command) finds that its parent process is not this JVM, prints why
     * on its standard error and exits with 1 before its target runs. A process with a prefix
     * never starts from a spare JVM ({@link Multiproc#prestartProcesses}).
     *
     * @throws IllegalStateException after {@link #start()}
     */
    public void setCommandPrefix(List<String> prefix) {
        synchronized (this) {
            if (role != Role.CHILD || child != null) {
                throw new IllegalStateException("cannot set the command prefix of '" + name + "': the process has already started");
            }
            this.commandPrefix = List.copyOf(prefix);
        }
    }

    // ------------------------------------------------------------------ life cycle

    /**
     * Starts the child JVM and runs the target in it.
     *
     * @throws IllegalStateException    if already started or closed, or if this JVM is a daemon child
     * @throws IllegalArgumentException if the target or a value it captures cannot be serialised
     */
    public void start() {
        synchronized (this) {
            if (role != Role.CHILD) {
                throw new IllegalStateException("'" + name + "' is not a child of this JVM and cannot be started");
            }
            if (closed) {
                throw new IllegalStateException("cannot start '" + name + "': it is closed");
            }
            if (child != null) {
                throw new IllegalStateException("cannot start '" + name + "': processes can only be started once");
            }
            if (current().isDaemon()) {
                throw new IllegalStateException("daemonic processes are not allowed to have children");
            }
            List<Connection.Sent> sentEnds = new java.util.ArrayList<>();
            Connection.CAPTURE.set(sentEnds);
            byte[] payload;
            try {
                payload = TargetBytes.serialise(target, name);
            } finally {
                Connection.CAPTURE.remove();
            }
            child = context.launch(this, commandPrefix, jvmOptions(), payload);
            if (!sentEnds.isEmpty()) {
                child.exit().whenComplete((code, error) -> {
                    for (Connection.Sent sent : sentEnds) {
                        Connection.closeIfNeverAttached(context, sent.name(), sent.end());
                    }
                });
            }
        }
    }

    private ChildProcess started(String action) {
        ChildProcess started = child;
        if (started == null) {
            throw new IllegalStateException("cannot " + action + " '" + name + "': it was never started");
        }
        return started;
    }

    /**
     * Waits for the process to end.
     *
     * @throws IllegalStateException if it was never started
     * @throws InterruptedException  if this thread is interrupted while waiting
     */
    public void join() throws InterruptedException {
        join(null);
    }

    /**
     * Waits at most {@code timeout} for the process to end.
     *
     * @return whether it has ended
     */
    public boolean join(Duration timeout) throws InterruptedException {
        if (role != Role.CHILD) {
            if (role == Role.CURRENT) {
                throw new IllegalStateException("a process cannot join itself");
            }
            return awaitExitOfObserved(timeout);
        }
        ChildProcess started = started("join");
        try {
            if (timeout == null) {
                started.exit().get();
            } else {
                started.exit().get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
            }
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new MultiprocException("waiting for '" + name + "' failed", e.getCause());
        }
    }

    /**
     * Waits for a process this one did not start, a slice at a time through {@link CarrierRelease}
     * (the platform's wait is a native call that would pin a virtual thread's carrier).
     */
    private boolean awaitExitOfObserved(Duration timeout) throws InterruptedException {
        NativePlatform platform = Platforms.current();
        long start = System.nanoTime();
        long timeoutNanos = timeout == null ? Long.MAX_VALUE : Math.max(0, timeout.toNanos());
        while (true) {
            Duration slice = Duration.ofNanos(Math.max(0, Math.min(WaitPoint.SLICE_NANOS, timeoutNanos - (System.nanoTime() - start))));
            if (CarrierRelease.test(() -> exitedWithin(platform, slice))) {
                return true;
            }
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while waiting for pid " + observed.pid() + " to end");
            }
            if (System.nanoTime() - start >= timeoutNanos) {
                return false;
            }
        }
    }

    private boolean exitedWithin(NativePlatform platform, Duration slice) {
        try {
            return platform.awaitExit(observed, slice);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Completes with this handle when the process has ended (and been reaped), as
     * {@link ProcessHandle#onExit()} does.
     *
     * @throws IllegalStateException if it was never started
     */
    public CompletableFuture<JvmProcess> onExit() {
        if (role != Role.CHILD) {
            throw new IllegalStateException("onExit() is for child processes; '" + name + "' is not one");
        }
        return started("wait for").exit().thenApply(code -> this);
    }

    /** Whether the process runs now. */
    public boolean isAlive() {
        return switch (role) {
            case CURRENT -> true;
            case PARENT -> Platforms.current().isAlive(observed);
            case CHILD -> child != null && !child.exit().isDone();
        };
    }

    /** The pid; empty before {@link #start()}. */
    public OptionalLong pid() {
        ProcessIdentity identity = identity();
        return identity == null ? OptionalLong.empty() : OptionalLong.of(identity.pid());
    }

    ProcessIdentity identity() {
        if (role != Role.CHILD) {
            return observed;
        }
        ChildProcess started = child;
        return started == null ? null : started.identity();
    }

    /**
     * The exit code: empty before start and while running; 0 normal, 1 uncaught exception,
     * N for {@code System.exit(N)}, -N when killed by signal N.
     */
    public OptionalInt exitCode() {
        ChildProcess started = child;
        if (started == null) {
            return OptionalInt.empty();
        }
        OptionalInt code = started.exitCode();
        // a SIGTERM that reaches the child while its JVM still boots goes through the JVM's own
        // handler, which exits with 128 + 15 instead of dying by the signal
        if (terminateRequested && code.isPresent() && code.getAsInt() == JVM_TERMINATED_EXIT_CODE) {
            return OptionalInt.of(-ProcessSignal.TERMINATE.posixNumber());
        }
        return code;
    }

    private static final int JVM_TERMINATED_EXIT_CODE = 128 + 15;

    /** Asks the process to end (SIGTERM; exit code -15). Does nothing if it has ended. */
    public void terminate() {
        terminateRequested = true;
        signal(ProcessSignal.TERMINATE);
    }

    /** Ends the process at once (SIGKILL; exit code -9). Does nothing if it has ended. */
    public void kill() {
        signal(ProcessSignal.KILL);
    }

    private void signal(ProcessSignal signal) {
        NativePlatform platform = Platforms.current();
        if (role == Role.CHILD) {
            ChildProcess started = started(signal == ProcessSignal.KILL ? "kill" : "terminate");
            if (!started.exit().isDone()) {
                platform.signal(started.identity().pid(), signal);
            }
        } else if (platform.isAlive(observed)) {
            platform.signal(observed.pid(), signal);
        }
    }

    /**
     * Releases what the handle holds. The process must have ended.
     *
     * @throws IllegalStateException if it is still running
     */
    public void close() {
        if (role == Role.CHILD && isAlive()) {
            throw new IllegalStateException("cannot close '" + name + "': it is still running (join, terminate or kill it first)");
        }
        closed = true;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("JvmProcess[").append(name);
        pid().ifPresent(pid -> text.append(", pid ").append(pid));
        if (daemon) {
            text.append(", daemon");
        }
        if (role == Role.CHILD) {
            text.append(child == null ? ", initial" : isAlive() ? ", started" : ", exitcode " + exitCode().orElse(0));
        }
        return text.append(']').toString();
    }
}
