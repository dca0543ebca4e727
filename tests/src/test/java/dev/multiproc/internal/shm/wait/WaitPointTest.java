package dev.multiproc.internal.shm.wait;


import dev.multiproc.internal.shm.Words;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NativePlatform;
import dev.multiproc.spi.Platforms;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.*;

@Timeout(60)
class WaitPointTest {
    /** Layout of the test region: a wait point, then the flag it guards. */
    private static final long POINT = 0;
    private static final long FLAG = 8;

    private final NativePlatform platform = Platforms.current();
    private String name;
    private MappedRegion region;

    @BeforeEach
    void create() {
        name = "mp-test-wait-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        region = platform.createRegion(name, 64);
    }

    @AfterEach
    void remove() {
        region.close();
        platform.unlinkRegion(name);
    }

    @Test
    void aChildBlockedOnTheWordIsWokenByTheParent() throws Exception {
        Process child = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                WaitingChild.class.getName(), name)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
            WaitPoint point = new WaitPoint(platform, region, POINT);
            assertEquals("waiting", out.readLine());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (point.sleepers() == 0) {
                assertTrue(System.nanoTime() < deadline, "child never went to sleep");
                Thread.sleep(1);
            }
            assertTrue(child.isAlive(), "the child is blocked");
            Words.INT.setRelease(region.segment(), FLAG, 1);
            point.wakeAll();
            assertTrue(child.waitFor(10, TimeUnit.SECONDS), "the wake reached the child");
            assertEquals(0, child.exitValue());
            assertEquals("woken", out.readLine());
        } finally {
            child.destroyForcibly();
        }
    }

    /** Sleeps (BLOCKING) until the flag is set. */
    public static final class WaitingChild {
        public static void main(String[] args) throws Exception {
            NativePlatform platform = Platforms.current();
            try (MappedRegion region = platform.openRegion(args[0])) {
                WaitPoint point = new WaitPoint(platform, region, POINT);
                System.out.println("waiting");
                boolean set = point.await(() -> (int) Words.INT.getAcquire(region.segment(), FLAG) == 1,
                        TimeUnit.SECONDS.toNanos(30), WaitPolicy.SLEEP, WaitPoint.NO_CHECK);
                System.out.println(set ? "woken" : "timed out");
                System.exit(set ? 0 : 3);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(WaitPolicy.class)
    void timeoutsReturnOnTime(WaitPolicy policy) throws Exception {
        WaitPoint point = new WaitPoint(platform, region, POINT);
        long start = System.nanoTime();
        boolean met = point.await(() -> false, TimeUnit.MILLISECONDS.toNanos(200), policy, WaitPoint.NO_CHECK);
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertFalse(met);
        assertTrue(elapsedMillis >= 200, "returned early: " + elapsedMillis + " ms");
        assertTrue(elapsedMillis < 2_000, "returned late: " + elapsedMillis + " ms");
        assertEquals(0, point.sleepers(), "a timed-out waiter no longer counts as a sleeper");
    }

    @Test
    void aWaitingThreadIsInterruptible() throws Exception {
        WaitPoint point = new WaitPoint(platform, region, POINT);
        AtomicBoolean interrupted = new AtomicBoolean();
        Thread waiter = new Thread(() -> {
            try {
                point.await(() -> false, -1, WaitPolicy.SLEEP, WaitPoint.NO_CHECK);
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        });
        waiter.start();
        while (point.sleepers() == 0) {
            Thread.sleep(1);
        }
        waiter.interrupt();
        waiter.join(5_000);
        assertFalse(waiter.isAlive());
        assertTrue(interrupted.get());
    }

    @Test
    void sliceChecksRunWhileWaitingAndCanEndTheWait() {
        WaitPoint point = new WaitPoint(platform, region, POINT);
        int[] checks = {0};
        IllegalStateException broken = assertThrows(IllegalStateException.class, () -> point.await(() -> false, -1,
                WaitPolicy.SLEEP, () -> {
                    if (++checks[0] == 3) {
                        throw new IllegalStateException("peer died");
                    }
                }));
        assertEquals("peer died", broken.getMessage());
        assertEquals(3, checks[0]);
    }

    @Test
    void aWakeWithNobodyAsleepLeavesTheSequenceAlone() {
        WaitPoint point = new WaitPoint(platform, region, POINT);
        point.wakeAll();
        point.wakeOne();
        assertEquals(0, (int) Words.INT.getVolatile(region.segment(), POINT + WaitPointLayout.SEQUENCE_OFFSET));
    }
}
