package dev.multiproc;

import dev.multiproc.internal.shm.Words;
import dev.multiproc.spi.Platforms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.*;

@Timeout(60)
class SharedMemoryTest extends ContextPerTest {
    @LinuxOnly
    @Test
    void createdMemoryIsZeroedOwnerOnlyAndSeenByAnAttachedHandle() throws Exception {
        try (SharedMemory shm = mp.sharedMemory(4096)) {
            assertEquals(4096, shm.size());
            assertTrue(shm.name().startsWith("mp-" + mp.id() + "-shm-"), shm.name());
            for (long i = 0; i < 4096; i += 8) {
                assertEquals(0L, shm.segment().get(ValueLayout.JAVA_LONG, i));
            }
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of("/dev/shm", shm.name()))));
            shm.segment().set(ValueLayout.JAVA_LONG, 8, 42L);
            try (SharedMemory other = SharedMemory.attach(shm.name())) {
                assertEquals(42L, other.segment().get(ValueLayout.JAVA_LONG, 8));
                assertEquals(4096, other.size());
            }
            assertEquals(0, shm.segment().address() % 64, "user memory is cache-line aligned");
        }
    }

    @Test
    void anotherJvmSeesWritesAndItsWritesAreSeen() throws Exception {
        try (SharedMemory shm = mp.sharedMemory(64)) {
            shm.segment().set(ValueLayout.JAVA_LONG, 0, 1234L);
            try (ChildJvm child = ChildJvm.start(EchoChild.class, shm.name())) {
                assertEquals("saw 1234", child.readLine());
                assertEquals(0, child.waitFor(30));
            }
            assertEquals(1234L * 2, (long) Words.LONG.getAcquire(shm.segment(), 8L));
        }
    }

    /** Reads the parent's value, writes it doubled at offset 8. */
    public static final class EchoChild {
        public static void main(String[] args) {
            try (SharedMemory shm = SharedMemory.attach(args[0])) {
                long value = (long) Words.LONG.getAcquire(shm.segment(), 0L);
                System.out.println("saw " + value);
                Words.LONG.setRelease(shm.segment(), 8L, value * 2);
            }
        }
    }

    @Test
    void twoJvmsAddingAMillionEachTotalExactlyTwoMillion() throws Exception {
        try (SharedMemory shm = mp.sharedMemory(64)) {
            try (ChildJvm first = ChildJvm.start(AddingChild.class, shm.name(), "1000000");
                 ChildJvm second = ChildJvm.start(AddingChild.class, shm.name(), "1000000")) {
                assertEquals(0, first.waitFor(60));
                assertEquals(0, second.waitFor(60));
            }
            assertEquals(2_000_000L, (long) Words.LONG.getVolatile(shm.segment(), 0L));
        }
    }

    /** Adds 1 to the counter at offset 0, N times, atomically. */
    public static final class AddingChild {
        public static void main(String[] args) {
            try (SharedMemory shm = SharedMemory.attach(args[0])) {
                MemorySegment segment = shm.segment();
                long times = Long.parseLong(args[1]);
                for (long i = 0; i < times; i++) {
                    Words.LONG.getAndAdd(segment, 0L, 1L);
                }
            }
        }
    }

    @LinuxOnly
    @Test
    void badInputGetsSpecificExceptions() {
        assertThrows(SharedObjectNotFoundException.class, () -> SharedMemory.attach("mp-no-such-object-anywhere"));
        String name = "mp-test-" + ProcessHandle.current().pid() + "-named";
        try (SharedMemory shm = mp.sharedMemory(name, 128)) {
            SharedObjectExistsException exists = assertThrows(SharedObjectExistsException.class, () -> mp.sharedMemory(name, 128));
            assertTrue(exists.getMessage().contains(name), exists.getMessage());
            assertEquals(name, shm.name());
        } finally {
            mp.close();
        }
        assertFalse(Files.exists(Path.of("/dev/shm", name)), "the context removed the name it created");
        try (Multiproc other = Multiproc.create()) {
            assertThrows(IllegalArgumentException.class, () -> other.sharedMemory(0));
            assertThrows(IllegalArgumentException.class, () -> other.sharedMemory(-5));
            IllegalArgumentException slash = assertThrows(IllegalArgumentException.class, () -> other.sharedMemory("a/b", 64));
            assertTrue(slash.getMessage().contains("'/'"), slash.getMessage());
            IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class, () -> other.sharedMemory("x".repeat(300), 64));
            assertTrue(tooLong.getMessage().contains("at most"), tooLong.getMessage());
            assertThrows(IllegalArgumentException.class, () -> other.sharedMemory("", 64));
            assertThrows(IllegalArgumentException.class, () -> SharedMemory.attach("a/b"));
        }
    }

    @Test
    void attachingSomethingElseIsRefusedWithoutTouchingIt() {
        // the context's own marker is a multiproc object of another kind
        String marker = "mp-" + mp.id() + "-context";
        IncompatibleSharedObjectException wrongKind = assertThrows(IncompatibleSharedObjectException.class,
                () -> SharedMemory.attach(marker));
        assertTrue(wrongKind.getMessage().contains("it is a context"), wrongKind.getMessage());

        String foreign = "mp-test-foreign-" + ProcessHandle.current().pid();
        var platform = Platforms.current();
        try (var region = platform.createRegion(foreign, 256)) {
            region.segment().set(ValueLayout.JAVA_LONG, 0, 0x1122334455667788L);
            IncompatibleSharedObjectException notOurs = assertThrows(IncompatibleSharedObjectException.class,
                    () -> SharedMemory.attach(foreign));
            assertTrue(notOurs.getMessage().contains("not a multiproc object"), notOurs.getMessage());
            assertEquals(0x1122334455667788L, region.segment().get(ValueLayout.JAVA_LONG, 0), "memory left untouched");
        } finally {
            platform.unlinkRegion(foreign);
        }
    }

    @Test
    void closedHandleRefusesUseAndUnlinkRemovesTheName() {
        SharedMemory shm = mp.sharedMemory(64);
        String name = shm.name();
        shm.close();
        assertThrows(IllegalStateException.class, shm::segment);
        try (SharedMemory again = SharedMemory.attach(name)) {
            again.unlink();
            assertThrows(SharedObjectNotFoundException.class, again::unlink);
        }
        assertThrows(SharedObjectNotFoundException.class, () -> SharedMemory.attach(name));
    }
}
