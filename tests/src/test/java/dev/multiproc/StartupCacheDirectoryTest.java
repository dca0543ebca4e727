package dev.multiproc;

import dev.multiproc.posix.PosixPlatform;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The child start-up cache is code every child JVM maps: it is used only from a directory that
 * is this user's own ({@code $XDG_CACHE_HOME/multiproc}, mode 0700). A probe program on a class
 * path of jars only (the cache's condition) reports whether its children would start with it.
 */
@Timeout(240)
@LinuxOnly
class StartupCacheDirectoryTest {
    @TempDir
    Path temporary;

    private static String location(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    /** Runs the probe with XDG_CACHE_HOME = {@code cacheHome}; returns whether children use the cache. */
    private boolean probe(Path cacheHome) throws Exception {
        List<String> jars = List.of(location(Multiproc.class), location(PosixPlatform.class));
        Assumptions.assumeTrue(jars.stream().allMatch(jar -> jar.endsWith(".jar")),
                "skipped: the start-up cache needs a class path of jars, and this build gives classes directories: " + jars);
        Path source = temporary.resolve("CacheProbe.java");
        Files.writeString(source, """
                public class CacheProbe {
                    public static void main(String[] args) throws Exception {
                        System.out.println(dev.multiproc.Multiproc.awaitChildStartupCache(java.time.Duration.ofSeconds(120)));
                    }
                }
                """);
        ProcessBuilder builder = new ProcessBuilder(ChildJvm.java(), "--enable-native-access=ALL-UNNAMED",
                "-cp", String.join(File.pathSeparator, jars), source.toString()).redirectErrorStream(true);
        builder.environment().put("XDG_CACHE_HOME", cacheHome.toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(150, TimeUnit.SECONDS), "the probe ended");
        assertEquals(0, process.exitValue(), output);
        List<String> lines = output.lines().toList();
        return Boolean.parseBoolean(lines.getLast());
    }

    private static List<String> contents(Path directory) throws Exception {
        try (var files = Files.list(directory)) {
            return files.map(path -> path.getFileName().toString()).toList();
        }
    }

    @Test
    void aFreshDirectoryOfThisUsersIsMadePrivateAndUsed() throws Exception {
        Path home = temporary.resolve("fresh");
        assertTrue(probe(home), "children start with the cache: the test can tell");
        Path directory = home.resolve("multiproc");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(directory)));
        assertTrue(contents(directory).stream().anyMatch(name -> name.endsWith(".aot") || name.endsWith(".jsa")), contents(directory).toString());
    }

    @Test
    void aSymbolicLinkIsNotUsedAndNothingIsWrittenThrough() throws Exception {
        Path elsewhere = Files.createDirectory(temporary.resolve("elsewhere"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        Path home = Files.createDirectory(temporary.resolve("linked"));
        Files.createSymbolicLink(home.resolve("multiproc"), elsewhere);
        assertFalse(probe(home), "children start without the cache");
        assertEquals(List.of(), contents(elsewhere), "nothing was written through the link");
    }

    @Test
    void aDirectoryOthersMayWriteIsNotUsed() throws Exception {
        Path home = Files.createDirectory(temporary.resolve("open"));
        Path directory = Files.createDirectory(home.resolve("multiproc"));
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertFalse(probe(home), "children start without the cache");
        assertEquals(List.of(), contents(directory), "nothing was written into it");
    }

    @Test
    void aDirectoryOfAnotherUsersIsNotUsed() throws Exception {
        Path home = Files.createDirectory(temporary.resolve("foreign"));
        Path directory = Files.createDirectory(home.resolve("multiproc"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Process chown = new ProcessBuilder("chown", "65534", directory.toString()).redirectErrorStream(true).start();
        String why = new String(chown.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Assumptions.assumeTrue(chown.waitFor() == 0, "skipped: cannot give a directory to another user here (needs root): " + why);
        assertFalse(probe(home), "children start without the cache");
        assertEquals(List.of(), contents(directory), "nothing was written into it");
    }
}
