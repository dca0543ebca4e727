package dev.multiproc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A plain child JVM for tests of the layers below {@link JvmProcess}: runs a class's main with
 * this JVM's class path and native access, stdout piped back line by line, stderr inherited.
 */
public final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final BufferedReader stdout;

    private ChildJvm(Process process) {
        this.process = process;
        this.stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    static ChildJvm start(Class<?> main, String... args) throws IOException {
        return start(defaultOptions(), main, args);
    }

    /** Runs {@code main} with the given JVM options (class or module path included). */
    static ChildJvm start(List<String> jvmOptions, Class<?> main, String... args) throws IOException {
        return startUnder(List.of(), jvmOptions, main, args);
    }

    /**
     * Runs {@code main} under a launcher command ({@code unshare ...}, {@code runuser ...}) that
     * ends by running the JVM command given after it.
     */
    static ChildJvm startUnder(List<String> launcher, List<String> jvmOptions, Class<?> main, String... args) throws IOException {
        return start(launcher, jvmOptions, Map.of(), main, args);
    }

    /** Runs {@code main} with the default options and these environment variables added to this JVM's. */
    static ChildJvm startWithEnvironment(Map<String, String> variables, Class<?> main, String... args) throws IOException {
        return start(List.of(), defaultOptions(), variables, main, args);
    }

    private static ChildJvm start(List<String> launcher, List<String> jvmOptions, Map<String, String> variables, Class<?> main,
                                  String... args) throws IOException {
        List<String> command = new ArrayList<>(launcher);
        command.add(java());
        command.addAll(jvmOptions);
        command.add(main.getName());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().putAll(variables);
        return new ChildJvm(builder.start());
    }

    /**
     * Whether this JVM was told its collector (command line, environment, options file) rather
     * than left to pick one: what decides the collector of multiproc's children.
     */
    public static boolean toldItsCollector() {
        var hotSpot = java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
        return List.of("UseSerialGC", "UseParallelGC", "UseG1GC", "UseZGC", "UseShenandoahGC").stream()
                .map(flag -> hotSpot.getVMOption(flag).getOrigin())
                .anyMatch(origin -> origin != com.sun.management.VMOption.Origin.DEFAULT
                        && origin != com.sun.management.VMOption.Origin.ERGONOMIC);
    }

    /** This JVM's java command. */
    public static String java() {
        return ProcessHandle.current().info().command().orElseThrow();
    }

    /** The default options: native access and this JVM's class path. */
    static List<String> defaultOptions() {
        return List.of("--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"));
    }

    /** Kills (SIGKILL) the JVM itself when it runs under a launcher, and waits until it and the launcher have ended. */
    void killJvm() throws InterruptedException {
        List<ProcessHandle> jvms = process.descendants().toList();
        jvms.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle jvm : jvms) {
            try {
                jvm.onExit().get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new AssertionError("pid " + jvm.pid() + " did not end within 10 s of SIGKILL", e);
            }
        }
        kill();
    }

    /** The next line the child printed; fails the test if the child ended first. */
    String readLine() throws IOException {
        String line = stdout.readLine();
        if (line == null) {
            throw new AssertionError("child ended without printing the expected line; exit "
                    + (process.isAlive() ? "n/a" : process.exitValue()));
        }
        return line;
    }

    long pid() {
        return process.pid();
    }

    int waitFor(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("child did not end within " + seconds + " s");
        }
        return process.exitValue();
    }

    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            killJvm();
        }
    }
}
