package dev.multiproc;

import dev.multiproc.spi.ChildProcess;
import dev.multiproc.spi.NativePlatform;
import dev.multiproc.spi.Platforms;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Holds a file open on an inheritable descriptor, spawns {@code /bin/sh} through the platform and
 * has it list its descriptors, for {@link InheritedDescriptorsTest}. Prints "held fd N
 * inheritable|close-on-exec", then what the child lists, then "done".
 */
public final class DescriptorProbe {
    private static final int O_CLOEXEC = 02000000;

    private DescriptorProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]).toRealPath();
        try (RandomAccessFile held = new RandomAccessFile(file.toFile(), "r")) {
            int fd = descriptorOf(file);
            String flags = Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd)).stream()
                    .filter(line -> line.startsWith("flags:")).findFirst().orElseThrow().substring("flags:".length()).trim();
            boolean closeOnExec = (Integer.parseInt(flags, 8) & O_CLOEXEC) != 0;
            System.out.println("held fd " + fd + (closeOnExec ? " close-on-exec" : " inheritable"));
            System.out.flush();
            NativePlatform platform = Platforms.current();
            ChildProcess child = platform.spawn(List.of("/bin/sh", "-c", "ls -l /proc/$$/fd"), Map.of("PATH", "/usr/bin:/bin"));
            platform.awaitExit(child.identity(), Duration.ofSeconds(30));
            System.out.println("done");
        }
    }

    private static int descriptorOf(Path file) throws Exception {
        try (var entries = Files.list(Path.of("/proc/self/fd"))) {
            for (Path entry : entries.toList()) {
                try {
                    if (Files.readSymbolicLink(entry).equals(file)) {
                        return Integer.parseInt(entry.getFileName().toString());
                    }
                } catch (java.io.IOException gone) {
                    // the listing's own descriptor, closed by now
                }
            }
        }
        throw new IllegalStateException(file + " is not open");
    }
}
