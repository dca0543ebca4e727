package dev.multiproc.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs the Python peer scripts shipped in this jar's resources with {@code python3} from the
 * PATH, so that Python's multiprocessing is measured on the same machine in the same run.
 */
public final class PythonPeerRunner {
    private static final String RESOURCE_DIRECTORY = "/dev/multiproc/bench/python/";

    private PythonPeerRunner() {
    }

    /** The python3 executable on the PATH, if there is one. */
    public static Optional<Path> python() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String directory : path.split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(directory, "python3");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** "Python 3.x.y" of the python3 on the PATH, or "Python" if it cannot tell. */
    public static String version() {
        try {
            Process process = new ProcessBuilder(python().orElseThrow().toString(), "--version").redirectErrorStream(true).start();
            String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            process.waitFor(10, TimeUnit.SECONDS);
            return text.isEmpty() ? "Python" : text;
        } catch (IOException | InterruptedException | RuntimeException e) {
            return "Python";
        }
    }

    /**
     * Runs {@code script} with {@code arguments} and returns its standard output lines.
     *
     * @throws IOException if python fails or exceeds {@code timeoutSeconds}
     */
    public static List<String> run(String script, long timeoutSeconds, String... arguments) throws IOException, InterruptedException {
        Path python = python().orElseThrow(() -> new IOException("python3 is not on the PATH"));
        Path file = Files.createTempFile("multiproc-" + script.replace(".py", "") + "-", ".py");
        try {
            try (InputStream in = PythonPeerRunner.class.getResourceAsStream(RESOURCE_DIRECTORY + script)) {
                if (in == null) {
                    throw new IOException("resource missing from the jar: " + script);
                }
                Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            List<String> command = new ArrayList<>(List.of(python.toString(), file.toString()));
            command.addAll(List.of(arguments));
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("python " + script + " did not finish within " + timeoutSeconds + " s");
            }
            if (process.exitValue() != 0) {
                throw new IOException("python " + script + " exited with " + process.exitValue());
            }
            return new String(output, StandardCharsets.UTF_8).lines().toList();
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
