package dev.multiproc.posix;

import dev.multiproc.IncompatibleSharedObjectException;
import dev.multiproc.NativeCallException;
import dev.multiproc.PlatformCheck;
import dev.multiproc.SharedObjectExistsException;
import dev.multiproc.SharedObjectNotFoundException;
import dev.multiproc.spi.ChildProcess;
import dev.multiproc.spi.Liveness;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NamedSemaphore;
import dev.multiproc.spi.NativePlatform;
import dev.multiproc.spi.ProcessIdentity;
import dev.multiproc.spi.ProcessSignal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Linux: POSIX shared memory ({@code shm_open} + {@code mmap}) under {@code /dev/shm}, futexes
 * on shared words, {@code sem_open} semaphores, {@code posix_spawn} + {@code waitpid} for
 * children, {@code pidfd_open} to watch a process end, and {@code /proc/PID/stat} for process
 * start times.
 */
public final class PosixPlatform implements NativePlatform {
    /** NAME_MAX is 255; glibc stores a semaphore as "sem." + name, so 251 fits both kinds. */
    private static final int MAX_NAME_LENGTH = 251;
    private static final Path SHM_DIRECTORY = Path.of("/dev/shm");
    private static final String SEMAPHORE_FILE_PREFIX = "sem.";
    private static final long PROCESS_POLL_MILLIS = 100;
    /**
     * A wait on a process descriptor wakes at its process's end at once; its slices only bound how
     * long an interrupt goes unseen (a watching child woke 10 times a second for nothing before).
     */
    private static final long PIDFD_SLICE_MILLIS = 1000;
    private static final long ATTACHMENT_LOCK_START = 0;
    private static final long ATTACHMENT_LOCK_LENGTH = 1;
    /** Set to true to let this JVM map objects that belong to another user (root attaching a user's objects). */
    static final String ATTACH_FOREIGN_PROPERTY = "multiproc.attachForeign";

    private volatile ProcessIdentity current;

    @Override
    public String name() {
        return "linux";
    }

    @Override
    public boolean supports(String osName) {
        return osName != null && osName.toLowerCase(Locale.ROOT).startsWith("linux");
    }

    // ------------------------------------------------------------------ named shared memory

    @Override
    public int maxNameLength() {
        return MAX_NAME_LENGTH;
    }

    private static String osName(String name) {
        return "/" + name;
    }

    @Override
    public MappedRegion createRegion(String name, long size) {
        int fd;
        try {
            fd = Libc.shmOpen(osName(name), Libc.O_CREAT | Libc.O_EXCL | Libc.O_RDWR, Libc.OWNER_READ_WRITE);
        } catch (NativeCallException e) {
            if (e.errorCode() == Errno.EEXIST) {
                throw new SharedObjectExistsException(name, "a shared memory object named '" + name
                        + "' already exists (" + SHM_DIRECTORY.resolve(name) + "); choose another name or attach to it");
            }
            throw e;
        }
        try {
            holdAttachment(fd, name);
            Libc.posixFallocate(fd, size, name);
            return map(name, fd, size, Libc.fstat(fd, name));
        } catch (RuntimeException e) {
            Libc.close(fd, name);
            unlinkQuietly(name);
            throw e;
        }
    }

    private static void unlinkQuietly(String name) {
        try {
            Libc.shmUnlink(osName(name));
        } catch (NativeCallException ignored) {
            // creation already failed; the first error is the one to report
        }
    }

    /**
     * Every mapping holds a read lock on byte 0 of its object for as long as it exists, so that
     * "is anyone using this object?" is a question the kernel answers (see {@link ShmFiles}).
     */
    private static void holdAttachment(int fd, String name) {
        Libc.lockRange(fd, Libc.F_RDLCK, ATTACHMENT_LOCK_START, ATTACHMENT_LOCK_LENGTH, true, name);
    }

