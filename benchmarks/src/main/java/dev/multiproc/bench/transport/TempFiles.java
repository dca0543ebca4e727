package dev.multiproc.bench.transport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Removes what a transport left on disk, with the JDK alone: the orchestrating JVM must not load
 * peer classes, which need JVM flags it does not have.
 */
final class TempFiles {

    private TempFiles() {
    }

    /** Deletes {@code path} and everything under it; a best effort. */
    static void deleteRecursively(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(path)) {
            paths.sorted(Comparator.reverseOrder()).forEach(entry -> {
                try {
                    Files.deleteIfExists(entry);
                } catch (IOException ignored) {
                    // something else removed it, or it is in use; a temporary file left is harmless
                }
            });
        } catch (IOException ignored) {
            // the directory went away while we walked it
        }
    }
}
