package dev.multiproc.internal.process;

import dev.multiproc.PlatformCheck;
import dev.multiproc.spi.Platforms;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;

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
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The command line of a child JVM: this JVM's {@code java}, the options of this JVM that
 * matter to the code it runs (native access, the heap's limit and GC settings, system properties,
 * module flags, assertions — not the initial heap, young generation or pre-touch, which size
 * this JVM for its own role, nor its class-data archive, made for its own main class), the
 * child's own options after them (so that they win where the JVM takes the last occurrence,
 * and a collector they choose replaces the inherited one), this JVM's class path or module
 * path, and {@link ChildMain}. Debugger and profiling agents, JMX
 * and flight-recorder options are left out: a second JVM with them would fight the first for
 * their ports and files.
 *
 * <p>Children run the serial collector ({@value #DEFAULT_COLLECTOR}) unless this JVM was told
 * which collector to use (on its command line, in {@code JAVA_TOOL_OPTIONS} or an options file)
 * or the child's own options name one. A child runs one job, as Python's processes do; the
 * collector the JVM picks by itself on a machine of two or more cores, G1, brings threads of
 * its own to every child, all competing for the same cores, and grows each child's heap into
 * hundreds of megabytes: a pool worker mapping {@code x * x} over boxed integers was measured
 * at 590-1,035 MB resident with G1 and 171-177 MB with the serial collector, as fast or faster.
 *
 * <p>When the class and module paths hold only jar files, children share an AppCDS archive
 * keyed by the JDK, the paths and the options. The first launch trains it in the background (a
 * child JVM that loads what children load and dumps its classes at exit); later children map
 * it and start faster, with options of their own too, unless those options are about archives
 * themselves. Own options that would make the JVM refuse it (module options, another object
 * layout, the security manager: {@link #refusesArchive}) get an archive trained with them, in
 * the same way, since a JVM that refuses an archive starts with none at all. Each archive is
 * trained at most once per JVM. Children never dump themselves, so a failed dump cannot change
 * a child's exit code, and CDS log output is switched off so that it never mixes with theirs.
 * Adding an archive prunes the directory ({@link StartupCacheDirectory#prune}).
 */
public final class ChildCommand {
    private static final List<String> KEPT_PREFIXES = List.of(
            "--enable-native-access", "--illegal-native-access", "--add-opens", "--add-exports", "--add-reads",
            "--add-modules", "--limit-modules", "--enable-preview", "-D", "-Xmx", "-Xss",
            "-XX:", "-ea", "-da", "-esa", "-dsa", "-enableassertions", "-disableassertions");
    /**
     * How this JVM sized and touched its own heap up front: a parent started with
     * {@code -Xms1g -XX:+AlwaysPreTouch} made each pool worker touch a gigabyte before its first
     * task (5-7 s here) and hold it (1.1 GB resident against 170 MB). A child sizes its own.
     */
    private static final List<String> UP_FRONT_HEAP_PREFIXES = List.of(
            "-Xms", "-Xmn", "-XX:InitialHeapSize", "-XX:MinHeapSize", "-XX:NewSize", "-XX:MaxNewSize", "-XX:+AlwaysPreTouch");
    /** Options that configure class-data sharing themselves: an archive of ours beside them would conflict. */
    private static final List<String> SHARING_PREFIXES = List.of(
            "-Xshare", "-XX:SharedArchiveFile", "-XX:ArchiveClassesAtExit", "-XX:+AutoCreateSharedArchive", "-XX:AOT",
            "-XX:DumpLoadedClassList", "-XX:SharedClassListFile");
    /**
     * A child's own options with which the JVM refuses an archive made without them: it checks
     * the module graph's properties, the object layout and the security manager against the
     * archive's, and where they differ it starts with no archive at all, not even the JDK's
     * default one ("Unable to map shared spaces": a cold child 231-237 ms here, against 156-174
     * with the default archive and 139-160 with ours). A child with one of these gets an
     * archive trained with them.
     */
    private static final List<String> ARCHIVE_REFUSING_PREFIXES = List.of(
            "--add-exports", "--add-opens", "--add-reads", "--add-modules", "--limit-modules", "--patch-module",
            "--upgrade-module-path", "--enable-native-access", "--illegal-native-access", "-Djdk.module.", "-Djava.security.manager",
            "-XX:+UseZGC", "-XX:-UseCompressedOops", "-XX:-UseCompressedClassPointers", "-XX:+UseCompactObjectHeaders",
            "-XX:ObjectAlignmentInBytes");
    /** The heap limits from which HotSpot runs without compressed pointers (another object layout). */
    private static final Pattern HEAP_LIMIT = Pattern.compile("(?:-Xmx|-XX:MaxHeapSize=)([0-9]+)([kKmMgGtT]?)");
    private static final long COMPRESSED_OOPS_LIMIT = 32L << 30;
    /**
     * Never inherited: the up-front heap; the JMX, flight-recorder and launcher options (see the
     * class comment); and this JVM's own archive, made for its main class and options, not a
     * child's. A child of a child that inherited its parent's cache
     * started without any archive (the JVM refuses a cache whose options differ, and says so on
     * the child's error stream), and the child could not train one for its own children either
     * ("Only one of AOTCache or AOTCacheOutput").
     */
    private static final List<String> DROPPED_PREFIXES = Stream.of(UP_FRONT_HEAP_PREFIXES, SHARING_PREFIXES, List.of(
            "-Dcom.sun.management", "-XX:StartFlightRecording", "-XX:FlightRecorderOptions", "-XX:+FlightRecorder", "-XX:Flags",
            "-XX:VMOptionsFile", "-Djdk.module.", "-Djava.class.path", "-Dsun.java.command",
            "-D" + ChildMain.PARENT_CHECK_PROPERTY)).flatMap(List::stream).toList();
    private static final String CDS_DISABLED_PROPERTY = "multiproc.cds";
    /**
     * JDK 25 and later keep classes loaded and linked, lambdas resolved and method-handle forms
     * spun in an ahead-of-time cache (JEP 483/514), which helps a child JVM more than a plain
     * dynamic CDS archive; earlier JDKs get the dynamic archive.
     */
    private static final boolean AOT_CACHE = Runtime.version().feature() >= 25;
    private static final List<String> QUIET_ARCHIVE_LOGS = List.of("-Xlog:cds*=off", "-Xlog:aot*=off", "-Xlog:class+path=off");
    /**
     * The start-up cache keeps classes loaded and linked but not the training run's method
     * profiles (JEP 515): a child replays those at its start by compiling at once, on the cores
     * its main thread needs. Measured on 2 cores (cold one-worker pools, one JVM alternating two
     * caches, medians of 13-31): the first result 0-15 ms sooner without them, never later; a cold
     * JvmProcess 5-24 ms sooner; a new 2-worker pool's next 120 maps took as long either way. The
     * flag is diagnostic: a JVM that does not know it ignores it and trains a cache with profiles.
     */
    private static final List<String> CACHE_TRAINING_OPTIONS = AOT_CACHE
            ? List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:+IgnoreUnrecognizedVMOptions", "-XX:-AOTRecordTraining")
            : List.of();

    /** The collector of children whose parent and own options choose none. */
    static final String DEFAULT_COLLECTOR = "-XX:+UseSerialGC";
    /** HotSpot's collector flags; any of them in a child's options is its choice of collector. */
    private static final List<String> COLLECTOR_FLAGS = List.of(
            "UseSerialGC", "UseParallelGC", "UseG1GC", "UseZGC", "UseShenandoahGC", "UseEpsilonGC");
    /** One of those flags set on or off. */
    private static final Pattern COLLECTOR_OPTION = Pattern.compile("-XX:[+-](" + String.join("|", COLLECTOR_FLAGS) + ")");
    /** The environment variables the JVM reads options from, beside its command line. */
    private static final List<String> OPTION_VARIABLES = List.of("JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS");
    /** A collector option among the others of such a variable, with the space before it. */
    private static final Pattern COLLECTOR_IN_VARIABLE = Pattern.compile("(?:^|\\s+)" + COLLECTOR_OPTION.pattern() + "(?=\\s|$)");
    /**
     * What every child's command starts from: {@code java}, the options inherited (with the
     * default collector if nothing chose one), the archive options if an archive is ready, and
     * the launch arguments.
     */
    private record Inherited(String java, List<String> options, List<String> archive, List<String> launch) {
    }

    private static volatile Inherited inherited;
    /** The trainings this JVM started, by the archive each makes: an archive is trained at most once per JVM. */
    private static final Map<Path, Thread> TRAINERS = new ConcurrentHashMap<>();
    /** The archive options of children whose own options the inherited archive does not fit, by those options, once ready. */
    private static final Map<List<String>, List<String>> OWN_ARCHIVES = new ConcurrentHashMap<>();

    private ChildCommand() {
    }

    /**
     * The full command that runs {@link ChildMain} on {@code bootstrapName} under {@code
     * commandPrefix} (none if empty), with the child's own {@code extraJvmOptions}. A prefixed
     * child is told to check that the prefix left this JVM its parent ({@link
     * ChildMain#PARENT_CHECK_PROPERTY}).
     */
    static List<String> build(List<String> commandPrefix, List<String> extraJvmOptions, String bootstrapName) {
        Inherited base = inherited();
        List<String> options = childOptions(base, extraJvmOptions);
        List<String> archive = archiveOptions(base, extraJvmOptions);
        List<String> command = new ArrayList<>(commandPrefix.size() + options.size() + archive.size() + base.launch().size() + 4);
        if (!commandPrefix.isEmpty()) {
            command.add(onPath(commandPrefix.getFirst()));
            command.addAll(commandPrefix.subList(1, commandPrefix.size()));
        }
        command.add(base.java());
        if (!commandPrefix.isEmpty()) {
            command.add("-D" + ChildMain.PARENT_CHECK_PROPERTY + "=true");
        }
        command.addAll(options);
        command.addAll(archive);
        command.addAll(base.launch());
        command.add(bootstrapName);
        return command;
    }

    /** The inherited options, then the child's own; a collector of its own replaces the inherited one. */
    private static List<String> childOptions(Inherited base, List<String> ownOptions) {
        boolean ownCollector = ownOptions.stream().anyMatch(ChildCommand::choosesCollector);
        List<String> options = new ArrayList<>(base.options().size() + ownOptions.size());
        for (String option : base.options()) {
            // two collectors on one command line stop the JVM at start
            if (!(ownCollector && choosesCollector(option))) {
                options.add(option);
            }
        }
        options.addAll(ownOptions);
        return options;
    }

    /**
     * The archive options of a child with {@code ownOptions}: none if they configure sharing
     * themselves; the inherited archive unless they would make the JVM refuse it; else an
     * archive trained with them, once ready — until then none, and its training started in the
     * background.
     */
    private static List<String> archiveOptions(Inherited base, List<String> ownOptions) {
        if (ownOptions.stream().anyMatch(ChildCommand::configuresSharing)) {
            return List.of();
        }
        if (ownOptions.stream().noneMatch(ChildCommand::refusesArchive)) {
            return base.archive();
        }
        List<String> ready = OWN_ARCHIVES.get(ownOptions);
        if (ready != null) {
            return ready;
        }
        Path archive = ownArchive(base, ownOptions);
        if (archive == null) {
            return List.of();
        }
        List<String> options = readyOrTraining(base.java(), childOptions(base, ownOptions), base.launch(), archive,
                environment(System.getenv(), ownOptions));
        if (!options.isEmpty()) {
            OWN_ARCHIVES.put(List.copyOf(ownOptions), options);
        }
        return options;
    }

    /** Where the archive of children with {@code ownOptions} is kept; null if none may be used. */
    private static Path ownArchive(Inherited base, List<String> ownOptions) {
        return archivesAllowed() ? cdsArchive(childOptions(base, ownOptions)) : null;
    }

    private static boolean archivesAllowed() {
        return !"false".equals(System.getProperty(CDS_DISABLED_PROPERTY)) && onlyJars();
    }

    /**
     * The options that map {@code archive} if it is ready (and trusted); else none, with its
     * training started in the background unless this JVM started it already.
     */
    private static List<String> readyOrTraining(String java, List<String> options, List<String> launch, Path archive,
                                                Map<String, String> environment) {
        if (StartupCacheDirectory.trustedArchive(archive)) {
            StartupCacheDirectory.markUsed(archive);
            List<String> archiveOptions = new ArrayList<>();
            archiveOptions.add((AOT_CACHE ? "-XX:AOTCache=" : "-XX:SharedArchiveFile=") + archive);
            archiveOptions.addAll(QUIET_ARCHIVE_LOGS);
            return List.copyOf(archiveOptions);
        }
        TRAINERS.computeIfAbsent(archive, path -> trainInBackground(java, options, launch, path, environment));
        return List.of();
    }

    /**
     * {@code program} as a path the platform's spawn takes (it does not search the PATH): as
     * given if it names a directory, else the first executable of that name on the PATH.
     *
     * @throws IllegalArgumentException if there is none
     */
    static String onPath(String program) {
        if (program.contains("/") || program.contains(java.io.File.separator)) {
            return program;
        }
        boolean windows = System.getProperty("os.name", "").startsWith("Windows");
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
        for (String directory : path.split(java.io.File.pathSeparator)) {
            for (String name : windows ? List.of(program, program + ".exe") : List.of(program)) {
                Path candidate = Path.of(directory.isEmpty() ? "." : directory, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate.toString();
                }
            }
        }
        throw new IllegalArgumentException("the command prefix's program '" + program + "' is not on the PATH (" + path + ")");
    }

    private static Inherited inherited() {
        Inherited base = inherited;
        if (base == null) {
            base = inheritedCommand();
            inherited = base;
        }
        return base;
    }

    /**
     * The environment of a child with {@code extraJvmOptions}, from {@code parent}'s: a collector
     * flag in the JVM's option variables is left out when the child names a collector of its
     * own, since a JVM told two collectors does not start.
     */
    static Map<String, String> environment(Map<String, String> parent, List<String> extraJvmOptions) {
        if (extraJvmOptions.stream().noneMatch(ChildCommand::choosesCollector)) {
            return parent;
        }
        Map<String, String> environment = new HashMap<>(parent);
        for (String variable : OPTION_VARIABLES) {
            String options = environment.get(variable);
            if (options != null) {
                String kept = COLLECTOR_IN_VARIABLE.matcher(options).replaceAll("").strip();
                if (kept.isEmpty()) {
                    environment.remove(variable);
                } else {
                    environment.put(variable, kept);
                }
            }
        }
        return environment;
    }

    /** Whether {@code option} sets one of HotSpot's collector flags, on or off. */
    static boolean choosesCollector(String option) {
        return COLLECTOR_OPTION.matcher(option).matches();
    }

    private static boolean configuresSharing(String option) {
        return SHARING_PREFIXES.stream().anyMatch(option::startsWith);
    }

    /** Whether a child's own {@code option} makes the JVM refuse an archive trained without it. */
    static boolean refusesArchive(String option) {
        if (ARCHIVE_REFUSING_PREFIXES.stream().anyMatch(option::startsWith)) {
            return true;
        }
        Matcher limit = HEAP_LIMIT.matcher(option);
        if (!limit.matches()) {
            return false;
        }
        int shift = switch (limit.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        String digits = limit.group(1);
        // a number too long to parse is far past the limit
        return digits.length() > 15 || Long.parseLong(digits) >= COMPRESSED_OOPS_LIMIT >> shift;
    }

    /**
     * Whether this JVM was told which collector to use — on its command line, in an environment
     * variable or an options file — rather than left to pick one; a JVM that is not HotSpot
     * counts as told, so that it is given no HotSpot flag.
     */
    private static boolean collectorChosenForThisJvm() {
        return hotSpot() == null || toldCollector().isPresent();
    }

    private static HotSpotDiagnosticMXBean hotSpot() {
        return ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    }

    /** The collector flag this JVM was told, and where it was told it; empty if it picked one itself (or is not HotSpot). */
    private static Optional<VMOption> toldCollector() {
        HotSpotDiagnosticMXBean hotSpot = hotSpot();
        if (hotSpot == null) {
            return Optional.empty();
        }
        for (String flag : COLLECTOR_FLAGS) {
            VMOption option;
            try {
                option = hotSpot.getVMOption(flag);
            } catch (IllegalArgumentException notInThisJvm) {
                continue;
            }
            if (option.getOrigin() != VMOption.Origin.DEFAULT && option.getOrigin() != VMOption.Origin.ERGONOMIC) {
                return Optional.of(option);
            }
        }
        return Optional.empty();
    }

    private static String where(VMOption.Origin origin) {
        return switch (origin) {
            case VM_CREATION -> "on its command line";
            case ENVIRON_VAR -> "in JAVA_TOOL_OPTIONS or _JAVA_OPTIONS";
            case CONFIG_FILE -> "in an options file";
            default -> "(" + origin + ")";
        };
    }

    /** Which collector children run and why ({@code multiproc doctor}). */
    public static PlatformCheck collectorCheck() {
        if (hotSpot() == null) {
            return PlatformCheck.ok("child collector", "this JVM's default (not HotSpot: no collector flag is added)");
        }
        return toldCollector()
                .map(told -> PlatformCheck.ok("child collector", "-XX:" + ("true".equals(told.getValue()) ? "+" : "-") + told.getName()
                        + ", as this JVM was told " + where(told.getOrigin())))
                .orElse(PlatformCheck.ok("child collector", DEFAULT_COLLECTOR
                        + " (this JVM was told none; a child's or pool's own JVM options may name another)"));
    }

    private static Inherited inheritedCommand() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> options = inheritedOptions();
        if (options.stream().noneMatch(option -> option.startsWith("--enable-native-access"))) {
            // the parent may have it from a jar manifest (Enable-Native-Access), which a child started with -cp lacks
            Module platformModule = Platforms.current().getClass().getModule();
            options.add("--enable-native-access=" + (platformModule.isNamed() ? platformModule.getName() : "ALL-UNNAMED"));
        }
        if (!collectorChosenForThisJvm()) {
            options.add(DEFAULT_COLLECTOR);
        }
        List<String> launch = launchArguments();
        Path archive = archivesAllowed() ? cdsArchive(options) : null;
        List<String> archiveOptions = archive == null ? List.of() : readyOrTraining(java, options, launch, archive, System.getenv());
        return new Inherited(java, List.copyOf(options), archiveOptions, List.copyOf(launch));
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
    private static Thread trainInBackground(String java, List<String> options, List<String> launch, Path archive,
                                            Map<String, String> environment) {
        List<String> base = new ArrayList<>(options.size() + 1);
        base.add(java);
        base.addAll(options);
        Thread training = new Thread(() -> {
            Path partial = archive.resolveSibling(archive.getFileName() + ".tmp-" + ProcessHandle.current().pid());
            try {
                List<String> command = new ArrayList<>(base);
                command.addAll(CACHE_TRAINING_OPTIONS);
                command.add((AOT_CACHE ? "-XX:AOTCacheOutput=" : "-XX:ArchiveClassesAtExit=") + partial);
                command.addAll(QUIET_ARCHIVE_LOGS);
                command.addAll(launch);
                command.add(ChildMain.TRAIN_ARGUMENT);
                ProcessBuilder builder = new ProcessBuilder(command)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD);
                builder.environment().clear();
                builder.environment().putAll(environment);
                Process process = builder.start();
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
        training.start();
        return training;
    }

    /**
     * Makes sure the start-up archive for child JVMs exists: trains it now if it is missing
     * (and the paths allow one), and waits at most {@code timeout} for the training.
     *
     * @return whether children now start with an archive
     */
    public static boolean awaitArchive(Duration timeout) throws InterruptedException {
        return awaitArchive(timeout, List.of());
    }

    /**
     * {@link #awaitArchive(Duration)} for children with {@code ownOptions}, which may need an
     * archive of their own.
     *
     * @return whether children with those options now start with an archive
     */
    public static boolean awaitArchive(Duration timeout, List<String> ownOptions) throws InterruptedException {
        Inherited base = inherited();
        if (!archiveOptions(base, ownOptions).isEmpty()) {
            return true;
        }
        boolean own = ownOptions.stream().anyMatch(ChildCommand::refusesArchive);
        Path archive = own ? ownArchive(base, ownOptions) : archivesAllowed() ? cdsArchive(base.options()) : null;
        Thread training = archive == null ? null : TRAINERS.get(archive);
        if (training == null) {
            return false;
        }
        training.join(timeout);
        inherited = null;
        return !archiveOptions(inherited(), ownOptions).isEmpty();
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
                    String.join("\u0000", options), String.join("\u0000", CACHE_TRAINING_OPTIONS)));
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
