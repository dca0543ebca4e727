package dev.multiproc.windows;

import dev.multiproc.NativeCallException;
import dev.multiproc.SharedObjectExistsException;
import dev.multiproc.SharedObjectNotFoundException;
import dev.multiproc.spi.ChildProcess;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NamedSemaphore;
import dev.multiproc.spi.NativePlatform;
import dev.multiproc.spi.ProcessIdentity;
import dev.multiproc.spi.ProcessSignal;

import java.io.File;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;


/**
 * Windows: page-file-backed named file mappings in the session's {@code Local\} namespace,
 * named Win32 semaphores, and one named semaphore per wait word for wait and wake.
 *
 * <p>Differences from POSIX, all consequences of how Windows names objects: a mapping's name
 * lives as long as some process holds a handle or view of it, so the creator keeps a handle
 * until {@link #unlinkRegion} and a crashed creator's objects vanish with the last process that
 * used them (nothing to collect; {@link #listRegions} is empty because the namespace cannot be
 * listed). A mapped view is rounded up to whole pages. There are no signals: terminate and kill
 * both call TerminateProcess, and exit codes are never negative.
 */
public final class WindowsPlatform implements NativePlatform {
    private static final String NAMESPACE = "Local\\";
    /** Win32 kernel object names may be up to MAX_PATH; keep room for the namespace and wait suffixes. */
    private static final int MAX_NAME_LENGTH = 200;
    private static final int WAKE_LIMIT = 1024;
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final Map<String, MemorySegment> createdMappings = new ConcurrentHashMap<>();
    private final Map<String, MemorySegment> waitSemaphores = new ConcurrentHashMap<>();
    private volatile ProcessIdentity current;
    private final WindowsLiveness liveness = new WindowsLiveness(this);

    @Override
    public String name() {
        return "windows";
    }

    @Override
    public boolean supports(String osName) {
        return osName != null && osName.toLowerCase(Locale.ROOT).startsWith("windows");
    }

    @Override
    public int maxNameLength() {
        return MAX_NAME_LENGTH;
    }

    @Override
    public MappedRegion createRegion(String name, long size) {
        Kernel32.HandleResult created = Kernel32.createFileMapping(NAMESPACE + name, size);
        if (created.lastError() == Kernel32.ERROR_ALREADY_EXISTS) {
            Kernel32.closeHandle(created.handle(), name);
            throw new SharedObjectExistsException(name, "a shared memory object named '" + name + "' already exists");
        }
        try {
            MappedRegion region = map(name, created.handle(), size);
            createdMappings.put(name, created.handle());
            return region;
        } catch (RuntimeException e) {
            Kernel32.closeHandle(created.handle(), name);
            throw e;
        }
    }

    @Override
    public MappedRegion openRegion(String name) {
        MemorySegment handle;
        try {
            handle = Kernel32.openFileMapping(NAMESPACE + name);
        } catch (NativeCallException e) {
            if (e.errorCode() == Kernel32.ERROR_FILE_NOT_FOUND) {
                throw new SharedObjectNotFoundException(name, "no shared memory object named '" + name
                        + "': it was never created, or every process that used it has closed it");
            }
            throw e;
        }
        try {
            MemorySegment view = Kernel32.mapViewOfFile(handle, name);
            long size = Kernel32.viewSize(view, name);
            Arena arena = Arena.ofShared();
            return new MappedRegion(name, view.reinterpret(size, arena, unmapped -> Kernel32.unmapViewOfFile(unmapped, name)), arena,
                    liveness, 0);
        } finally {
            // the view keeps the mapping alive; the handle is no longer needed
            Kernel32.closeHandle(handle, name);
        }
    }

    private MappedRegion map(String name, MemorySegment handle, long size) {
        MemorySegment view = Kernel32.mapViewOfFile(handle, name);
        Arena arena = Arena.ofShared();
        return new MappedRegion(name, view.reinterpret(size, arena, unmapped -> Kernel32.unmapViewOfFile(unmapped, name)), arena,
                liveness, 0);
    }

    @Override
    public boolean unlinkRegion(String name) {
        MemorySegment handle = createdMappings.remove(name);
        if (handle == null) {
            return false;
        }
        Kernel32.closeHandle(handle, name);
        return true;
    }

    /**
     * A mapping's name lives while any process holds a handle or view of it: giving up the
     * creator's handle is all an unlink can do, and it never removes an object others still use.
     */
    @Override
    public boolean unlinkRegionIfUnused(String name) {
        return unlinkRegion(name);
    }

    /** Windows cannot tell who maps an object; callers only ask on platforms that list objects. */
    @Override
    public boolean regionInUse(String name) {
        return false;
    }

    /** Objects in the session's {@code Local\} namespace belong to the session's user. */
    @Override
    public OptionalLong foreignOwner(String name) {
        return OptionalLong.empty();
    }

    @Override
    public OptionalLong regionId(String name) {
        try {
            Kernel32.closeHandle(Kernel32.openFileMapping(NAMESPACE + name), name);
            return OptionalLong.of(0);
        } catch (NativeCallException e) {
            if (e.errorCode() == Kernel32.ERROR_FILE_NOT_FOUND) {
                return OptionalLong.empty();
            }
            throw e;
        }
    }