    @Override
    public MappedRegion openRegion(String name) {
        int fd;
        try {
            fd = Libc.shmOpen(osName(name), Libc.O_RDWR, 0);
        } catch (NativeCallException e) {
            if (e.errorCode() == Errno.ENOENT) {
                throw notFound(name);
            }
            if (e.errorCode() == Errno.EACCES) {
                throw new IncompatibleSharedObjectException(name, "'" + name + "' (" + SHM_DIRECTORY.resolve(name)
                        + ") belongs to another user, who has not let this one use it (" + e.getMessage() + ")");
            }
            throw e;
        }
        boolean mapped = false;
        try {
            Libc.FileStat stat = Libc.fstat(fd, name);
            if (stat.uid() != Libc.geteuid() && !Boolean.getBoolean(ATTACH_FOREIGN_PROPERTY)) {
                throw new IncompatibleSharedObjectException(name, "'" + name + "' (" + SHM_DIRECTORY.resolve(name)
                        + ") belongs to uid " + Integer.toUnsignedString(stat.uid()) + ", not to this process's user (uid "
                        + Integer.toUnsignedString(Libc.geteuid()) + "); multiproc maps another user's objects only with -D"
                        + ATTACH_FOREIGN_PROPERTY + "=true");
            }
            holdAttachment(fd, name);
            stat = Libc.fstat(fd, name);
            if (stat.linkCount() == 0) {
                throw notFound(name);
            }
            if (stat.size() == 0) {
                return new MappedRegion(name, MemorySegment.ofArray(new byte[0]), Arena.ofShared(),
                        LivenessRegistry.ofUser(stat.uid()), stat.inode());
            }
            MappedRegion region = map(name, fd, stat.size(), stat);
            mapped = true;
            return region;
        } finally {
            if (!mapped) {
                Libc.close(fd, name);
            }
        }
    }

    private static SharedObjectNotFoundException notFound(String name) {
        return new SharedObjectNotFoundException(name, "no shared memory object named '" + name
                + "' (" + SHM_DIRECTORY.resolve(name) + "): it was never created, or it has been removed");
    }

    /** Maps {@code fd}; the region owns the descriptor (and so the attachment lock) until it is closed. */
    private static MappedRegion map(String name, int fd, long size, Libc.FileStat stat) {
        MemorySegment address = Libc.mmapShared(fd, size, name);
        Arena arena = Arena.ofShared();
        MemorySegment segment = address.reinterpret(size, arena, unmapped -> {
            Libc.munmap(unmapped, size, name);
            Libc.close(fd, name);
        });
        return new MappedRegion(name, segment, arena, LivenessRegistry.ofUser(stat.uid()), stat.inode());
    }

    @Override
    public boolean unlinkRegion(String name) {
        try {
            Libc.shmUnlink(osName(name));
            return true;
        } catch (NativeCallException e) {
            if (e.errorCode() == Errno.ENOENT) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public boolean unlinkRegionIfUnused(String name) {
        return ShmFiles.unlinkIfUnlocked(name, ATTACHMENT_LOCK_START, ATTACHMENT_LOCK_LENGTH);
    }

    @Override
    public boolean regionInUse(String name) {
        return ShmFiles.locked(name, ATTACHMENT_LOCK_START, ATTACHMENT_LOCK_LENGTH);
    }

    @Override
    public OptionalLong foreignOwner(String name) {
        return Libc.shmStat(name).filter(stat -> stat.uid() != Libc.geteuid())
                .map(stat -> OptionalLong.of(Integer.toUnsignedLong(stat.uid()))).orElse(OptionalLong.empty());
    }

    @Override
    public OptionalLong regionId(String name) {
        return Libc.shmStat(name).map(stat -> OptionalLong.of(stat.inode())).orElse(OptionalLong.empty());
    }

    @Override
    public OptionalLong regionAgeMillis(String name) {
        try {
            long written = java.nio.file.Files.getLastModifiedTime(SHM_DIRECTORY.resolve(name)).toMillis();
            return OptionalLong.of(Math.max(0, System.currentTimeMillis() - written));
        } catch (java.io.IOException gone) {
            return OptionalLong.empty();
        }
    }

    @Override
    public List<String> listRegions(String prefix) {
        List<String> names = shmFiles(prefix);
        names.removeIf(LivenessRegistry::isRegistryName);
        return names;
    }

    /** Reads every readable {@code /proc/<pid>/maps} of this namespace for mappings of {@code /dev/shm/<prefix>...}. */
    @Override
    public Map<String, List<Long>> processesMapping(String prefix) {
        String mapped = " " + SHM_DIRECTORY.resolve(prefix);
        Map<String, List<Long>> byName = new TreeMap<>();
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path process : processes) {
                Set<String> names = new TreeSet<>();
                try (Stream<String> lines = Files.lines(process.resolve("maps"))) {
                    lines.forEach(line -> {
                        int at = line.indexOf(mapped);
                        if (at >= 0) {
                            String file = line.substring(at + 1 + SHM_DIRECTORY.toString().length() + 1);
                            names.add(file.endsWith(DELETED_SUFFIX) ? file.substring(0, file.length() - DELETED_SUFFIX.length()) : file);
                        }
                    });
                } catch (IOException | UncheckedIOException unreadable) {
                    continue; // ended meanwhile, or another user's
                }
                long pid = Long.parseLong(process.getFileName().toString());
                names.forEach(name -> byName.computeIfAbsent(name, n -> new ArrayList<>()).add(pid));
            }
        } catch (IOException e) {
            throw new NativeCallException("opendir", "/proc", 0, "IOException", e.getMessage());
        }
        return byName;
    }

