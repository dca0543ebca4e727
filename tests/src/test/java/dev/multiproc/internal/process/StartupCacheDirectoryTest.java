package dev.multiproc.internal.process;

import dev.multiproc.posix.PosixPlatform;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import dev.multiproc.ChildJvm;
import dev.multiproc.LinuxOnly;
import dev.multiproc.Multiproc;

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
        return Boolean.parseBoolean(probeOutput(cacheHome).getLast());
    }

    /**
     * Runs the probe with XDG_CACHE_HOME = {@code cacheHome}: its output lines, the last whether
     * children use the cache, those before the command lines of children with options of their own.
     */
    private List<String> probeOutput(Path cacheHome) throws Exception {
        return probeOutput(cacheHome, List.of(), List.of());
    }

    /**
     * {@link #probeOutput(Path)} in a JVM started with {@code jvmOptions} (as a child is); given
     * one of {@code arguments}, an option, the probe also prints the line of a child with that
     * option of its own, waits for the archive of such children, and prints the line
     * "trained(whether it is ready) COMMAND".
     */
    private List<String> probeOutput(Path cacheHome, List<String> jvmOptions, List<String> arguments) throws Exception {
        List<String> jars = List.of(location(Multiproc.class), location(PosixPlatform.class));
        Assumptions.assumeTrue(jars.stream().allMatch(jar -> jar.endsWith(".jar")),
                "skipped: the start-up cache needs a class path of jars, and this build gives classes directories: " + jars);
        Path source = temporary.resolve("CacheProbe.java");
        Files.writeString(source, """
                import java.lang.reflect.Method;
                import java.util.List;

                public class CacheProbe {
                    public static void main(String[] args) throws Exception {
                        boolean ready = dev.multiproc.Multiproc.awaitChildStartupCache(java.time.Duration.ofSeconds(120));
                        Method build = Class.forName("dev.multiproc.internal.process.ChildCommand").getDeclaredMethod("build", List.class, List.class, String.class);
                        build.setAccessible(true);
                        // a line for a child with an option of its own that needs an archive of its own starts that
                        // archive's training: the probe then waits for it, so that no trainer outlives it
                        for (String own : args.length > 0 ? List.of("-Xmx256m", "-Xshare:auto", args[0]) : List.of("-Xmx256m", "-Xshare:auto")) {
                            List<?> command = (List<?>) build.invoke(null, List.of(), List.of(own), "bootstrap");
                            System.out.println(own + " " + String.join(" ", command.stream().map(String::valueOf).toList()));
                        }
                        if (args.length > 0) {
                            List<String> own = List.of(args[0]);
                            boolean ownReady = dev.multiproc.Multiproc.awaitChildStartupCache(java.time.Duration.ofSeconds(120), own);
                            List<?> command = (List<?>) build.invoke(null, List.of(), own, "bootstrap");
                            System.out.println("trained(" + ownReady + ") " + String.join(" ", command.stream().map(String::valueOf).toList()));
                        }
                        System.out.println(ready);
                    }
                }
                """);
        List<String> command = new ArrayList<>(List.of(ChildJvm.java(), "--enable-native-access=ALL-UNNAMED"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", String.join(File.pathSeparator, jars), source.toString()));
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("XDG_CACHE_HOME", cacheHome.toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(150, TimeUnit.SECONDS), "the probe ended");
        assertEquals(0, process.exitValue(), output);
        return output.lines().toList();
    }

    private static List<String> contents(Path directory) throws Exception {
        try (var files = Files.list(directory)) {
            return files.map(path -> path.getFileName().toString()).toList();
        }
    }

    @Test
    void aFreshDirectoryOfThisUsersIsMadePrivateAndUsed() throws Exception {
        Path home = temporary.resolve("fresh");
        List<String> output = probeOutput(home);
        assertTrue(Boolean.parseBoolean(output.getLast()), "children start with the cache: the test can tell");
        String withHeapSize = output.stream().filter(line -> line.startsWith("-Xmx256m ")).findFirst().orElseThrow();
        String withSharing = output.stream().filter(line -> line.startsWith("-Xshare:auto ")).findFirst().orElseThrow();
        assertTrue(withHeapSize.contains(" -XX:AOTCache=") || withHeapSize.contains(" -XX:SharedArchiveFile="),
                "a child with options of its own still starts with the cache: " + withHeapSize);
        assertFalse(withSharing.contains(" -XX:AOTCache=") || withSharing.contains(" -XX:SharedArchiveFile="),
                "a child configuring sharing itself gets no archive of ours beside it: " + withSharing);
        Path directory = home.resolve("multiproc");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(directory)));
        assertTrue(contents(directory).stream().anyMatch(name -> name.endsWith(".aot") || name.endsWith(".jsa")), contents(directory).toString());
    }

    /** The archive options in a probe's line for a child with {@code own} options. */
    private static List<String> archiveOptions(List<String> output, String own) {
        String line = output.stream().filter(candidate -> candidate.startsWith(own + " ")).findFirst().orElseThrow();
        return List.of(line.split(" ")).stream()
                .filter(option -> option.startsWith("-XX:AOTCache=") || option.startsWith("-XX:SharedArchiveFile=")).toList();
    }

    @Test
    void aChildsOwnChildrenStartWithAnArchiveMadeForThemNotTheOneTheChildStartedWith() throws Exception {
        Path home = temporary.resolve("nested");
        List<String> parent = probeOutput(home);
        String child = parent.stream().filter(line -> line.startsWith("-Xmx256m ")).findFirst().orElseThrow();
        List<String> words = List.of(child.split(" "));
        // the probe again, as that child runs: its options are the words between java and the class path
        List<String> childOptions = words.subList(2, words.indexOf("-cp"));
        List<String> childArchive = archiveOptions(parent, "-Xmx256m");
        assertEquals(1, childArchive.size(), child);
        List<String> nested = probeOutput(home, childOptions, List.of());
        assertTrue(Boolean.parseBoolean(nested.getLast()),
                "the child made an archive for its own children (it could not while it inherited its own): " + nested);
        List<String> grandchildArchive = archiveOptions(nested, "-Xmx256m");
        assertEquals(1, grandchildArchive.size(), "one archive on a grandchild's line: " + nested);
        assertNotEquals(childArchive, grandchildArchive,
                "a grandchild gets the archive made for its parent's options, not the one its parent started with");
    }

    @Test
    void aChildWithAModuleOptionOfItsOwnGetsAnArchiveTrainedWithItThatTheJvmAccepts() throws Exception {
        String addOpens = "--add-opens=java.base/java.lang=ALL-UNNAMED";
        List<String> output = probeOutput(temporary.resolve("own"), List.of(), List.of(addOpens));
        assertEquals(List.of(), archiveOptions(output, addOpens),
                "none before its own archive is trained (the common one, which the JVM would refuse, neither): " + output);
        String trained = output.stream().filter(line -> line.startsWith("trained(")).findFirst().orElseThrow();
        assertTrue(trained.startsWith("trained(true) "), trained);
        List<String> ownArchive = archiveOptions(output, "trained(true)");
        assertEquals(1, ownArchive.size(), trained);
        assertNotEquals(archiveOptions(output, "-Xmx256m"), ownArchive, "an archive of its own, not the common one");
        // the JVM must take it: with -XX:AOTMode=on a JVM that refuses its cache stops before main
        List<String> words = new ArrayList<>(List.of(trained.split(" ")));
        words.removeFirst();
        words.add(1, "-XX:AOTMode=on");
        words.set(words.size() - 1, "multiproc-no-such-bootstrap");
        Path said = temporary.resolve("child.out");
        Process child = new ProcessBuilder(words).redirectErrorStream(true).redirectOutput(said.toFile()).start();
        try {
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child ended");
        } finally {
            child.destroyForcibly();
        }
        String childOutput = Files.readString(said);
        assertTrue(childOutput.contains("multiproc-no-such-bootstrap") && !childOutput.contains("AOT cache"),
                "the child ran its main with the archive mapped: " + childOutput);
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

    private static Path fileUsedAgo(Path directory, String name, Duration ago, Instant now) throws Exception {
        Path file = Files.writeString(directory.resolve(name), name);
        Files.setLastModifiedTime(file, FileTime.from(now.minus(ago)));
        return file;
    }

    private static String key(int i) {
        return "%024x".formatted(i);
    }

    @Test
    void pruningKeepsTheMostRecentlyUsedArchives() throws Exception {
        Instant now = Instant.now();
        int made = StartupCacheDirectory.KEPT_ARCHIVES + 4;
        for (int i = 0; i < made; i++) {
            fileUsedAgo(temporary, key(i) + ".aot", Duration.ofHours(i), now);
        }
        List<Path> removed = StartupCacheDirectory.prune(temporary, now);
        assertEquals(4, removed.size(), removed.toString());
        for (int i = 0; i < made; i++) {
            assertEquals(i < StartupCacheDirectory.KEPT_ARCHIVES, Files.exists(temporary.resolve(key(i) + ".aot")), "archive used " + i + " h ago");
        }
    }

    @Test
    void pruningRemovesUnusedArchivesAndAbandonedTrainingOnlyAmongItsOwnFiles() throws Exception {
        Instant now = Instant.now();
        Process ended = new ProcessBuilder("true").start();
        assertTrue(ended.waitFor(30, TimeUnit.SECONDS));
        long me = ProcessHandle.current().pid();
        Path recent = fileUsedAgo(temporary, key(1) + ".aot", Duration.ofHours(1), now);
        Path lastWeek = fileUsedAgo(temporary, key(2) + ".jsa", StartupCacheDirectory.UNUSED_LIMIT.minusHours(1), now);
        Path unused = fileUsedAgo(temporary, key(3) + ".aot", StartupCacheDirectory.UNUSED_LIMIT.plusHours(1), now);
        Path ownTraining = fileUsedAgo(temporary, key(4) + ".aot.tmp-" + me, Duration.ofSeconds(5), now);
        Path deadTrainer = fileUsedAgo(temporary, key(5) + ".aot.tmp-" + ended.pid(), Duration.ofSeconds(5), now);
        Path hungTraining = fileUsedAgo(temporary, key(6) + ".aot.tmp-" + me, StartupCacheDirectory.ABANDONED_TRAINING.plusMinutes(1), now);
        Path notOurs = fileUsedAgo(temporary, "notes.aot", Duration.ofDays(30), now);
        Path notOursEither = fileUsedAgo(temporary, key(7) + ".aot.bak", Duration.ofDays(30), now);

        List<Path> removed = StartupCacheDirectory.prune(temporary, now);

        assertEquals(Set.of(unused, deadTrainer, hungTraining), Set.copyOf(removed));
        for (Path kept : List.of(recent, lastWeek, ownTraining, notOurs, notOursEither)) {
            assertTrue(Files.exists(kept), kept + " kept");
        }
    }
}
