package dev.multiproc.remote;

import dev.multiproc.JvmProcess;

import java.io.File;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/** The media driver directory a child JVM killed in a test left in /dev/shm, removed once its heartbeat has stopped. */
final class KilledDrivers {
    private KilledDrivers() {
    }

    static void remove(JvmProcess child) throws InterruptedException {
        File base = MediaDrivers.base();
        String prefix = MediaDrivers.PREFIX + child.pid().orElse(-1) + "-";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            MediaDrivers.removeLeftBehind();
            File[] left = base.listFiles((dir, name) -> name.startsWith(prefix));
            if (left == null || left.length == 0) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail("the killed child's media driver directory is still there: " + List.of(left));
            }
            Thread.sleep(200);
        }
    }
}
