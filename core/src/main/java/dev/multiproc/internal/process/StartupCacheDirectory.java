package dev.multiproc.internal.process;

import dev.multiproc.PlatformCheck;
import dev.multiproc.internal.MultiprocLog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where child JVMs' start-up cache (an AOT or class-data-sharing archive, which a JVM maps and
 * runs code from) lives: {@code $XDG_CACHE_HOME/multiproc}, else {@code ~/.cache/multiproc},
 * created with mode 0700. Whoever can write an archive there can run code in every child, so the
 * directory and each archive are trusted only if they are what they claim — a real directory or
 * regular file (not a symbolic link), owned by this user, writable by nobody else — checked with
 * {@code lstat} before each use. On any doubt children start without the cache, and the reason is
 * logged once.
 *
 * <p>Every rebuilt jar or changed option makes a new archive (each 15–20 MB), so the directory is
 * pruned whenever one is added: archives unused for {@link #UNUSED_LIMIT} go, and all but the
 * {@link #KEPT_ARCHIVES} most recently used; so do the temporary files of trainers that died. An
 * archive's modification time is its last use: a JVM that starts children with it sets it.
 */
public final class StartupCacheDirectory {
    private static final AtomicBoolean DOUBT_LOGGED = new AtomicBoolean();
    private static final Set<PosixFilePermission> WRITABLE_BY_OTHERS = Set.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);

    /** How many archives the directory keeps at most, the most recently used. */
    static final int KEPT_ARCHIVES = 16;
    /** An archive not used for this long is removed. */
    static final Duration UNUSED_LIMIT = Duration.ofDays(7);
    /** A trainer's temporary file this old belongs to a trainer that hung or died (training takes seconds). */
    static final Duration ABANDONED_TRAINING = Duration.ofHours(1);
    private static final Pattern ARCHIVE = Pattern.compile("[0-9a-f]{24}\\.(aot|jsa)");
    private static final Pattern TRAINING = Pattern.compile("[0-9a-f]{24}\\.(aot|jsa)\\.tmp-([0-9]{1,10})");

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
    public static PlatformCheck check() {
        Path directory = location();
        if (!Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
            return PlatformCheck.ok("start-up cache", directory + " (made with mode 0700 when a child first starts)");
        }
        Optional<String> doubt = untrustedBecause(directory, true);
        return doubt.map(reason -> PlatformCheck.problem("start-up cache", directory + " is not trusted: " + reason,
                        "children start without the cache (about 3x slower): remove it (multiproc remakes it 0700) or set XDG_CACHE_HOME"))
                .orElseGet(() -> PlatformCheck.ok("start-up cache", directory + " (trusted: this user's, 0700; " + contentsSummary(directory) + ")"));
    }

    private static String contentsSummary(Path directory) {
        long count = 0;
        long bytes = 0;
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.toList()) {
                if (ARCHIVE.matcher(file.getFileName().toString()).matches()) {
                    count++;
                    bytes += sizeOrZero(file);
                }
            }
        } catch (IOException e) {
            return "contents unreadable: " + e.getMessage();
        }
        return count + " archives, " + (bytes >> 20) + " MiB, at most " + KEPT_ARCHIVES + " kept";
    }

    private static long sizeOrZero(Path file) {
        try {
            return Files.size(file);
        } catch (IOException removedMeanwhile) {
            return 0;
        }
    }

    /** Whether an archive found in the trusted directory may be given to a child JVM. */
    static boolean trustedArchive(Path archive) {
        if (!Files.exists(archive, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        Optional<String> doubt = untrustedBecause(archive, false);
        return doubt.isEmpty() || doubt(archive, doubt.get()).isPresent();
    }

    /** Records that a JVM starts its children with {@code archive} now, so that pruning keeps it. */
    static void markUsed(Path archive) {
        try {
            Files.setLastModifiedTime(archive, FileTime.from(Instant.now()));
        } catch (IOException e) {
            // a write-protected archive is still usable; pruning may then take it earlier
        }
    }

    /**
     * Removes from {@code directory} the archives last used before {@code now} minus
     * {@link #UNUSED_LIMIT}, all but the {@link #KEPT_ARCHIVES} most recently used, and trainers'
     * temporary files whose process is gone or which are older than {@link #ABANDONED_TRAINING}.
     * Files multiproc did not name are never touched.
     *
     * @return the files removed
     */
    static List<Path> prune(Path directory, Instant now) throws IOException {
        List<Path> archives = new ArrayList<>();
        List<Path> removed = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                Matcher training = TRAINING.matcher(name);
                if (ARCHIVE.matcher(name).matches()) {
                    archives.add(file);
                } else if (training.matches() && abandoned(file, Long.parseLong(training.group(2)), now)) {
                    removeIfPresent(file, removed);
                }
            }
        }
        archives.sort(Comparator.comparing(StartupCacheDirectory::lastUse).reversed());
        Instant unusedSince = now.minus(UNUSED_LIMIT);
        for (int i = 0; i < archives.size(); i++) {
            Path archive = archives.get(i);
            if (i >= KEPT_ARCHIVES || lastUse(archive).isBefore(unusedSince)) {
                removeIfPresent(archive, removed);
            }
        }
        return removed;
    }

    private static boolean abandoned(Path partial, long trainerPid, Instant now) {
        boolean trainerRuns = ProcessHandle.of(trainerPid).map(ProcessHandle::isAlive).orElse(false);
        return !trainerRuns || lastUse(partial).isBefore(now.minus(ABANDONED_TRAINING));
    }

    private static Instant lastUse(Path file) {
        try {
            return Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS).toInstant();
        } catch (IOException e) {
            return Instant.EPOCH;
        }
    }

    private static void removeIfPresent(Path file, List<Path> removed) throws IOException {
        if (Files.deleteIfExists(file)) {
            removed.add(file);
        }
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
            MultiprocLog.get().log(System.Logger.Level.WARNING, "child JVMs start without the start-up cache: " + path + " is not trusted, because "
                    + reason + ". Remove it (multiproc recreates it with mode 0700) or set XDG_CACHE_HOME elsewhere.");
        }
        return Optional.empty();
    }
}