    @Override
    public List<String> listRegions(String prefix) {
        return List.of();
    }

    @Override
    public void await(MappedRegion region, long offset, int expected, long timeoutNanos) {
        MemorySegment semaphore = waitSemaphore(region, offset);
        if ((int) INT.getVolatile(region.segment(), offset) != expected) {
            return;
        }
        int millis = timeoutNanos < 0 ? Kernel32.INFINITE : (int) Math.max(1, Math.min(Integer.MAX_VALUE - 1,
                TimeUnit.NANOSECONDS.toMillis(timeoutNanos)));
        Kernel32.waitForSingleObject(semaphore, millis, region.name());
    }

    /** Windows cannot wait on several of our wait semaphores at once cheaply: sleep on the first, briefly. */
    @Override
    public void awaitAny(List<MappedRegion> regions, long[] offsets, int[] expected, long timeoutNanos) {
        await(regions.getFirst(), offsets[0], expected[0], Math.min(timeoutNanos, TimeUnit.MILLISECONDS.toNanos(1)));
    }

    @Override
    public int wake(MappedRegion region, long offset, int count) {
        // a semaphore does not say whether anyone waited on it
        Kernel32.releaseSemaphore(waitSemaphore(region, offset), Math.min(count, WAKE_LIMIT), region.name());
        return count;
    }

    /** One named semaphore per wait word; surplus permits only cause re-checks, which callers do anyway. */
    private MemorySegment waitSemaphore(MappedRegion region, long offset) {
        String key = region.name() + "-wait-" + offset;
        return waitSemaphores.computeIfAbsent(key, k -> Kernel32.createSemaphore(NAMESPACE + k, 0, Integer.MAX_VALUE).handle());
    }

    @Override
    public NamedSemaphore createSemaphore(String name, int initialPermits) {
        Kernel32.HandleResult created = Kernel32.createSemaphore(NAMESPACE + name, initialPermits, Integer.MAX_VALUE);
        if (created.lastError() == Kernel32.ERROR_ALREADY_EXISTS) {
            Kernel32.closeHandle(created.handle(), name);
            throw new SharedObjectExistsException(name, "a semaphore named '" + name + "' already exists");
        }
        return new WindowsNamedSemaphore(name, created.handle());
    }

    @Override
    public NamedSemaphore openSemaphore(String name) {
        try {
            return new WindowsNamedSemaphore(name, Kernel32.openSemaphore(NAMESPACE + name));
        } catch (NativeCallException e) {
            if (e.errorCode() == Kernel32.ERROR_FILE_NOT_FOUND) {
                throw new SharedObjectNotFoundException(name, "no semaphore named '" + name + "'");
            }
            throw e;
        }
    }

    /** A Win32 semaphore's name goes when its last handle closes; there is nothing to remove. */
    @Override
    public boolean unlinkSemaphore(String name) {
        return false;
    }

    @Override
    public List<String> listSemaphores(String prefix) {
        return List.of();
    }

    @Override
    public ProcessIdentity currentProcess() {
        ProcessIdentity identity = current;
        if (identity == null) {
            identity = identityOf(ProcessHandle.current()).orElseThrow();
            current = identity;
        }
        return identity;
    }

    private static Optional<ProcessIdentity> identityOf(ProcessHandle handle) {
        Optional<Instant> started = handle.info().startInstant();
        return started.map(instant -> new ProcessIdentity(handle.pid(),
                TimeUnit.SECONDS.toNanos(instant.getEpochSecond()) + instant.getNano()));
    }

    @Override
    public Optional<ProcessIdentity> processIdentity(long pid) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).flatMap(WindowsPlatform::identityOf);
    }

    @Override
    public boolean isAlive(ProcessIdentity process) {
        return processIdentity(process.pid()).map(process::equals).orElse(false);
    }

    @Override
    public dev.multiproc.spi.Liveness liveness() {
        return liveness;
    }

    @Override
    public void signal(long pid, ProcessSignal signal) {
        ProcessHandle.of(pid).ifPresent(signal == ProcessSignal.KILL ? ProcessHandle::destroyForcibly : ProcessHandle::destroy);
    }

    @Override
    public ChildProcess spawn(List<String> command, Map<String, String> environment) {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("NUL")))
                .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().clear();
        builder.environment().putAll(environment);
        try {
            Process process = builder.start();
            ProcessIdentity identity = identityOf(process.toHandle()).orElse(new ProcessIdentity(process.pid(), 0));
            return new WindowsChildProcess(process, identity);
        } catch (IOException e) {
            throw new NativeCallException("CreateProcessW", command.getFirst(), 0, "IOException", e.getMessage());
        }
    }

    @Override
    public boolean awaitExit(ProcessIdentity process, Duration timeout) throws InterruptedException {
        Optional<ProcessHandle> handle = ProcessHandle.of(process.pid());
        if (handle.isEmpty() || !isAlive(process)) {
            return true;
        }
        try {
            if (timeout == null) {
                handle.get().onExit().get();
            } else {
                handle.get().onExit().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            }
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return !isAlive(process);
        }
    }

    @Override
    public void restoreDefaultTermination() {
        // no signals on Windows: TerminateProcess always ends the process at once
    }
}
