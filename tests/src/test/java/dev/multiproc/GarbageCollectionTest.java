package dev.multiproc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

@Timeout(60)
class GarbageCollectionTest {

    @Test
    void aKilledCreatorsObjectsAreCollectedAndALiveCreatorsAreNot() throws Exception {
        try (Multiproc mp = Multiproc.create(); SharedMemory mine = mp.sharedMemory(128)) {
            String leftover;
            String leftoverMarker;
            try (ChildJvm child = ChildJvm.start(CreatingChild.class)) {
                leftover = child.readLine();
                leftoverMarker = child.readLine();
                child.kill();
            }
            assertTrue(Files.exists(Path.of("/dev/shm", leftover)), "SIGKILL left the child's object behind");
            assertTrue(Files.exists(Path.of("/dev/shm", leftoverMarker)));

            assertTrue(Multiproc.findGarbage().contains(leftover), "dry run lists it");
            assertTrue(Files.exists(Path.of("/dev/shm", leftover)), "dry run removes nothing");

            List<String> removed = Multiproc.collectGarbage();
            assertTrue(removed.contains(leftover), removed.toString());
            assertTrue(removed.contains(leftoverMarker), removed.toString());
            assertEquals(leftoverMarker, removed.getLast(), "the marker goes last");
            assertFalse(Files.exists(Path.of("/dev/shm", leftover)));
            assertFalse(Files.exists(Path.of("/dev/shm", leftoverMarker)));

            assertFalse(removed.contains(mine.name()));
            assertTrue(Files.exists(Path.of("/dev/shm", mine.name())), "a live creator's object stays");
            assertTrue(Files.exists(Path.of("/dev/shm", "mp-" + mp.id() + "-context")));
        }
    }

    /** Creates an object in its own context, prints its name and its context's marker, then waits to be killed. */
    public static final class CreatingChild {
        public static void main(String[] args) throws InterruptedException {
            Multiproc mp = Multiproc.create();
            SharedMemory shm = mp.sharedMemory(4096);
            System.out.println(shm.name());
            System.out.println("mp-" + mp.id() + "-context");
            Thread.sleep(60_000);
        }
    }
}
