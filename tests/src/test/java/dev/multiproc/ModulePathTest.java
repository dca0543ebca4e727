package dev.multiproc;

import dev.multiproc.posix.PosixPlatform;
import example.ModularProgram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** multiproc on the module path: the platform is found through module-info, children start the same way. */
@Timeout(120)
@LinuxOnly
class ModulePathTest {

    private static String location(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    @Test
    void childrenOfAModularProgramRunOnTheModulePathToo() throws Exception {
        String modulePath = location(Multiproc.class) + File.pathSeparator + location(PosixPlatform.class);
        String classPath = location(ModularProgram.class);
        try (Multiproc mp = Multiproc.create(); SharedMemory shm = mp.sharedMemory(64)) {
            List<String> options = List.of("--enable-native-access=dev.multiproc.posix", "--illegal-native-access=deny",
                    "--module-path", modulePath, "--add-modules", "dev.multiproc.core,dev.multiproc.posix", "-cp", classPath);
            try (ChildJvm program = ChildJvm.start(options, ModularProgram.class, shm.name())) {
                assertEquals("named 0", program.readLine());
                assertEquals(0, program.waitFor(60));
            }
            assertEquals(1L, shm.segment().get(ValueLayout.JAVA_LONG, 0), "the child ran multiproc from the module path");
            assertTrue(shm.segment().get(ValueLayout.JAVA_LONG, 8) > 0);
        }
    }
}
