package dev.multiproc.posix;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The C library and kernel calls multiproc makes on Linux (x86-64 and aarch64).
 *
 * <p>Every call a child JVM makes on its way to its target (shared memory, futex, signals,
 * process watching) goes through one bound handle, {@code syscall(2)}: binding a downcall
 * handle costs 5-90 ms of JVM time, and a child that bound one handle per function paid
 * 150 ms before running anything. The shared-memory calls are the system calls glibc itself
 * makes: {@code shm_open(name)} is {@code openat("/dev/shm/" + name, O_NOFOLLOW | O_CLOEXEC)},
 * {@code shm_unlink} is {@code unlinkat} of that path. Functions that exist only in glibc
 * (named semaphores, {@code posix_spawn}, {@code strerror}) are bound on their own, lazily, in
 * small groups used only by the processes that need them.
 *
 * <p>Each wrapper captures {@code errno} with {@link Linker.Option#captureCallState} and turns a
 * failure into a {@link dev.multiproc.NativeCallException} that names the call and the object;
 * wrappers whose failures are part of normal operation (futex timeouts, EINTR) return the errno.
 */
final class Libc {
    static final int O_RDONLY = 0;
    static final int O_RDWR = 2;
    static final int O_CREAT = 0100;
    static final int O_EXCL = 0200;
    private static final int O_NOFOLLOW = 0400000;
    private static final int O_CLOEXEC = 02000000;
    static final int OWNER_READ_WRITE = 0600;

    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_SHARED = 1;
    private static final long AT_FDCWD = -100;

    static final int SIGTERM = 15;

    private static final int FUTEX_WAIT = 0;
    private static final int FUTEX_WAKE = 1;
    private static final short POLLIN = 1;
    private static final String SHM_DIRECTORY = "/dev/shm/";

    /** {@code struct stat} on 64-bit Linux (both architectures): {@code st_size} sits at byte 48 of 144. */
    private static final long STAT_SIZE = 144;
    private static final long STAT_ST_SIZE_OFFSET = 48;
    /** The kernel's {@code struct sigaction}; all zeroes is SIG_DFL with no flags and an empty mask. */
    private static final long KERNEL_SIGACTION_SIZE = 32;
    private static final long KERNEL_SIGSET_SIZE = 8;
    /** glibc's {@code posix_spawn_file_actions_t} is 80 bytes; room to spare costs nothing. */
    private static final long SPAWN_FILE_ACTIONS_SIZE = 128;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    private static final AddressLayout C_POINTER = ADDRESS;
    private static final StructLayout TIMESPEC = MemoryLayout.structLayout(JAVA_LONG.withName("tv_sec"), JAVA_LONG.withName("tv_nsec"));

    /** One errno-capture buffer and one timespec per thread, so the wait path allocates nothing. */
    private static final ThreadLocal<MemorySegment> CALL_STATE_BUFFER =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE));
    private static final ThreadLocal<MemorySegment> TIMESPEC_BUFFER =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(TIMESPEC));

    private Libc() {
    }

    private static MethodHandle bind(String function, FunctionDescriptor descriptor, Linker.Option... options) {
        return bindIfPresent(function, descriptor, options).orElseThrow(() -> notFound(function));
    }

    /**
     * A function this C library may lack (a newer glibc's, or glibc's and not musl's): callers
     * have a way without it. Looked up in the C library, then, for functions older glibc keeps
     * there (before 2.34: semaphores in libpthread, {@code shm_*} in librt), in those.
     */
    private static Optional<MethodHandle> bindIfPresent(String function, FunctionDescriptor descriptor, Linker.Option... options) {
        Linker.Option[] withErrno = new Linker.Option[options.length + 1];
        withErrno[0] = CAPTURE_ERRNO;
        System.arraycopy(options, 0, withErrno, 1, options.length);
        return findFunction(function).map(address -> LINKER.downcallHandle(address, descriptor, withErrno));
    }

    private static UnsatisfiedLinkError notFound(String function) {
        return new UnsatisfiedLinkError("C library function not found: " + function);
    }

    /** Where {@code function} is, in the C library or (older glibc) the libraries it kept apart. */
    private static Optional<MemorySegment> findFunction(String function) {
        return LIBC.find(function).or(() -> OlderGlibc.LIBRARIES.find(function));
    }

    /** The libraries glibc before 2.34 kept apart from libc, where they are installed; loaded only when a lookup needs them. */
    private static final class OlderGlibc {
        static final SymbolLookup LIBRARIES = loadIfPresent("libpthread.so.0").or(loadIfPresent("librt.so.1"));

        private static SymbolLookup loadIfPresent(String library) {
            try {
                return SymbolLookup.libraryLookup(library, Arena.global());
            } catch (IllegalArgumentException absent) {
                return name -> Optional.empty();
            }
        }
    }

    private static MemorySegment callState() {
        return CALL_STATE_BUFFER.get();
    }

    private static int errno(MemorySegment callState) {
        return (int) ERRNO.get(callState, 0L);
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("unexpected checked exception from a native call", t);
    }

    // ------------------------------------------------------------------ system calls

    /**
     * {@code syscall(2)}'s shape: seven integer arguments, an integer result. C functions of up to
     * seven integer or pointer arguments are called through it too ({@link #callForInt}): making
     * a downcall stub costs a cold JVM tens of milliseconds per shape, and on the 64-bit Linux
     * ABIs (x86-64, AArch64) a pointer travels as its address, an {@code int} in the low half of
     * its register, arguments past a function's own are not read, and an {@code int} result is
     * the low half of the result register.
     *
     * <p>{@code syscall} itself is declared variadic after its first word, yet it is called with
     * this plain shape: on those ABIs variadic integer words travel exactly as plain ones, and
     * the one thing a variadic call adds, x86-64's count of vector registers in {@code al}, only
     * tells a callee that uses {@code va_start} which vector registers to save: glibc's
     * {@code syscall} is a few instructions of assembly that read none, and musl's, in C, at
     * most saves them into its own frame when {@code al} is not zero. Binding the variadic shape
     * made the linker build more adapters: 31-51 ms against 22-34 ms for a fresh JVM's first
     * stub (eight runs each, the same start-up cache), paid by every child before its target.
     */
    private static final FunctionDescriptor SEVEN_WORDS =
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);

    private static final class Syscalls {
        static final MethodHandle SYSCALL = bind("syscall", SEVEN_WORDS);
        static final SyscallNumbers NUMBERS = SyscallNumbers.forArchitecture(System.getProperty("os.arch"));
    }

    /** Any C function of {@link #SEVEN_WORDS}' shape, its address first: the stub {@link Syscalls#SYSCALL} uses, made once. */
    private static final class Calls {
        static final MethodHandle CALL = LINKER.downcallHandle(SEVEN_WORDS, CAPTURE_ERRNO);
    }

    /** Calls {@code function}, which takes up to seven integer or pointer arguments and returns an {@code int}. */
    private static int callForInt(MemorySegment function, MemorySegment state, long a, long b, long c, long d, long e, long f, long g) {
        try {
            return (int) (long) Calls.CALL.invokeExact(function, state, a, b, c, d, e, f, g);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** @return the kernel's result: non-negative, or -1 with errno in {@code state} */
    private static long syscall(MemorySegment state, long number, long a, long b, long c, long d, long e, long f) {
        try {
            return (long) Syscalls.SYSCALL.invokeExact(state, number, a, b, c, d, e, f);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static SyscallNumbers numbers() {
        return Syscalls.NUMBERS;
    }

    private static long checked(String call, String objectName, MemorySegment state, long result) {
        if (result < 0) {
            throw Errno.failure(call, objectName, errno(state));
        }
        return result;
    }

    // ------------------------------------------------------------------ shared memory

    /** {@code shm_open}: returns the descriptor. */
    static int shmOpen(String name, int flags, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = callState();
            long path = arena.allocateFrom(SHM_DIRECTORY + name).address();
            return (int) checked("shm_open", name, state, syscall(state, numbers().openat(), AT_FDCWD, path,
                    flags | O_NOFOLLOW | O_CLOEXEC, mode, 0, 0));
        }
    }

    /** {@code open} of any path, never following a final symbolic link, close-on-exec; returns the descriptor. */
    static int open(String path, int flags, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = callState();
            return (int) checked("open", path, state, syscall(state, numbers().openat(), AT_FDCWD, arena.allocateFrom(path).address(),
                    flags | O_NOFOLLOW | O_CLOEXEC, mode, 0, 0));
        }
    }

    static void shmUnlink(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = callState();
            long path = arena.allocateFrom(SHM_DIRECTORY + name).address();
            checked("shm_unlink", name, state, syscall(state, numbers().unlinkat(), AT_FDCWD, path, 0, 0, 0, 0));
        }
    }

    /**
     * Reserves {@code size} bytes for {@code fd} now ({@code fallocate}, as {@code posix_fallocate}
     * does on tmpfs), so that running out of shared memory is an ENOSPC here rather than a SIGBUS
     * at the first write to an unbacked page.
     */
    static void posixFallocate(int fd, long size, String objectName) {
        MemorySegment state = callState();
        checked("posix_fallocate", objectName, state, syscall(state, numbers().fallocate(), fd, 0, 0, size, 0, 0));
    }

    /** The size of the object behind {@code fd}, from {@code fstat}. */
    static long fstatSize(int fd, String objectName) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment stat = arena.allocate(STAT_SIZE, 8);
            MemorySegment state = callState();
            checked("fstat", objectName, state, syscall(state, numbers().fstat(), fd, stat.address(), 0, 0, 0, 0));
            return stat.get(JAVA_LONG, STAT_ST_SIZE_OFFSET);
        }
    }

    /** Maps {@code size} bytes of {@code fd} shared, readable and writable; returns the raw address. */
    static MemorySegment mmapShared(int fd, long size, String objectName) {
        MemorySegment state = callState();
        long address = checked("mmap", objectName, state,
                syscall(state, numbers().mmap(), 0, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
        return MemorySegment.ofAddress(address);
    }

    static void munmap(MemorySegment address, long size, String objectName) {
        MemorySegment state = callState();
        checked("munmap", objectName, state, syscall(state, numbers().munmap(), address.address(), size, 0, 0, 0, 0));
    }

    static void close(int fd, String objectName) {
        MemorySegment state = callState();
        checked("close", objectName, state, syscall(state, numbers().close(), fd, 0, 0, 0, 0, 0));
    }

    /** What multiproc reads of a file's {@code struct stat}. */
    record FileStat(long inode, long linkCount, int mode, int uid, long size) {
        /** Permission bits for group and others: 0 when only the owner may use the file. */
        int groupOrOtherBits() {
            return mode & 077;
        }

        boolean isRegularFile() {
            return (mode & 0170000) == 0100000;
        }

        boolean isDirectory() {
            return (mode & 0170000) == 0040000;
        }
    }

    private static FileStat readStat(MemorySegment stat) {
        SyscallNumbers.StatLayout layout = numbers().stat();
        long links = layout.wideLinkCount() ? stat.get(JAVA_LONG, layout.linkCount()) : stat.get(JAVA_INT, layout.linkCount());
        return new FileStat(stat.get(JAVA_LONG, layout.inode()), links, stat.get(JAVA_INT, layout.mode()),
                stat.get(JAVA_INT, layout.uid()), stat.get(JAVA_LONG, layout.size()));
    }

    /** {@code fstat} of an open descriptor. */
    static FileStat fstat(int fd, String objectName) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment stat = arena.allocate(SyscallNumbers.StatLayout.LENGTH, 8);
            MemorySegment state = callState();
            checked("fstat", objectName, state, syscall(state, numbers().fstat(), fd, stat.address(), 0, 0, 0, 0));
            return readStat(stat);
        }
    }

    private static final long AT_SYMLINK_NOFOLLOW = 0x100;

    /** {@code lstat} of a path (a symbolic link is described, not followed); empty if there is no such file. */
    static java.util.Optional<FileStat> lstat(String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment stat = arena.allocate(SyscallNumbers.StatLayout.LENGTH, 8);
            MemorySegment state = callState();
            long result = syscall(state, numbers().newfstatat(), AT_FDCWD, arena.allocateFrom(path).address(), stat.address(),
                    AT_SYMLINK_NOFOLLOW, 0, 0);
            if (result < 0) {
                int errno = errno(state);
                if (errno == Errno.ENOENT || errno == Errno.ENOTDIR) {
                    return java.util.Optional.empty();
                }
                throw Errno.failure("lstat", path, errno);
            }
            return java.util.Optional.of(readStat(stat));
        }
    }

    /** The path of a shared-memory object's file. */
    static String shmPath(String name) {
        return SHM_DIRECTORY + name;
    }

    /** {@code lstat} of the file behind a shared-memory object; empty if there is none. */
    static java.util.Optional<FileStat> shmStat(String name) {
        return lstat(shmPath(name));
    }

    static void ftruncate(int fd, long size, String objectName) {
        MemorySegment state = callState();
        checked("ftruncate", objectName, state, syscall(state, numbers().ftruncate(), fd, size, 0, 0, 0, 0));
    }

    static void fchown(int fd, int uid, int gid, String objectName) {
        MemorySegment state = callState();
        checked("fchown", objectName, state, syscall(state, numbers().fchown(), fd, uid & 0xFFFF_FFFFL, gid & 0xFFFF_FFFFL, 0, 0, 0));
    }

    /** The effective user id of this process. */
    static int geteuid() {
        MemorySegment state = callState();
        return (int) syscall(state, numbers().geteuid(), 0, 0, 0, 0, 0, 0);
    }

    // ------------------------------------------------------------------ open file description locks

    /** Record locks owned by the open file description (Linux 3.15), released when its last descriptor closes. */
    private static final int F_OFD_GETLK = 36;
    private static final int F_OFD_SETLK = 37;
    private static final int F_OFD_SETLKW = 38;
    static final short F_RDLCK = 0;
    static final short F_WRLCK = 1;
    static final short F_UNLCK = 2;
    private static final short SEEK_SET = 0;
    /** {@code struct flock}: type (2), whence (2), pad, start (8), length (8), pid (4), pad. */
    private static final long FLOCK_LENGTH = 32;
    private static final ThreadLocal<MemorySegment> FLOCK_BUFFER =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(FLOCK_LENGTH, 8));

    private static MemorySegment flock(short type, long start, long length) {
        MemorySegment flock = FLOCK_BUFFER.get();
        flock.fill((byte) 0);
        flock.set(JAVA_SHORT, 0, type);
        flock.set(JAVA_SHORT, 2, SEEK_SET);
        flock.set(JAVA_LONG, 8, start);
        flock.set(JAVA_LONG, 16, length);
        return flock;
    }

    /**
     * Takes (or, with {@link #F_UNLCK}, releases) a lock on {@code length} bytes from {@code start}
     * for the open file description of {@code fd}; with {@code wait}, sleeps until it can.
     *
     * @return 0, or EAGAIN when another description holds a conflicting lock (without {@code wait})
     */
    static int lockRange(int fd, short type, long start, long length, boolean wait, String objectName) {
        MemorySegment flock = flock(type, start, length);
        MemorySegment state = callState();
        while (true) {
            long result = syscall(state, numbers().fcntl(), fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, flock.address(), 0, 0, 0);
            if (result == 0) {
                return 0;
            }
            int errno = errno(state);
            if (errno == Errno.EINTR) {
                continue;
            }
            if (errno == Errno.EAGAIN || errno == Errno.EACCES) {
                return Errno.EAGAIN;
            }
            throw Errno.failure("fcntl(F_OFD_SETLK" + (wait ? "W" : "") + ")", objectName, errno);
        }
    }

    /**
     * Whether some other open file description holds a lock that overlaps {@code length} bytes
     * from {@code start} (the locks of {@code fd}'s own description do not count).
     */
    static boolean rangeLocked(int fd, long start, long length, String objectName) {
        MemorySegment flock = flock(F_WRLCK, start, length);
        MemorySegment state = callState();
        checked("fcntl(F_OFD_GETLK)", objectName, state, syscall(state, numbers().fcntl(), fd, F_OFD_GETLK, flock.address(), 0, 0, 0));
        return flock.get(JAVA_SHORT, 0) != F_UNLCK;
    }

    // ------------------------------------------------------------------ futex

    /**
     * {@code FUTEX_WAIT} on a word in shared memory (not the private variant: other processes
     * wake us). A negative timeout waits forever.
     *
     * @return 0 when woken, otherwise EAGAIN (the word differed), ETIMEDOUT or EINTR
     */
    static int futexWait(MemorySegment word, int expected, long timeoutNanos, String objectName) {
        long timeout = 0;
        if (timeoutNanos >= 0) {
            MemorySegment timespec = TIMESPEC_BUFFER.get();
            timespec.set(JAVA_LONG, 0, timeoutNanos / 1_000_000_000L);
            timespec.set(JAVA_LONG, 8, timeoutNanos % 1_000_000_000L);
            timeout = timespec.address();
        }
        MemorySegment state = callState();
        long result = syscall(state, numbers().futex(), word.address(), FUTEX_WAIT, expected, timeout, 0, 0);
        if (result == 0) {
            return 0;
        }
        int errno = errno(state);
        if (errno == Errno.EAGAIN || errno == Errno.ETIMEDOUT || errno == Errno.EINTR) {
            return errno;
        }
        throw Errno.failure("futex(FUTEX_WAIT)", objectName, errno);
    }

    /** {@code struct futex_waitv}: value, address, flags (FUTEX2_SIZE_U32, shared), reserved. */
    private static final long FUTEX_WAITV_LENGTH = 24;
    private static final int FUTEX2_SIZE_U32 = 2;
    private static final long CLOCK_MONOTONIC = 1;

    /**
     * {@code futex_waitv} (Linux 5.16): sleeps until any of the words is woken or differs from
     * its expected value, or until {@code timeoutNanos} pass.
     *
     * @return 0 when woken or a word differed, ETIMEDOUT, EINTR, or ENOSYS on older kernels
     */
    static int futexWaitAny(long[] addresses, int[] expected, long timeoutNanos, String objectName) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment waiters = arena.allocate(FUTEX_WAITV_LENGTH * addresses.length, 8);
            for (int i = 0; i < addresses.length; i++) {
                long base = i * FUTEX_WAITV_LENGTH;
                waiters.set(JAVA_LONG, base, expected[i] & 0xFFFF_FFFFL);
                waiters.set(JAVA_LONG, base + 8, addresses[i]);
                waiters.set(JAVA_INT, base + 16, FUTEX2_SIZE_U32);
            }
            // the timeout is absolute on CLOCK_MONOTONIC, the clock System.nanoTime reads on Linux
            long deadline = System.nanoTime() + timeoutNanos;
            MemorySegment timespec = arena.allocate(TIMESPEC);
            timespec.set(JAVA_LONG, 0, deadline / 1_000_000_000L);
            timespec.set(JAVA_LONG, 8, deadline % 1_000_000_000L);
            MemorySegment state = callState();
            long result = syscall(state, numbers().futexWaitv(), waiters.address(), addresses.length, 0,
                    timespec.address(), CLOCK_MONOTONIC, 0);
            if (result >= 0) {
                return 0;
            }
            int errno = errno(state);
            if (errno == Errno.EAGAIN) {
                return 0;
            }
            if (errno == Errno.ETIMEDOUT || errno == Errno.EINTR || errno == Errno.ENOSYS) {
                return errno;
            }
            throw Errno.failure("futex_waitv", objectName, errno);
        }
    }

    /** {@code FUTEX_WAKE}; returns how many sleepers were woken. */
    static int futexWake(MemorySegment word, int count, String objectName) {
        MemorySegment state = callState();
        return (int) checked("futex(FUTEX_WAKE)", objectName, state,
                syscall(state, numbers().futex(), word.address(), FUTEX_WAKE, count, 0, 0, 0));
    }

    // ------------------------------------------------------------------ membarrier

    /** {@code MEMBARRIER_CMD_QUERY}: the commands this kernel offers, as a bit mask of their numbers. */
    static final int MEMBARRIER_CMD_QUERY = 0;
    /** A full barrier on every running thread of every process registered for it. */
    static final int MEMBARRIER_CMD_GLOBAL_EXPEDITED = 1 << 1;
    /** Registers the calling process (all its threads) for {@link #MEMBARRIER_CMD_GLOBAL_EXPEDITED}. */
    static final int MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED = 1 << 2;

    /**
     * {@code membarrier(2)} (Linux 4.16 for the global expedited commands).
     *
     * @return what the call returned (for {@link #MEMBARRIER_CMD_QUERY}, the mask of commands), or
     *         minus the errno where it failed (ENOSYS, EINVAL, EPERM: the caller falls back)
     */
    static long membarrier(int command) {
        MemorySegment state = callState();
        long result = syscall(state, numbers().membarrier(), command, 0, 0, 0, 0, 0);
        return result >= 0 ? result : -errno(state);
    }

    // ------------------------------------------------------------------ POSIX named semaphores

    private static final class Semaphores {
        static final MethodHandle SEM_OPEN = bind("sem_open",
                FunctionDescriptor.of(C_POINTER, C_POINTER, JAVA_INT, JAVA_INT, JAVA_INT),
                Linker.Option.firstVariadicArg(2));
        static final MethodHandle SEM_OPEN_EXISTING = bind("sem_open",
                FunctionDescriptor.of(C_POINTER, C_POINTER, JAVA_INT), Linker.Option.firstVariadicArg(2));
        static final MethodHandle SEM_CLOSE = bind("sem_close", FunctionDescriptor.of(JAVA_INT, C_POINTER));
        static final MethodHandle SEM_UNLINK = bind("sem_unlink", FunctionDescriptor.of(JAVA_INT, C_POINTER));
        static final MethodHandle SEM_TRYWAIT = bind("sem_trywait", FunctionDescriptor.of(JAVA_INT, C_POINTER));
        static final MethodHandle SEM_TIMEDWAIT = bind("sem_timedwait", FunctionDescriptor.of(JAVA_INT, C_POINTER, C_POINTER));
        static final MethodHandle SEM_POST = bind("sem_post", FunctionDescriptor.of(JAVA_INT, C_POINTER));
        static final MethodHandle SEM_GETVALUE = bind("sem_getvalue", FunctionDescriptor.of(JAVA_INT, C_POINTER, C_POINTER));
    }

    /** Creates a semaphore exclusively; returns the {@code sem_t*}. The name must start with '/'. */
    static MemorySegment semCreate(String name, int initialValue) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = callState();
            MemorySegment sem = (MemorySegment) Semaphores.SEM_OPEN.invokeExact(state, arena.allocateFrom(name),
                    O_CREAT | O_EXCL, OWNER_READ_WRITE, initialValue);
            if (sem.address() == 0L) {
                throw Errno.failure("sem_open", name, errno(state));
            }
            return sem;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static MemorySegment semOpenExisting(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = callState();
            MemorySegment sem = (MemorySegment) Semaphores.SEM_OPEN_EXISTING.invokeExact(state, arena.allocateFrom(name), 0);
            if (sem.address() == 0L) {
                throw Errno.failure("sem_open", name, errno(state));
            }
            return sem;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void semClose(MemorySegment sem, String name) {
        try {
            MemorySegment state = callState();
            if ((int) Semaphores.SEM_CLOSE.invokeExact(state, sem) != 0) {
                throw Errno.failure("sem_close", name, errno(state));
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void semUnlink(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = callState();
            if ((int) Semaphores.SEM_UNLINK.invokeExact(state, arena.allocateFrom(name)) != 0) {
                throw Errno.failure("sem_unlink", name, errno(state));
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** @return whether a permit was taken */
    static boolean semTryWait(MemorySegment sem, String name) {
        try {
            MemorySegment state = callState();
            if ((int) Semaphores.SEM_TRYWAIT.invokeExact(state, sem) == 0) {
                return true;
            }
            int errno = errno(state);
            if (errno == Errno.EAGAIN || errno == Errno.EINTR) {
                return false;
            }
            throw Errno.failure("sem_trywait", name, errno);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Waits until {@code deadlineEpochNanos} on CLOCK_REALTIME, as {@code sem_timedwait} requires.
     *
     * @return 0 on success, or ETIMEDOUT or EINTR
     */
    static int semTimedWait(MemorySegment sem, long deadlineEpochNanos, String name) {
        try {
            MemorySegment deadline = TIMESPEC_BUFFER.get();
            deadline.set(JAVA_LONG, 0, Math.floorDiv(deadlineEpochNanos, 1_000_000_000L));
            deadline.set(JAVA_LONG, 8, Math.floorMod(deadlineEpochNanos, 1_000_000_000L));
            MemorySegment state = callState();
            if ((int) Semaphores.SEM_TIMEDWAIT.invokeExact(state, sem, deadline) == 0) {
                return 0;
            }
            int errno = errno(state);
            if (errno == Errno.ETIMEDOUT || errno == Errno.EINTR) {
                return errno;
            }
            throw Errno.failure("sem_timedwait", name, errno);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void semPost(MemorySegment sem, String name) {
        try {
            MemorySegment state = callState();
            if ((int) Semaphores.SEM_POST.invokeExact(state, sem) != 0) {
                throw Errno.failure("sem_post", name, errno(state));
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int semGetValue(MemorySegment sem, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_INT);
            MemorySegment state = callState();
            if ((int) Semaphores.SEM_GETVALUE.invokeExact(state, sem, value) != 0) {
                throw Errno.failure("sem_getvalue", name, errno(state));
            }
            return value.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ------------------------------------------------------------------ processes

    /** The posix_spawn family, called through {@link #callForInt}: each takes pointers and ints and returns an int. */
    private static final class Spawning {
        static final MemorySegment POSIX_SPAWN = function("posix_spawn");
        static final MemorySegment FILE_ACTIONS_INIT = function("posix_spawn_file_actions_init");
        static final MemorySegment FILE_ACTIONS_DESTROY = function("posix_spawn_file_actions_destroy");
        static final MemorySegment FILE_ACTIONS_ADDOPEN = function("posix_spawn_file_actions_addopen");
        static final MemorySegment FILE_ACTIONS_ADDCLOSE = function("posix_spawn_file_actions_addclose");
        /** glibc 2.34 and later only. */
        static final Optional<MemorySegment> FILE_ACTIONS_ADDCLOSEFROM = findFunction("posix_spawn_file_actions_addclosefrom_np");

        private static MemorySegment function(String name) {
            return findFunction(name).orElseThrow(() -> notFound(name));
        }
    }

    /** Whether this C library has {@code posix_spawn_file_actions_addclosefrom_np} (glibc 2.34+). */
    static boolean hasSpawnCloseFrom() {
        return Spawning.FILE_ACTIONS_ADDCLOSEFROM.isPresent();
    }

    /** glibc's version ({@code gnu_get_libc_version}); empty on another C library. */
    static Optional<String> gnuLibcVersion() {
        try {
            Optional<MethodHandle> version = bindIfPresent("gnu_get_libc_version", FunctionDescriptor.of(C_POINTER));
            if (version.isEmpty()) {
                return Optional.empty();
            }
            MemorySegment text = (MemorySegment) version.get().invokeExact(callState());
            return Optional.of(text.reinterpret(64).getString(0));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Whether the kernel has {@code futex_waitv} (5.16+): asked with no words, which it refuses otherwise than with ENOSYS. */
    static boolean hasFutexWaitv() {
        MemorySegment state = callState();
        return syscall(state, numbers().futexWaitv(), 0, 0, 0, 0, 0, 0) == 0 || errno(state) != Errno.ENOSYS;
    }

    private static final int CLOSE_RANGE_CLOEXEC = 1 << 2;

    /**
     * {@code close_range(from, ~0, CLOSE_RANGE_CLOEXEC)} (Linux 5.11): marks every descriptor of
     * this process from {@code from} up close-on-exec.
     *
     * @return 0, or the errno (ENOSYS or EINVAL on kernels without it)
     */
    static int closeOnExecFrom(int from) {
        MemorySegment state = callState();
        return syscall(state, numbers().closeRange(), from, 0xFFFF_FFFFL, CLOSE_RANGE_CLOEXEC, 0, 0, 0) == 0 ? 0 : errno(state);
    }

    /** @return 0, or ESRCH when there is no such process */
    static int kill(long pid, int signal) {
        MemorySegment state = callState();
        if (syscall(state, numbers().kill(), pid, signal, 0, 0, 0, 0) == 0) {
            return 0;
        }
        int errno = errno(state);
        if (errno == Errno.ESRCH) {
            return errno;
        }
        throw Errno.failure("kill(" + signal + ")", "pid " + pid, errno);
    }

    /**
     * Blocking {@code waitpid} (the {@code wait4} system call) for one child, retried on EINTR.
     *
     * @return the raw wait status
     */
    static int waitpid(long pid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment status = arena.allocate(JAVA_INT);
            MemorySegment state = callState();
            while (true) {
                long result = syscall(state, numbers().wait4(), pid, status.address(), 0, 0, 0, 0);
                if (result == pid) {
                    return status.get(JAVA_INT, 0);
                }
                int errno = errno(state);
                if (errno != Errno.EINTR) {
                    throw Errno.failure("waitpid", "pid " + pid, errno);
                }
            }
        }
    }

    /** Puts {@code signal} back to its default action ({@code rt_sigaction} with SIG_DFL, as {@code signal(2)} does). */
    static void restoreDefaultSignalAction(int signal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment action = arena.allocate(KERNEL_SIGACTION_SIZE, 8);
            MemorySegment state = callState();
            checked("rt_sigaction(" + signal + ", SIG_DFL)", null, state,
                    syscall(state, numbers().rtSigaction(), signal, action.address(), 0, KERNEL_SIGSET_SIZE, 0, 0));
        }
    }

    /**
     * {@code posix_spawn} of {@code argv[0]} with standard input from /dev/null and, if
     * {@code closeFromThree}, every descriptor above 2 closed in the child (glibc 2.34+); else
     * each of {@code close} closed in it (descriptors that are not open then are passed over).
     *
     * @return the child's pid
     */
    static int spawn(String[] argv, String[] environment, boolean closeFromThree, int[] close) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fileActions = arena.allocate(SPAWN_FILE_ACTIONS_SIZE, 8);
            MemorySegment state = callState();
            long actions = fileActions.address();
            check("posix_spawn_file_actions_init", argv[0], callForInt(Spawning.FILE_ACTIONS_INIT, state, actions, 0, 0, 0, 0, 0, 0));
            try {
                check("posix_spawn_file_actions_addopen", "/dev/null", callForInt(Spawning.FILE_ACTIONS_ADDOPEN, state, actions, 0,
                        arena.allocateFrom("/dev/null").address(), O_RDONLY, 0, 0, 0));
                if (closeFromThree) {
                    MemorySegment closeFrom = Spawning.FILE_ACTIONS_ADDCLOSEFROM
                            .orElseThrow(() -> notFound("posix_spawn_file_actions_addclosefrom_np"));
                    check("posix_spawn_file_actions_addclosefrom_np", argv[0], callForInt(closeFrom, state, actions, 3, 0, 0, 0, 0, 0));
                }
                for (int fd : close) {
                    check("posix_spawn_file_actions_addclose", argv[0],
                            callForInt(Spawning.FILE_ACTIONS_ADDCLOSE, state, actions, fd, 0, 0, 0, 0, 0));
                }
                MemorySegment pid = arena.allocate(JAVA_INT);
                int result = callForInt(Spawning.POSIX_SPAWN, state, pid.address(), arena.allocateFrom(argv[0]).address(), actions,
                        0, cStringArray(arena, argv).address(), cStringArray(arena, environment).address(), 0);
                check("posix_spawn", argv[0], result);
                return pid.get(JAVA_INT, 0);
            } finally {
                int ignored = callForInt(Spawning.FILE_ACTIONS_DESTROY, state, actions, 0, 0, 0, 0, 0, 0);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The posix_spawn family returns the error number instead of setting errno. */
    private static void check(String call, String objectName, int errorNumber) {
        if (errorNumber != 0) {
            throw Errno.failure(call, objectName, errorNumber);
        }
    }

    private static MemorySegment cStringArray(Arena arena, String[] strings) {
        MemorySegment array = arena.allocate(ADDRESS, strings.length + 1L);
        for (int i = 0; i < strings.length; i++) {
            array.setAtIndex(ADDRESS, i, arena.allocateFrom(strings[i]));
        }
        array.setAtIndex(ADDRESS, strings.length, MemorySegment.NULL);
        return array;
    }

    /**
     * {@code pidfd_open}: a descriptor that becomes readable when the process ends.
     *
     * @return the descriptor, or {@code -errno} (ESRCH: already gone; ENOSYS: kernel before 5.3)
     */
    static int pidfdOpen(long pid) {
        MemorySegment state = callState();
        long fd = syscall(state, numbers().pidfdOpen(), pid, 0, 0, 0, 0, 0);
        return fd >= 0 ? (int) fd : -errno(state);
    }

    /** Polls one descriptor for input ({@code ppoll}); returns whether it became readable within the timeout. */
    static boolean pollReadable(int fd, int timeoutMillis, String objectName) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pollfd = arena.allocate(8, 4);
            pollfd.set(JAVA_INT, 0, fd);
            pollfd.set(JAVA_SHORT, 4, POLLIN);
            MemorySegment timeout = arena.allocate(TIMESPEC);
            timeout.set(JAVA_LONG, 0, timeoutMillis / 1000);
            timeout.set(JAVA_LONG, 8, (timeoutMillis % 1000) * 1_000_000L);
            MemorySegment state = callState();
            long result = syscall(state, numbers().ppoll(), pollfd.address(), 1, timeout.address(), 0, KERNEL_SIGSET_SIZE, 0);
            if (result < 0) {
                int errno = errno(state);
                if (errno == Errno.EINTR) {
                    return false;
                }
                throw Errno.failure("poll", objectName, errno);
            }
            return result > 0;
        }
    }

    // ------------------------------------------------------------------ errors

    private static final class Errors {
        static final MethodHandle STRERROR = LINKER.downcallHandle(
                LIBC.find("strerror").orElseThrow(), FunctionDescriptor.of(C_POINTER, JAVA_INT));
    }

    static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) Errors.STRERROR.invokeExact(errno);
            return text.reinterpret(1024).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }
}
