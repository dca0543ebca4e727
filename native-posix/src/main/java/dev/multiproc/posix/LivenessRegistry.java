package dev.multiproc.posix;

import dev.multiproc.MultiprocException;
import dev.multiproc.NativeCallException;
import dev.multiproc.spi.Liveness;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

import static dev.multiproc.posix.RegistryLayout.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The liveness of one user's processes, kept in that user's registry file (see
 * {@link RegistryLayout}).
 *
 * <p>Registering: find the registry (the first of a few candidate names that is a regular file
 * owned by the user with mode 0600 — a name squatted by another user is passed over — or create
 * one), lock its header while creating or checking it, take the first free slot from the hint on
 * with a non-blocking OFD write lock, make sure the file is still the one the name points to (it
 * may have been removed as unused meanwhile: then start again), and publish the slot's new
 * generation with a release store after its pid. The lock is held until the process ends.
 *
 * <p>Asking: a token is alive when its slot's generation (acquire) still gives the token and some
 * open file description holds a lock on the slot ({@code F_OFD_GETLK}). A process that is not
 * registered reads the registry without locking anything; before it calls a token dead it checks
 * that it reads the file the name points to now, since a registry with nobody in it may have been
 * removed and made again.
 *
 * <p>Memory effects: the holder writes pid and namespace, then the generation (release); a reader
 * that sees the generation (acquire) sees them.
 */
final class LivenessRegistry implements Liveness {
    private static final Map<Integer, LivenessRegistry> BY_USER = new ConcurrentHashMap<>();
    /** The registry's name, then alternatives in case another user has taken a name first. */
    private static final int CANDIDATE_NAMES = 8;
    private static final int REGISTER_ATTEMPTS = 16;
    private static final java.lang.invoke.VarHandle LONG = JAVA_LONG.varHandle();

    /** Read on first need (registering, describing): file attribute views cost a child JVM milliseconds to load. */
    private static final class OwnPidNamespace {
        static final long INODE = pidNamespace();
    }

    /** One registry file, mapped. */
    private record View(String name, int fd, long inode, MemorySegment memory, long epoch, int slots) {
        long generationOf(int slot) {
            return (long) LONG.getAcquire(memory, slotOffset(slot) + SLOT_GENERATION_OFFSET);
        }

        boolean matches(long token) {
            int slot = slotOf(token);
            return slot < slots && ((epoch + generationOf(slot)) & GENERATION_MASK) == (token & GENERATION_MASK);
        }
    }

    private final int uid;
    private final boolean ownUser;
    private volatile View view;
    private volatile long token;
    private int slot = -1;

    private LivenessRegistry(int uid, boolean ownUser) {
        this.uid = uid;
        this.ownUser = ownUser;
    }

    /** The registry of the objects owned by {@code uid} (one per user, for this JVM's life). */
    static LivenessRegistry ofUser(int uid) {
        return BY_USER.computeIfAbsent(uid, user -> new LivenessRegistry(user, user == Libc.geteuid()));
    }

    static String candidateName(int uid, int index) {
        return "mp-registry-" + Integer.toUnsignedString(uid) + (index == 0 ? "" : "-" + index);
    }

    /** Whether {@code name} is one of the registries' names (not a multiproc object). */
    static boolean isRegistryName(String name) {
        return name.startsWith("mp-registry-");
    }

    // ------------------------------------------------------------------ asking

    @Override
    public long currentToken() {
        long current = token;
        return current != 0 ? current : register();
    }

    @Override
    public boolean isAlive(long token) {
        if (token <= 0) {
            return false;
        }
        if (token == this.token) {
            return true;
        }
        View current = view();
        if (current != null && aliveIn(current, token)) {
            return true;
        }
        View fresh = refreshedView(current);
        return fresh != current && fresh != null && aliveIn(fresh, token);
    }

    private static boolean aliveIn(View view, long token) {
        return view.matches(token)
                && Libc.rangeLocked(view.fd(), slotOffset(slotOf(token)), SLOT_LENGTH, view.name());
    }

    @Override
    public OptionalLong pid(long token) {
        View current = view();
        if (current == null || token <= 0 || !current.matches(token)) {
            return OptionalLong.empty();
        }
        return OptionalLong.of((long) LONG.get(current.memory(), slotOffset(slotOf(token)) + SLOT_PID_OFFSET));
    }

    @Override
    public String describe(long token) {
        OptionalLong pid = pid(token);
        if (pid.isEmpty()) {
            return "an ended process";
        }
        long namespace = (long) LONG.get(view().memory(), slotOffset(slotOf(token)) + SLOT_PID_NAMESPACE_OFFSET);
        return "pid " + pid.getAsLong() + (namespace != OwnPidNamespace.INODE ? " in another PID namespace" : "");
    }

