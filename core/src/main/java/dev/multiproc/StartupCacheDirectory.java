package dev.multiproc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Where child JVMs' start-up cache (an AOT or class-data-sharing archive, which a JVM maps and
 * runs code from) lives: {@code $XDG_CACHE_HOME/multiproc}, else {@code ~/.cache/multiproc},
 * created with mode 0700. Whoever can write an archive there can run code in every child, so the
 * directory and each archive are trusted only if they are what they claim — a real directory or
 * regular file (not a symbolic link), owned by this user, writable by nobody else — checked with
 * {@code lstat} before each use. On any doubt children start without the cache, and the reason is
 * logged once.
 */
final class StartupCacheDirectory {
    private static final System.Logger LOG = System.getLogger("dev.multiproc");
    private static final AtomicBoolean DOUBT_LOGGED = new AtomicBoolean();
    private static final Set<PosixFilePermission> WRITABLE_BY_OTHERS = Set.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);

    private StartupCacheDirectory() {
    }

    /** The cache directory, created if missing; empty (reason logged once) if it cannot be trusted. */
    static Optional<Path> trusted() {
        Path directory = location();
        try {
            if (!Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(directory.getParent());
                Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
        } catch (IOException | UnsupportedOperationException e) {
            return doubt(directory, "it cannot be created (" + e + ")");
        }
        Optional<String> doubt = untrustedBecause(directory, true);
        return doubt.isPresent() ? doubt(directory, doubt.get()) : Optional.of(directory);
    }

    /** What {@code multiproc doctor} says about the cache directory (nothing is created or logged). */
    static PlatformCheck check() {
        Path directory = location();
        if (!Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
            return PlatformCheck.ok("start-up cache", directory + " (made with mode 0700 when a child first starts)");
        }
        Optional<String> doubt = untrustedBecause(directory, true);
        return doubt.map(reason -> PlatformCheck.problem("start-up cache", directory + " is not trusted: " + reason,
                        "children start without the cache (about 3x slower): remove it (multiproc remakes it 0700) or set XDG_CACHE_HOME"))
                .orElseGet(() -> PlatformCheck.ok("start-up cache", directory + " (trusted: this user's, 0700)"));
    }

    /** Whether an archive found in the trusted directory may be given to a child JVM. */
    static boolean trustedArchive(Path archive) {
        if (!Files.exists(archive, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        Optional<String> doubt = untrustedBecause(archive, false);
        return doubt.isEmpty() || doubt(archive, doubt.get()).isPresent();
    }

    static Path location() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute() ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("multiproc");
    }

    /** Why {@code path} is not a directory (or regular file) of this user's that only this user can write; empty if it is. */
    private static Optional<String> untrustedBecause(Path path, boolean directory) {
        try {
            PosixFileAttributes attributes = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (attributes.isSymbolicLink()) {
                return Optional.of("it is a symbolic link");
            }
            if (directory ? !attributes.isDirectory() : !attributes.isRegularFile()) {
                return Optional.of(directory ? "it is not a directory" : "it is not a regular file");
            }
            String me = System.getProperty("user.name");
            if (!attributes.owner().getName().equals(me)) {
                return Optional.of("it belongs to " + attributes.owner().getName() + ", not to " + me);
            }
            if (attributes.permissions().stream().anyMatch(WRITABLE_BY_OTHERS::contains)) {
                return Optional.of("others may write to it (" + PosixFilePermissions.toString(attributes.permissions()) + ")");
            }
            return Optional.empty();
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.of("its owner and permissions cannot be read (" + e + ")");
        }
    }

    private static <T> Optional<T> doubt(Path path, String reason) {
        if (DOUBT_LOGGED.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "child JVMs start without the start-up cache: " + path + " is not trusted, because "
                    + reason + ". Remove it (multiproc recreates it with mode 0700) or set XDG_CACHE_HOME elsewhere.");
        }
        return Optional.empty();
    }
}
