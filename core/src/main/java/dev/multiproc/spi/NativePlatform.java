package dev.multiproc.spi;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What an operating system must provide for multiproc to run on it. Implementations live in
 * the native modules and are found with {@link java.util.ServiceLoader}; core never names an OS.
 *
 * <p>Every failing system call surfaces as {@link dev.multiproc.NativeCallException} naming the
 * call, the object and the error, or as one of the specific exceptions documented per method.
 * Implementations bind their native functions lazily, on first use, so that a child JVM pays
 * only for the calls it makes.
 */
public interface NativePlatform {

    /** A short name for messages, such as {@code linux}. */
    String name();

    /** Whether this implementation runs on the operating system named by {@code os.name}. */
    boolean supports(String osName);

    // ------------------------------------------------------------------ named shared memory

    /** The longest object name the OS accepts, not counting any prefix the platform adds. */
    int maxNameLength();

    /**
     * Creates and maps a new zero-filled object readable and writable by this user only.
     *
     * @throws dev.multiproc.SharedObjectExistsException if the name is taken
     */
    MappedRegion createRegion(String name, long size);

    /**
     * Maps an existing object whole. An object whose creator has not yet set its size is mapped
     * as an empty segment; callers that need its contents retry.
     *
     * @throws dev.multiproc.SharedObjectNotFoundException if there is no such object
     */
    MappedRegion openRegion(String name);

    /** Whether an object of that name exists now (this default maps it and lets it go). */
    default boolean regionExists(String name) {
        try {
            openRegion(name).close();
            return true;
        } catch (dev.multiproc.SharedObjectNotFoundException gone) {
            return false;
        }
    }

    /** Removes the name; mappings already made stay valid. Returns false if there was no such name. */
    boolean unlinkRegion(String name);

    /**
     * Removes the name only if no process (this one included) has the object mapped, atomically
     * with respect to processes opening it: one that opened the name just before gets
     * {@link dev.multiproc.SharedObjectNotFoundException} from {@link #openRegion}.
     *
     * @return whether the name was removed
     */
    boolean unlinkRegionIfUnused(String name);

    /** Whether some process (this one included) has the object mapped now. */
    boolean regionInUse(String name);

    /**
     * The user that owns the object when it is not this process's user (an id the OS gives it);
     * empty when it is this user's or there is no such object. {@link #openRegion} refuses another
     * user's object unless the JVM was told to map them.
     */
    OptionalLong foreignOwner(String name);

    /**
     * What tells the object now behind {@code name} from another made later under the same name
     * (compare with {@link MappedRegion#fileId()}); empty if there is no such object, 0 where the
     * platform cannot tell.
     */
    OptionalLong regionId(String name);

    /**
     * How long ago the object {@code name} was last written whole (made, sized), in milliseconds;
     * empty if the platform cannot tell or the object is gone. Garbage collection spares young
     * bootstrap objects, which a child still starting has not mapped yet.
     */
    default OptionalLong regionAgeMillis(String name) {
        return OptionalLong.empty();
    }

    /** The names of the shared-memory objects on this machine that start with {@code prefix}. */
    List<String> listRegions(String prefix);

    /**
     * For listings: the processes that have objects whose names start with {@code prefix} mapped,
     * by object name, as pids of this PID namespace (processes elsewhere, or of users this one
     * may not inspect, are not seen). Empty where the platform cannot tell.
     */
    default Map<String, List<Long>> processesMapping(String prefix) {
        return Map.of();
    }

    // ------------------------------------------------------------------ wait and wake

    /**
     * Sleeps while the 32-bit word at {@code offset} of {@code region} holds {@code expected},
     * for at most {@code timeoutNanos}. Returns when woken, when the word differs, on timeout,
     * or spuriously; callers re-check their condition, as with {@code LockSupport.park}.
     */
    void await(MappedRegion region, long offset, int expected, long timeoutNanos);

