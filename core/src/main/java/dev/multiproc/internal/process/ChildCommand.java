package dev.multiproc.internal.process;

import dev.multiproc.spi.Platforms;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The command line of a child JVM: this JVM's {@code java}, the options of this JVM that
 * matter to the code it runs (native access, memory and GC settings, system properties,
 * module flags, assertions), this JVM's class path or module path, and {@link ChildMain}.
 * Debugger and profiling agents, JMX and flight-recorder options are left out: a second JVM
 * with them would fight the first for their ports and files.
 *
 * <p>When the class and module paths hold only jar files, children share an AppCDS archive
 * keyed by the JDK, the paths and the options. The first launch trains it in the background (a
 * child JVM that loads what children load and dumps its classes at exit); later children map
 * it and start faster. Children never dump themselves, so a failed dump cannot change a
 * child's exit code, and CDS log output is switched off so that it never mixes with theirs.
 * Adding an archive prunes the directory ({@link StartupCacheDirectory#prune}).
 */
public final class ChildCommand {
    private static final List<String> KEPT_PREFIXES = List.of(
            "--enable-native-access", "--illegal-native-access", "--add-opens", "--add-exports", "--add-reads",
            "--add-modules", "--limit-modules", "--enable-preview", "-D", "-Xmx", "-Xms", "-Xss", "-Xmn",
            "-XX:", "-ea", "-da", "-esa", "-dsa", "-enableassertions", "-disableassertions");
    private static final List<String> DROPPED_PREFIXES = List.of(
            "-Dcom.sun.management", "-XX:SharedArchiveFile", "-XX:ArchiveClassesAtExit", "-XX:+AutoCreateSharedArchive",
            "-XX:StartFlightRecording", "-XX:FlightRecorderOptions", "-XX:+FlightRecorder", "-XX:Flags",
            "-XX:VMOptionsFile", "-Djdk.module.", "-Djava.class.path", "-Dsun.java.command");
    private static final String CDS_DISABLED_PROPERTY = "multiproc.cds";
    /**
     * JDK 25 and later keep classes loaded and linked, lambdas resolved and method-handle forms
     * spun in an ahead-of-time cache (JEP 483/514), which helps a child JVM more than a plain
     * dynamic CDS archive; earlier JDKs get the dynamic archive.
     */
    private static final boolean AOT_CACHE = Runtime.version().feature() >= 25;
    private static final List<String> QUIET_ARCHIVE_LOGS = List.of("-Xlog:cds*=off", "-Xlog:aot*=off", "-Xlog:class+path=off");

    private static volatile List<String> inherited;
    private static volatile Thread trainer;

    private ChildCommand() {
    }

    /** The full command that runs {@link ChildMain} on {@code bootstrapName}. */
    static List<String> build(List<String> extraJvmOptions, String bootstrapName) {
        List<String> base = inherited;
        if (base == null) {
            base = inheritedCommand();
            inherited = base;
        }
        List<String> command = new ArrayList<>(base.size() + extraJvmOptions.size() + 4);
        command.add(base.getFirst());
        command.addAll(extraJvmOptions);
        for (String option : base.subList(1, base.size())) {
            // an archive is valid only for the options it was trained with
            if (extraJvmOptions.isEmpty() || !isArchiveOption(option)) {
                command.add(option);
            }
        }
        command.add(bootstrapName);
        return command;
    }

    private static boolean isArchiveOption(String option) {
        return option.startsWith("-XX:AOTCache=") || option.startsWith("-XX:SharedArchiveFile=") || QUIET_ARCHIVE_LOGS.contains(option);
    }

    private static List<String> inheritedCommand() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> options = inheritedOptions();
        if (options.stream().noneMatch(option -> option.startsWith("--enable-native-access"))) {
            // the parent may have it from a jar manifest (Enable-Native-Access), which a child started with -cp lacks
            Module platformModule = Platforms.current().getClass().getModule();
            options.add("--enable-native-access=" + (platformModule.isNamed() ? platformModule.getName() : "ALL-UNNAMED"));
        }
        command.addAll(options);
        List<String> launch = launchArguments();
        if (!"false".equals(System.getProperty(CDS_DISABLED_PROPERTY)) && onlyJars()) {
            Path archive = cdsArchive(options);
            if (archive != null) {
                if (StartupCacheDirectory.trustedArchive(archive)) {
                    StartupCacheDirectory.markUsed(archive);
                    command.add((AOT_CACHE ? "-XX:AOTCache=" : "-XX:SharedArchiveFile=") + archive);
                    command.addAll(QUIET_ARCHIVE_LOGS);
                } else {
                    trainInBackground(command, launch, archive);
                }
            }
        }
        command.addAll(launch);
        return List.copyOf(command);
    }

    /** The class or module path and the main class or module of {@link ChildMain}. */
    private static List<String> launchArguments() {
        List<String> command = new ArrayList<>();
        Module module = ChildMain.class.getModule();
        String classPath = System.getProperty("java.class.path", "");
        if (module.isNamed()) {
            command.add("--module-path");
            command.add(System.getProperty("jdk.module.path", ""));
            String mainModule = System.getProperty("jdk.module.main");
            command.add("--add-modules");
            command.add(mainModule == null ? "ALL-MODULE-PATH" : mainModule + ",ALL-MODULE-PATH");
            if (!classPath.isEmpty()) {
                command.add("-cp");
                command.add(classPath);
            }
            command.add("-m");
            command.add(module.getName() + "/" + ChildMain.class.getName());
        } else {
            command.add("-cp");
            command.add(classPath);
            command.add(ChildMain.class.getName());
        }
        return command;
    }

    private static boolean onlyJars() {
        for (Path entry : pathEntries()) {
            if (!(entry.toString().endsWith(".jar") && Files.isRegularFile(entry))) {
                return false;
            }
        }
        return true;
    }

    /** The entries of this JVM's class path and module path. */
    private static List<Path> pathEntries() {
        List<Path> entries = new ArrayList<>();
        for (String property : List.of("java.class.path", "jdk.module.path")) {
            for (String entry : System.getProperty(property, "").split(java.io.File.pathSeparator)) {
                if (!entry.isEmpty()) {
                    entries.add(Path.of(entry));
                }
            }
        }
        return entries;
    }

    /**
     * Runs {@code ChildMain --train} once with {@code -XX:ArchiveClassesAtExit} into a temporary
     * file, and moves the archive into place only if that child succeeded.
     */
    private static void trainInBackground(List<String> javaAndOptions, List<String> launch, Path archive) {
        List<String> base = List.copyOf(javaAndOptions);
        Thread training = new Thread(() -> {
            Path partial = archive.resolveSibling(archive.getFileName() + ".tmp-" + ProcessHandle.current().pid());
            try {
                List<String> command = new ArrayList<>(base);
                command.add((AOT_CACHE ? "-XX:AOTCacheOutput=" : "-XX:ArchiveClassesAtExit=") + partial);
                command.addAll(QUIET_ARCHIVE_LOGS);
                command.addAll(launch);
                command.add(ChildMain.TRAIN_ARGUMENT);
                Process process = new ProcessBuilder(command)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
                if (process.waitFor() == 0 && Files.isRegularFile(partial)) {
                    Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE);
                    inherited = null;
                    StartupCacheDirectory.prune(archive.getParent(), Instant.now());
                }
            } catch (IOException | InterruptedException e) {
                // no archive: children start without it
            } finally {
                try {
                    Files.deleteIfExists(partial);
                } catch (IOException ignored) {
                    // a stale temporary file is harmless; the next trainer uses its own
                }
            }
        }, "multiproc-cds-trainer");
        training.setDaemon(true);
        trainer = training;
        training.start();
    }

    /**
     * Makes sure the start-up archive for child JVMs exists: trains it now if it is missing
     * (and the paths allow one), and waits at most {@code timeout} for the training.
     *
     * @return whether children now start with an archive
     */
    public static boolean awaitArchive(Duration timeout) throws InterruptedException {
        List<String> command = inherited;
        if (command == null) {
            command = inheritedCommand();
            inherited = command;
        }
        Thread training = trainer;
        if (training != null) {
            training.join(timeout);
            if (training.isAlive()) {
                return false;
            }
            inherited = null;
            command = inheritedCommand();
            inherited = command;
        }
        return command.stream().anyMatch(ChildCommand::isArchiveOption);
    }

    private static List<String> inheritedOptions() {
        List<String> kept = new ArrayList<>();
        for (String option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (keeps(option)) {
                kept.add(option);
            }
        }
        return kept;
    }

    static boolean keeps(String option) {
        for (String dropped : DROPPED_PREFIXES) {
            if (option.startsWith(dropped)) {
                return false;
            }
        }
        for (String prefix : KEPT_PREFIXES) {
            if (option.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** The archive in the user's trusted cache directory, named by everything that makes an archive valid; null if none may be used. */
    private static Path cdsArchive(List<String> options) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            List<String> parts = new ArrayList<>(List.of(System.getProperty("java.home"), System.getProperty("java.vm.version"),
                    String.join("\u0000", options)));
            // the JVM does not always notice a rebuilt jar behind an archive: key on each jar's size and time
            for (Path jar : pathEntries()) {
                parts.add(jar.toAbsolutePath() + ":" + Files.size(jar) + ":" + Files.getLastModifiedTime(jar).toMillis());
            }
            for (String part : parts) {
                digest.update(part.getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
            }
            String key = HexFormat.of().formatHex(digest.digest(), 0, 12);
            return StartupCacheDirectory.trusted().map(directory -> directory.resolve(key + (AOT_CACHE ? ".aot" : ".jsa"))).orElse(null);
        } catch (IOException | NoSuchAlgorithmException | UnsupportedOperationException e) {
            return null;
        }
    }
}