    /** What {@code /proc/<pid>/maps} appends to the file of a mapping whose name was removed. */
    private static final String DELETED_SUFFIX = " (deleted)";

    private static List<String> shmFiles(String prefix) {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(SHM_DIRECTORY, prefix + "*")) {
            for (Path entry : entries) {
                names.add(entry.getFileName().toString());
            }
        } catch (IOException e) {
            throw new NativeCallException("opendir", SHM_DIRECTORY.toString(), 0, "IOException", e.getMessage());
        }
        names.sort(null);
        return names;
    }

    // ------------------------------------------------------------------ wait and wake

    @Override
    public void await(MappedRegion region, long offset, int expected, long timeoutNanos) {
        Libc.futexWait(region.segment().asSlice(offset, Integer.BYTES), expected, timeoutNanos, region.name());
    }

    /** Set once {@code futex_waitv} has answered ENOSYS (kernels before 5.16). */
    private volatile boolean noFutexWaitv;
    private static final long AWAIT_ANY_FALLBACK_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    @Override
    public void awaitAny(List<MappedRegion> regions, long[] offsets, int[] expected, long timeoutNanos) {
        if (!noFutexWaitv) {
            long[] addresses = new long[regions.size()];
            for (int i = 0; i < addresses.length; i++) {
                addresses[i] = regions.get(i).segment().address() + offsets[i];
            }
            String objectName = regions.getFirst().name();
            int outcome = addresses.length <= WaitvBatches.MAX_WORDS
                    ? Libc.futexWaitAny(addresses, expected, timeoutNanos, objectName)
                    : WaitvBatches.await(addresses, expected, timeoutNanos, objectName);
            if (outcome != Errno.ENOSYS) {
                return;
            }
            noFutexWaitv = true;
        }
        // older kernels: sleep on the first word, briefly, so the others are re-checked soon
        await(regions.getFirst(), offsets[0], expected[0], Math.min(timeoutNanos, AWAIT_ANY_FALLBACK_SLICE_NANOS));
    }

    @Override
    public int wake(MappedRegion region, long offset, int count) {
        return Libc.futexWake(region.segment().asSlice(offset, Integer.BYTES), count, region.name());
    }

    /**
     * {@code membarrier(2)}'s global expedited commands, looked at once per process, on first use:
     * what the kernel offers, and whether this process registered (its threads then get the fences
     * that other processes' sleepers issue).
     */
    private static final class RemoteFences {
        static final long OFFERED = Libc.membarrier(Libc.MEMBARRIER_CMD_QUERY);
        static final int NEEDED = Libc.MEMBARRIER_CMD_GLOBAL_EXPEDITED | Libc.MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED;
        static final boolean ACCEPTED = OFFERED >= 0 && (OFFERED & NEEDED) == NEEDED
                && Libc.membarrier(Libc.MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED) == 0;

        /** The kernel answered, without the commands: no process on this machine can have registered. */
        static boolean nobodyCanAccept() {
            return OFFERED >= 0 && (OFFERED & NEEDED) != NEEDED;
        }
    }

    /** Set once this process's fence has failed (a system call filter): it is not tried again. */
    private volatile boolean remoteFenceRefused;

    @Override
    public boolean acceptRemoteFences() {
        return RemoteFences.ACCEPTED;
    }

    @Override
    public boolean fenceRemoteThreads() {
        if (RemoteFences.nobodyCanAccept()) {
            return true;
        }
        if (remoteFenceRefused) {
            return false;
        }
        if (Libc.membarrier(Libc.MEMBARRIER_CMD_GLOBAL_EXPEDITED) == 0) {
            return true;
        }
        remoteFenceRefused = true;
        return false;
    }

    // ------------------------------------------------------------------ named semaphores

    @Override
    public NamedSemaphore createSemaphore(String name, int initialPermits) {
        try {
            return new PosixNamedSemaphore(name, Libc.semCreate(osName(name), initialPermits));
        } catch (NativeCallException e) {
            if (e.errorCode() == Errno.EEXIST) {
                throw new SharedObjectExistsException(name, "a semaphore named '" + name + "' already exists");
            }
            throw e;
        }
    }

    @Override
    public NamedSemaphore openSemaphore(String name) {
        try {
            return new PosixNamedSemaphore(name, Libc.semOpenExisting(osName(name)));
        } catch (NativeCallException e) {
            if (e.errorCode() == Errno.ENOENT) {
                throw new SharedObjectNotFoundException(name, "no semaphore named '" + name + "'");
            }
            throw e;
        }
    }

    @Override
    public boolean unlinkSemaphore(String name) {
        try {
            Libc.semUnlink(osName(name));
            return true;
        } catch (NativeCallException e) {
            if (e.errorCode() == Errno.ENOENT) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public List<String> listSemaphores(String prefix) {
        List<String> names = new ArrayList<>();
        for (String file : shmFiles(SEMAPHORE_FILE_PREFIX + prefix)) {
            names.add(file.substring(SEMAPHORE_FILE_PREFIX.length()));
        }
        return names;
    }

    // ------------------------------------------------------------------ processes

    @Override
    public ProcessIdentity currentProcess() {
        ProcessIdentity identity = current;
        if (identity == null) {
            long pid = ProcessHandle.current().pid();
            ProcStat stat = ProcStat.read(pid).orElseThrow(() -> new NativeCallException("read /proc/self/stat",
                    "pid " + pid, 0, "unreadable", "cannot read this process's start time"));
            identity = new ProcessIdentity(pid, stat.startTime());
            current = identity;
        }
        return identity;
    }

    @Override
    public Optional<ProcessIdentity> processIdentity(long pid) {
        return ProcStat.read(pid).filter(ProcStat::isRunning).map(stat -> new ProcessIdentity(pid, stat.startTime()));
    }

    @Override
    public boolean isAlive(ProcessIdentity process) {
        return ProcStat.read(process.pid()).filter(ProcStat::isRunning)
                .map(stat -> stat.startTime() == process.startTime())
                .orElse(false);
    }

    @Override
    public Liveness liveness() {
        return LivenessRegistry.ofUser(Libc.geteuid());
    }

    @Override
    public void processExiting() {
        LivenessRegistry.ofUser(Libc.geteuid()).unregister();
    }

    @Override
    public void signal(long pid, ProcessSignal signal) {
        Libc.kill(pid, signal.posixNumber());
    }

    @Override
    public ChildProcess spawn(List<String> command, Map<String, String> environment) {
        String[] argv = command.toArray(String[]::new);
        String[] envp = environment.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        int pid = InheritedDescriptors.chosen().spawn(argv, envp);
        // the child cannot be reaped before we read its start time: only we reap it
        long startTime = ProcStat.read(pid).map(ProcStat::startTime).orElse(0L);
        return new PosixChildProcess(new ProcessIdentity(pid, startTime));
    }

    @Override
    public boolean awaitExit(ProcessIdentity process, Duration timeout) throws InterruptedException {
        long start = System.nanoTime();
        long timeoutNanos = timeout == null ? Long.MAX_VALUE : timeout.toNanos();
        String what = "pid " + process.pid();
        int pidfd = Libc.pidfdOpen(process.pid());
        if (pidfd == -Errno.ESRCH) {
            return true;
        }
        try {
            // the pid may already name a newer process: alive as itself once the descriptor is open, it is the one
            // the descriptor watches, which then tells its end alone (reading the process table every slice cost a
            // watching child ~0.9 % of a core here)
            if (!isAlive(process)) {
                return true;
            }
            while (true) {
                if (Thread.interrupted()) {
                    throw new InterruptedException("interrupted while waiting for " + what + " to end");
                }
                long remainingNanos = timeoutNanos - (System.nanoTime() - start);
                if (remainingNanos <= 0) {
                    return false;
                }
                long remainingMillis = TimeUnit.NANOSECONDS.toMillis(remainingNanos);
                if (pidfd >= 0) {
                    if (Libc.pollReadable(pidfd, (int) Math.max(1, Math.min(PIDFD_SLICE_MILLIS, remainingMillis)), what)) {
                        return true;
                    }
                } else {
                    int sliceMillis = (int) Math.max(1, Math.min(PROCESS_POLL_MILLIS, remainingMillis));
                    // no pidfd (kernel before 5.3): poll the process table
                    Thread.sleep(sliceMillis);
                    if (!isAlive(process)) {
                        return true;
                    }
                }
            }
        } finally {
            if (pidfd >= 0) {
                Libc.close(pidfd, what);
            }
        }
    }

    /** Free shared memory below which {@code multiproc doctor} warns: a few queues' and pipes' worth. */
    private static final long LOW_SHM_BYTES = 64L << 20;

    @Override
    public List<PlatformCheck> checks() {
        List<PlatformCheck> checks = new ArrayList<>();
        String kernel = readOr(Path.of("/proc/sys/kernel/osrelease"), "unknown");
        checks.add(PlatformCheck.ok("kernel", "Linux " + kernel + " (" + System.getProperty("os.arch") + ")"));
        Optional<String> glibc = Libc.gnuLibcVersion();
        checks.add(glibc.map(version -> PlatformCheck.ok("C library", "glibc " + version))
                .orElseGet(() -> PlatformCheck.fallback("C library", isMusl() ? "musl" : "not glibc",
                        "untested here: multiproc binds only functions every C library has, and looks up the rest")));
        checks.add(Libc.hasFutexWaitv() ? PlatformCheck.ok("futex_waitv (Linux 5.16+)", "present: Connection.waitAny sleeps on all connections at once")
                : PlatformCheck.fallback("futex_waitv (Linux 5.16+)", "absent",
                        "Connection.waitAny over several connections sleeps on the first and looks at the others every 1 ms"));
        int pidfd = Libc.pidfdOpen(ProcessHandle.current().pid());
        if (pidfd >= 0) {
            Libc.close(pidfd, "pidfd of this process");
            checks.add(PlatformCheck.ok("pidfd_open (Linux 5.3+)", "present: a parent learns at once that a child ended, and a daemon that its parent did"));
        } else {
            checks.add(PlatformCheck.fallback("pidfd_open (Linux 5.3+)", "absent (" + Errno.name(-pidfd) + ")",
                    "children and parents are watched by looking at the process table every " + PROCESS_POLL_MILLIS + " ms"));
        }
        checks.add(remoteFences());
        InheritedDescriptors spawning = InheritedDescriptors.chosen();
        checks.add(spawning == InheritedDescriptors.CLOSE_FROM ? PlatformCheck.ok("child descriptors", spawning.describe())
                : PlatformCheck.fallback("child descriptors", spawning.describe(), "a fallback: glibc before 2.34 or another C library"));
        checks.add(sharedMemorySpace());
        return checks;
    }

    private static PlatformCheck remoteFences() {
        String topic = "membarrier (Linux 4.16+)";
        if (RemoteFences.ACCEPTED) {
            return PlatformCheck.ok(topic, "global expedited: queue producers publish with a release store, "
                    + "and a consumer that sleeps longer than 5 ms fences them once");
        }
        String why = RemoteFences.OFFERED < 0 ? Errno.name((int) -RemoteFences.OFFERED) : "no global expedited command";
        return PlatformCheck.fallback(topic, "unavailable (" + why + ")", "queue producers pay a full fence per message");
    }

    private static PlatformCheck sharedMemorySpace() {
        try {
            java.nio.file.FileStore store = Files.getFileStore(SHM_DIRECTORY);
            long free = store.getUsableSpace();
            String finding = String.format(Locale.ROOT, "%s: %.0f MiB free of %.0f MiB", SHM_DIRECTORY, free / 1048576.0,
                    store.getTotalSpace() / 1048576.0);
            return free >= LOW_SHM_BYTES ? PlatformCheck.ok("shared memory", finding)
                    : PlatformCheck.problem("shared memory", finding, "objects are reserved in full when made and fail when it is full: "
                    + "give /dev/shm more room (docker run --shm-size=1g; mount -o remount,size=1G /dev/shm)");
        } catch (IOException e) {
            return PlatformCheck.problem("shared memory", SHM_DIRECTORY + " cannot be read: " + e.getMessage(),
                    "multiproc needs a tmpfs at /dev/shm, as every Linux distribution mounts");
        }
    }

    private static boolean isMusl() {
        try (DirectoryStream<Path> loaders = Files.newDirectoryStream(Path.of("/lib"), "ld-musl-*")) {
            return loaders.iterator().hasNext();
        } catch (IOException e) {
            return false;
        }
    }

    private static String readOr(Path file, String otherwise) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            return otherwise;
        }
    }

    @Override
    public void restoreDefaultTermination() {
        Libc.restoreDefaultSignalAction(Libc.SIGTERM);
    }
}