    /**
     * Sleeps while every word {@code i} (at {@code offsets[i]} of {@code regions.get(i)}) holds
     * {@code expected[i]}, for at most {@code timeoutNanos}; returns when any is woken or differs,
     * on timeout, or spuriously. Any number of words: a platform whose native multi-wait takes
     * fewer must still end the sleep on a wake of any of them. Platforms without a native
     * multi-wait may return after a short sleep; callers re-check their conditions either way.
     */
    void awaitAny(List<MappedRegion> regions, long[] offsets, int[] expected, long timeoutNanos);

    /**
     * Wakes up to {@code count} threads sleeping on the word at {@code offset}; returns how many it
     * woke, or {@code count} where the platform cannot tell (callers then assume someone woke).
     */
    int wake(MappedRegion region, long offset, int count);

    /**
     * Makes this process one that {@link #fenceRemoteThreads()} reaches, so that its threads may
     * publish to sleepers with a release store and no full fence of their own; true if it now is
     * (every later call answers the same, cheaply). The default: false, every publish fences.
     */
    default boolean acceptRemoteFences() {
        return false;
    }

    /**
     * A full memory fence on every thread of every process that {@link #acceptRemoteFences()
     * accepted} it, as if each had run one at some point during this call: after it returns, the
     * stores those threads made before their reads of this process's earlier writes are visible
     * here. A sleeper calls it after announcing itself and before its last check of the state.
     * True if every such process is fenced, or none can exist here (the default: no process
     * accepts); false if some may and this process cannot reach them (a system call filter).
     */
    default boolean fenceRemoteThreads() {
        return true;
    }

    // ------------------------------------------------------------------ named semaphores

    /** @throws dev.multiproc.SharedObjectExistsException if the name is taken */
    NamedSemaphore createSemaphore(String name, int initialPermits);

    /** @throws dev.multiproc.SharedObjectNotFoundException if there is no such semaphore */
    NamedSemaphore openSemaphore(String name);

    boolean unlinkSemaphore(String name);

    /** The names of the named semaphores on this machine that start with {@code prefix}. */
    List<String> listSemaphores(String prefix);

    // ------------------------------------------------------------------ processes

    /**
     * The liveness of this user's processes (each {@link MappedRegion} carries the one of its
     * object's owner): tokens that hold across PID namespaces and pid reuse.
     */
    Liveness liveness();

    /**
     * This process as its own children and parent see it (pid and start time). A pid is valid in
     * one PID namespace only: use this for a parent watching its own children, never to decide
     * whether a process named in shared memory is alive (that is {@link Liveness}).
     */
    ProcessIdentity currentProcess();

    /** The identity of the live process with this pid (in this PID namespace), if there is one. */
    Optional<ProcessIdentity> processIdentity(long pid);

    /** Whether the process is running: same pid, same start time, not a zombie (in this PID namespace). */
    boolean isAlive(ProcessIdentity process);

    /** Sends {@code signal}; a process that is already gone is not an error. */
    void signal(long pid, ProcessSignal signal);

    /**
     * Starts {@code command} with {@code environment}, its standard input read from the null
     * device and its standard output and error shared with this process. No other descriptor is
     * inherited. The platform reaps the child when it ends.
     */
    ChildProcess spawn(List<String> command, Map<String, String> environment);

    /**
     * Blocks until {@code process} has ended or {@code timeout} has passed (null: forever),
     * without using CPU while it waits where the OS allows.
     *
     * @return whether the process has ended
     * @throws InterruptedException if the waiting thread is interrupted
     */
    boolean awaitExit(ProcessIdentity process, Duration timeout) throws InterruptedException;

    /**
     * Lets a termination request end this process the way it ends a native program, by the
     * signal itself, so that its parent reads {@code -15} as Python does; shutdown hooks do not
     * run on that path. A no-op where the OS has no such signal.
     */
    void restoreDefaultTermination();

    /**
     * The facts about this machine that decide how (and whether) multiproc works on it — kernel,
     * C library, optional system calls and the fallbacks in use, shared-memory space — for
     * {@code multiproc doctor}. Each probe is harmless; none throws.
     */
    default List<dev.multiproc.PlatformCheck> checks() {
        return List.of();
    }

    /**
     * Called once, last, when the JVM exits normally: the platform lets go of what it holds for
     * the process (its liveness registration) and removes what nobody uses any more.
     */
    default void processExiting() {
    }
}
