package dev.multiproc.bench.run;

import dev.multiproc.bench.StartupProbe;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** The floor of a cold JVM start here: {@code java -cp} this jar, a main that prints the time it was reached. */
public final class BareJvm {
    private BareJvm() {
    }

    /** Nanoseconds from starting the process to its main running (one start). */
    public static long startNanos() throws IOException, InterruptedException {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), StartupProbe.class.getName());
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).start();
        try (InputStream out = process.getInputStream()) {
            long arrived = Long.parseLong(new String(out.readAllBytes(), StandardCharsets.US_ASCII).trim());
            process.waitFor();
            return arrived - start;
        }
    }
}
