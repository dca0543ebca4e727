package dev.multiproc.windows;

import dev.multiproc.SharedObjectExistsException;
import dev.multiproc.SharedObjectNotFoundException;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NamedSemaphore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

@EnabledOnOs(OS.WINDOWS)
@Timeout(30)
class WindowsPlatformTest {
    private final WindowsPlatform platform = new WindowsPlatform();

    @Test
    void aMappingIsSharedByNameAndRemovedWithItsCreatorsHandle() {
        String name = "mp-test-" + ProcessHandle.current().pid();
        try (MappedRegion created = platform.createRegion(name, 4096)) {
            assertThrows(SharedObjectExistsException.class, () -> platform.createRegion(name, 4096));
            created.segment().set(ValueLayout.JAVA_LONG, 0, 77L);
            try (MappedRegion opened = platform.openRegion(name)) {
                assertEquals(77L, opened.segment().get(ValueLayout.JAVA_LONG, 0));
                assertTrue(opened.size() >= 4096);
            }
            assertTrue(platform.unlinkRegion(name));
        }
        assertThrows(SharedObjectNotFoundException.class, () -> platform.openRegion(name));
    }

    @Test
    void namedSemaphoresCountAndTimeOut() throws Exception {
        String name = "mp-test-sem-" + ProcessHandle.current().pid();
        try (NamedSemaphore semaphore = platform.createSemaphore(name, 1)) {
            assertTrue(semaphore.acquire(0));
            assertFalse(semaphore.acquire(TimeUnit.MILLISECONDS.toNanos(100)));
            semaphore.release();
            assertEquals(1, semaphore.value());
        }
    }

    @Test
    void theCurrentProcessIsAlive() {
        assertTrue(platform.isAlive(platform.currentProcess()));
        assertTrue(platform.liveness().isAlive(platform.liveness().currentToken()));
    }
}
