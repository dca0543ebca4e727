package dev.multiproc.posix;

import dev.multiproc.NativeCallException;

import java.util.Optional;

/**
 * Removing a file of {@code /dev/shm} only while nobody uses it. Users hold OFD locks on it (a
 * read lock on byte 0 for every mapping of an object; slot locks in a registry); whoever takes
 * a write lock over those bytes without waiting knows that nobody holds one, removes the name
 * while it holds the lock, and lets go. A process that opened the name just before sees, once it
 * has its own lock, that the file has no link left, and treats the name as gone.
 */
final class ShmFiles {

    private ShmFiles() {
    }

    /**
     * Removes {@code name} if no open file description holds a lock on {@code length} bytes from
     * {@code start}.
     *
     * @return whether the name was removed
     */
    static boolean unlinkIfUnlocked(String name, long start, long length) {
        int fd = openOrNegative(name, Libc.O_RDWR);
        if (fd < 0) {
            return false;
        }
        try {
            if (Libc.lockRange(fd, Libc.F_WRLCK, start, length, false, name) != 0) {
                return false;
            }
            // the name may point to a newer file by now: only the one we hold may go
            Optional<Libc.FileStat> named = Libc.shmStat(name);
            if (named.isEmpty() || named.get().inode() != Libc.fstat(fd, name).inode()) {
                return false;
            }
            Libc.shmUnlink(name);
            return true;
        } catch (NativeCallException e) {
            if (e.errorCode() == Errno.ENOENT) {
                return false;
            }
            throw e;
        } finally {
            Libc.close(fd, name);
        }
    }

    /** Whether some open file description holds a lock on {@code length} bytes of {@code name} from {@code start}. */
    static boolean locked(String name, long start, long length) {
        int fd = openOrNegative(name, Libc.O_RDONLY);
        if (fd < 0) {
            return false;
        }
        try {
            return Libc.rangeLocked(fd, start, length, name);
        } finally {
            Libc.close(fd, name);
        }
    }

    /** The descriptor of {@code name}, or -1 if there is no such file or it is another user's. */
    private static int openOrNegative(String name, int flags) {
        try {
            return Libc.open(Libc.shmPath(name), flags, 0);
        } catch (NativeCallException e) {
            if (e.errorCode() == Errno.ENOENT || e.errorCode() == Errno.EACCES) {
                return -1;
            }
            throw e;
        }
    }
}
