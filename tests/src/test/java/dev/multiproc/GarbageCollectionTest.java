package dev.multiproc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

@Timeout(60)
@LinuxOnly
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
            assertTrue(removed.indexOf(leftoverMarker) > removed.indexOf(leftover), "the marker goes after the context's objects");
            assertFalse(Files.exists(Path.of("/dev/shm", leftover)));
            assertFalse(Files.exists(Path.of("/dev/shm", leftoverMarker)));

            assertFalse(removed.contains(mine.name()));
            assertTrue(Files.exists(Path.of("/dev/shm", mine.name())), "a live creator's object stays");
            assertTrue(Files.exists(Path.of("/dev/shm", "mp-" + mp.id() + "-context")));
        }
    }

    @Test
    void aSpilledMessageOutlivesTheDeathOfItsQueuesCreatorWhileSomeoneUsesTheQueue() throws Exception {
        try (ChildJvm creator = ChildJvm.start(QueueCreatingChild.class)) {
            String name = creator.readLine();
            SharedQueue<byte[]> queue = SharedQueue.attach(name, dev.multiproc.codec.Codec.bytes());
            byte[] big = new byte[200_000];
            big[0] = 7;
            big[big.length - 1] = 9;
            queue.put(big);
            creator.kill();

            List<String> removed = Multiproc.collectGarbage();
            assertFalse(removed.contains(name), "a queue in use outlives its creator: " + removed);
            assertTrue(removed.stream().noneMatch(object -> object.startsWith(name + "+s")), "and so do its spills: " + removed);
            assertArrayEquals(big, queue.poll(10, java.util.concurrent.TimeUnit.SECONDS), "the spilled message is still there");
            queue.close();
            assertFalse(Files.exists(Path.of("/dev/shm", name)), "the last user of an ended context's queue removed it");
        }
    }

    /** Makes a queue in its own context, prints its name, then waits to be killed. */
    public static final class QueueCreatingChild {
        public static void main(String[] args) throws InterruptedException {
            Multiproc mp = Multiproc.create();
            System.out.println(mp.queue(dev.multiproc.codec.Codec.bytes(), 16, 128).name());
            Thread.sleep(60_000);
        }
    }

    @Test
    void aGeneratedNameSomeoneElseTookIsPassedOver() throws Exception {
        try (Multiproc mp = Multiproc.create(); SharedLong first = mp.sharedLong(1)) {
            String squatted = "mp-" + mp.id() + "-lock-2";
            Files.createFile(Path.of("/dev/shm", squatted));
            try (SharedLock lock = mp.lock()) {
                assertEquals("mp-" + mp.id() + "-lock-3", lock.name(), "the next name is used");
                assertTrue(lock.tryLock());
                lock.unlock();
            } finally {
                Files.delete(Path.of("/dev/shm", squatted));
            }
        }
    }

    @Test
    void anObjectOfAnOlderLayoutIsRefusedNotMisread() throws Exception {
        try (Multiproc mp = Multiproc.create(); SharedMemory block = mp.sharedMemory(64)) {
            dev.multiproc.spi.NativePlatform platform = dev.multiproc.spi.Platforms.current();
            String name = "mp-" + mp.id() + "-lock-900";
            dev.multiproc.spi.MappedRegion region = dev.multiproc.internal.shm.header.ObjectHeader.create(platform, name,
                    dev.multiproc.internal.shm.header.ObjectKind.LOCK, dev.multiproc.internal.shm.lock.LockLayout.LENGTH);
            try {
                region.segment().set(java.lang.foreign.ValueLayout.JAVA_INT, dev.multiproc.internal.shm.header.ObjectHeaderLayout.VERSION_OFFSET, 1);
                dev.multiproc.internal.shm.header.ObjectHeader.publish(region);
                IncompatibleSharedObjectException refused = assertThrows(IncompatibleSharedObjectException.class,
                        () -> Multiproc.context().attach(new SharedObjectReference(dev.multiproc.internal.shm.header.ObjectKind.LOCK.code(), name, 0)));
                assertTrue(refused.getMessage().contains("layout version is 1"), refused.getMessage());
            } finally {
                region.close();
                platform.unlinkRegion(name);
            }
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