    /** The file read now; opened on first use; null if the user has no registry (nobody registered). */
    private View view() {
        View current = view;
        if (current == null) {
            synchronized (this) {
                current = view;
                if (current == null) {
                    current = open(false);
                    view = current;
                }
            }
        }
        return current;
    }

    /** The file the name points to now, if {@code seen} is not it (only an unregistered reader can fall behind). */
    private synchronized View refreshedView(View seen) {
        if (token != 0 || view != seen) {
            return view;
        }
        Optional<Libc.FileStat> now = seen == null ? Optional.empty() : Libc.shmStat(seen.name());
        if (seen != null && now.isPresent() && now.get().inode() == seen.inode()) {
            return seen;
        }
        View reopened = open(false);
        if (reopened != null && seen != null) {
            Libc.close(seen.fd(), seen.name());
        }
        if (reopened != null || seen == null) {
            view = reopened;
        }
        return view;
    }

    // ------------------------------------------------------------------ registering

    private synchronized long register() {
        if (token != 0) {
            return token;
        }
        for (int attempt = 0; attempt < REGISTER_ATTEMPTS; attempt++) {
            View file = open(true);
            int claimed = claimSlot(file);
            if (claimed < 0) {
                Libc.close(file.fd(), file.name());
                throw new MultiprocException("the multiproc liveness registry " + Libc.shmPath(file.name()) + " is full: "
                        + file.slots() + " processes of this user are registered; end some of them");
            }
            if (!stillLinked(file)) {
                Libc.close(file.fd(), file.name());
                continue;
            }
            long slotBase = slotOffset(claimed);
            long generation = (long) LONG.get(file.memory(), slotBase + SLOT_GENERATION_OFFSET) + 1;
            if (token(claimed, file.epoch(), generation) == 0) {
                generation++;
            }
            LONG.set(file.memory(), slotBase + SLOT_PID_OFFSET, ProcessHandle.current().pid());
            LONG.set(file.memory(), slotBase + SLOT_PID_NAMESPACE_OFFSET, OwnPidNamespace.INODE);
            LONG.setRelease(file.memory(), slotBase + SLOT_GENERATION_OFFSET, generation);
            View reader = view;
            view = file;
            if (reader != null) {
                Libc.close(reader.fd(), reader.name());
            }
            slot = claimed;
            token = token(claimed, file.epoch(), generation);
            return token;
        }
        throw new MultiprocException("could not register with the multiproc liveness registry of uid "
                + Integer.toUnsignedString(uid) + " in /dev/shm: it kept being removed and made again");
    }

    private static int claimSlot(View file) {
        long hint = (long) LONG.getAndAdd(file.memory(), HINT_OFFSET, 1L);
        int start = (int) Math.floorMod(hint, (long) file.slots());
        for (int i = 0; i < file.slots(); i++) {
            int candidate = (start + i) % file.slots();
            if (Libc.lockRange(file.fd(), Libc.F_WRLCK, slotOffset(candidate), SLOT_LENGTH, false, file.name()) == 0) {
                return candidate;
            }
        }
        return -1;
    }

    private static boolean stillLinked(View file) {
        Optional<Libc.FileStat> now = Libc.shmStat(file.name());
        return now.isPresent() && now.get().inode() == file.inode() && Libc.fstat(file.fd(), file.name()).linkCount() > 0;
    }

    /**
     * Lets go of this process's slot (at exit, after the last use of the token) and removes the
     * registry if nobody else is registered.
     */
    synchronized void unregister() {
        View file = view;
        if (file == null) {
            return;
        }
        if (slot >= 0) {
            Libc.lockRange(file.fd(), Libc.F_UNLCK, slotOffset(slot), SLOT_LENGTH, false, file.name());
            slot = -1;
        }
        ShmFiles.unlinkIfUnlocked(file.name(), 0, LENGTH);
    }

    // ------------------------------------------------------------------ finding the file

