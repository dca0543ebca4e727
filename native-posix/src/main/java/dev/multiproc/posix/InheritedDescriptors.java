package dev.multiproc.posix;

import dev.multiproc.NativeCallException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How a spawned child is kept from inheriting this JVM's descriptors above 2 (a JVM holds
 * hundreds: jars, sockets, our own shared memory), on every C library and kernel multiproc runs
 * on. The first that this machine offers is used, and said once at DEBUG:
 *
 * <ol>
 *   <li>{@link #CLOSE_FROM}: a spawn action that closes every descriptor from 3 up in the child
 *       ({@code posix_spawn_file_actions_addclosefrom_np}, glibc 2.34+);</li>
 *   <li>{@link #CLOSE_EACH_OPEN}: a close action per descriptor open now, read from
 *       {@code /proc/self/fd} (older glibc, musl); one opened after that read by another thread
 *       and not close-on-exec would reach the child;</li>
 *   <li>{@link #MARK_CLOSE_ON_EXEC}: marks every descriptor from 3 up of this process close-on-exec
 *       before each spawn ({@code close_range}, Linux 5.11+), where {@code /proc} is not mounted.</li>
 * </ol>
 *
 * {@code -Dmultiproc.spawn.descriptors=close-from|close-each-open|mark-close-on-exec} chooses one
 * (tests use it to run each way).
 */
enum InheritedDescriptors {
    CLOSE_FROM("close-from", "posix_spawn_file_actions_addclosefrom_np (glibc 2.34+)"),
    CLOSE_EACH_OPEN("close-each-open", "a close action per descriptor listed in /proc/self/fd"),
    MARK_CLOSE_ON_EXEC("mark-close-on-exec", "close_range(3, ~0, CLOSE_RANGE_CLOEXEC) on this process before each spawn");

    static final String PROPERTY = "multiproc.spawn.descriptors";
    private static final System.Logger LOG = System.getLogger("dev.multiproc");
    private static final Path OWN_DESCRIPTORS = Path.of("/proc/self/fd");
    private static final int FIRST_INHERITABLE = 3;

    private final String option;
    private final String how;

    InheritedDescriptors(String option, String how) {
        this.option = option;
        this.how = how;
    }

    /** What {@code multiproc doctor} and the DEBUG log say about this way. */
    String describe() {
        return option + ": " + how;
    }

    /** The way this machine offers (or the one the system property names), chosen once. */
    static InheritedDescriptors chosen() {
        return Chosen.WAY;
    }

    private static final class Chosen {
        static final InheritedDescriptors WAY = choose();

        private static InheritedDescriptors choose() {
            String asked = System.getProperty(PROPERTY);
            InheritedDescriptors way;
            if (asked != null) {
                way = named(asked);
            } else if (Libc.hasSpawnCloseFrom()) {
                way = CLOSE_FROM;
            } else if (Files.isDirectory(OWN_DESCRIPTORS)) {
                way = CLOSE_EACH_OPEN;
            } else {
                way = MARK_CLOSE_ON_EXEC;
            }
            LOG.log(System.Logger.Level.DEBUG, "spawned children inherit no descriptor above 2 by {0}", way.describe());
            return way;
        }

        private static InheritedDescriptors named(String option) {
            for (InheritedDescriptors way : values()) {
                if (way.option.equals(option.toLowerCase(Locale.ROOT))) {
                    return way;
                }
            }
            throw new IllegalArgumentException("-D" + PROPERTY + "=" + option + ": expected close-from, close-each-open or mark-close-on-exec");
        }
    }

    /** Spawns {@code argv} this way (see {@link Libc#spawn}). */
    int spawn(String[] argv, String[] environment) {
        return switch (this) {
            case CLOSE_FROM -> Libc.spawn(argv, environment, true, new int[0]);
            case CLOSE_EACH_OPEN -> Libc.spawn(argv, environment, false, openDescriptors());
            case MARK_CLOSE_ON_EXEC -> {
                int errno = Libc.closeOnExecFrom(FIRST_INHERITABLE);
                if (errno != 0) {
                    throw Errno.failure("close_range(3, ~0, CLOSE_RANGE_CLOEXEC)", argv[0], errno);
                }
                yield Libc.spawn(argv, environment, false, new int[0]);
            }
        };
    }

    /** This process's descriptors above 2 now. */
    private static int[] openDescriptors() {
        List<Integer> open = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(OWN_DESCRIPTORS)) {
            for (Path entry : entries) {
                int fd = Integer.parseInt(entry.getFileName().toString());
                if (fd >= FIRST_INHERITABLE) {
                    open.add(fd);
                }
            }
        } catch (IOException e) {
            throw new NativeCallException("opendir", OWN_DESCRIPTORS.toString(), 0, "IOException", e.getMessage());
        }
        return open.stream().mapToInt(Integer::intValue).toArray();
    }
}
