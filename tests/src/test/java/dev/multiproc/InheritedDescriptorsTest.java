package dev.multiproc;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A spawned child inherits no descriptor of the JVM above 2, whichever way the C library and
 * kernel offer to ensure it (each forced in turn; the way glibc 2.34+ lacks on older glibc and
 * musl included). Runs {@link DescriptorProbe} as the parent.
 */
@Timeout(60)
@LinuxOnly
class InheritedDescriptorsTest {

    @org.junit.jupiter.api.Test
    void aProgramThatCannotBeSpawnedIsAnErrorNamingTheCallAndTheCLibrarysReason() {
        NativeCallException failed = assertThrows(NativeCallException.class, () -> dev.multiproc.spi.Platforms.current()
                .spawn(List.of("/nonexistent/multiproc-test-program"), java.util.Map.of("PATH", "/usr/bin:/bin")));
        assertTrue(failed.getMessage().contains("posix_spawn") && failed.getMessage().contains("ENOENT")
                && failed.getMessage().contains("/nonexistent/multiproc-test-program"), failed.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"close-from", "close-each-open", "mark-close-on-exec"})
    void aSpawnedChildInheritsNoDescriptorAboveStandardError(String way, @TempDir Path directory) throws Exception {
        assumeTrue(!way.equals("close-from") || closeFromAvailable(),
                "close-from: this C library has no posix_spawn_file_actions_addclosefrom_np (glibc < 2.34 or musl)");
        Path file = Files.writeString(directory.resolve("held-open.txt"), "x").toRealPath();
        List<String> options = new ArrayList<>(ChildJvm.defaultOptions());
        options.add("-Dmultiproc.spawn.descriptors=" + way);
        try (ChildJvm parent = ChildJvm.start(options, DescriptorProbe.class, file.toString())) {
            String held = parent.readLine();
            assertTrue(held.endsWith(" inheritable"), "the probe must hold a descriptor a child could inherit: " + held);
            List<String> listed = new ArrayList<>();
            for (String line = parent.readLine(); !line.equals("done"); line = parent.readLine()) {
                listed.add(line);
            }
            assertFalse(listed.isEmpty(), "the child listed its descriptors");
            assertTrue(listed.stream().noneMatch(line -> line.contains(file.toString())), way + ": the child inherited it: " + listed);
            assertEquals(0, parent.waitFor(30));
        }
    }

    /** Whether this machine's C library has the glibc 2.34 spawn action. */
    private static boolean closeFromAvailable() {
        return java.lang.foreign.Linker.nativeLinker().defaultLookup().find("posix_spawn_file_actions_addclosefrom_np").isPresent();
    }
}