    /**
     * Opens and maps the registry: the first candidate name that is this user's, or (if
     * {@code create}) a new one at the first free name.
     *
     * @return null when there is none and {@code create} is false
     */
    private View open(boolean create) {
        for (int attempt = 0; attempt < REGISTER_ATTEMPTS; attempt++) {
            int firstFree = -1;
            boolean raced = false;
            for (int index = 0; index < CANDIDATE_NAMES && !raced; index++) {
                String name = candidateName(uid, index);
                Optional<Libc.FileStat> stat = Libc.shmStat(name);
                if (stat.isEmpty()) {
                    firstFree = firstFree < 0 ? index : firstFree;
                    continue;
                }
                if (!trusted(stat.get())) {
                    continue;
                }
                int fd;
                try {
                    fd = Libc.open(Libc.shmPath(name), Libc.O_RDWR, 0);
                } catch (NativeCallException gone) {
                    raced = true;
                    continue;
                }
                View opened = checkedView(name, fd, create);
                if (opened != null) {
                    return opened;
                }
                raced = Libc.shmStat(name).isEmpty();
            }
            if (raced) {
                continue;
            }
            if (!create) {
                return null;
            }
            if (firstFree < 0) {
                throw new MultiprocException("no name is free for the multiproc liveness registry of uid " + Integer.toUnsignedString(uid)
                        + ": /dev/shm/" + candidateName(uid, 0) + " to -" + (CANDIDATE_NAMES - 1)
                        + " all exist and belong to other users or are not registries; remove them");
            }
            String name = candidateName(uid, firstFree);
            int fd;
            try {
                fd = Libc.open(Libc.shmPath(name), Libc.O_RDWR | Libc.O_CREAT | Libc.O_EXCL, Libc.OWNER_READ_WRITE);
            } catch (NativeCallException e) {
                if (e.errorCode() == Errno.EEXIST) {
                    continue;
                }
                throw e;
            }
            if (!ownUser) {
                Libc.fchown(fd, uid, -1, name);
            }
            View created = checkedView(name, fd, true);
            if (created != null) {
                return created;
            }
        }
        throw new MultiprocException("could not open the multiproc liveness registry of uid " + Integer.toUnsignedString(uid)
                + " in /dev/shm: it kept being removed and made again");
    }

    private boolean trusted(Libc.FileStat stat) {
        return stat.isRegularFile() && stat.uid() == uid && stat.groupOrOtherBits() == 0;
    }

    /**
     * Locks the header, creates it if the file is new, checks it otherwise, and maps the file;
     * null (descriptor closed) if the file is not a usable registry or was removed meanwhile.
     */
    private View checkedView(String name, int fd, boolean mayInitialise) {
        boolean keep = false;
        try {
            Libc.lockRange(fd, Libc.F_WRLCK, 0, HEADER_LENGTH, true, name);
            try {
                Libc.FileStat stat = Libc.fstat(fd, name);
                if (!trusted(stat) || stat.linkCount() == 0) {
                    return null;
                }
                if (stat.size() == 0) {
                    if (!mayInitialise) {
                        return null;
                    }
                    Libc.ftruncate(fd, LENGTH, name);
                }
                MemorySegment memory = map(fd, name);
                if (stat.size() == 0) {
                    initialise(memory);
                } else if (stat.size() != LENGTH || (long) LONG.getAcquire(memory, MAGIC_OFFSET) != MAGIC
                        || memory.get(JAVA_INT, VERSION_OFFSET) != VERSION || memory.get(JAVA_INT, SLOTS_OFFSET) != SLOTS) {
                    return null;
                }
                keep = true;
                return new View(name, fd, stat.inode(), memory, memory.get(JAVA_LONG, EPOCH_OFFSET), SLOTS);
            } finally {
                Libc.lockRange(fd, Libc.F_UNLCK, 0, HEADER_LENGTH, false, name);
            }
        } finally {
            if (!keep) {
                Libc.close(fd, name);
            }
        }
    }

    private static MemorySegment map(int fd, String name) {
        // mapped for the life of the JVM: tokens are checked from any thread at any time
        return Libc.mmapShared(fd, LENGTH, name).reinterpret(LENGTH, Arena.global(), null);
    }

    private static void initialise(MemorySegment memory) {
        memory.set(JAVA_INT, VERSION_OFFSET, VERSION);
        memory.set(JAVA_INT, SLOTS_OFFSET, SLOTS);
        memory.set(JAVA_LONG, EPOCH_OFFSET, ThreadLocalRandom.current().nextLong());
        VarHandle.releaseFence();
        LONG.setRelease(memory, MAGIC_OFFSET, MAGIC);
    }

    private static long pidNamespace() {
        try {
            Object inode = Files.getAttribute(Path.of("/proc/self/ns/pid"), "unix:ino");
            return inode instanceof Long value ? value : 0L;
        } catch (Exception unreadable) {
            return 0L;
        }
    }

    @Override
    public String toString() {
        return "liveness registry of uid " + Integer.toUnsignedString(uid);
    }
}
