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
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
    void aBurstOfWakesBeforeTheWokenSleeperRunsMakesAtMostOneSystemCall() throws Exception {
        AtomicInteger wakeCalls = new AtomicInteger();
        WaitPoint point = new WaitPoint(countingWakes(wakeCalls), region, POINT);
        Thread sleeper = sleepUntilFlag(point, 1);
        try {
            awaitArmedSleepers(point, 1);
            Words.INT.setRelease(region.segment(), FLAG, 1);
            for (int i = 0; i < 1000; i++) {
                point.wakeAll();
            }
            sleeper.join(TimeUnit.SECONDS.toMillis(10));
            assertFalse(sleeper.isAlive(), "the sleeper was woken");
            // one, unless the sleeper's slice ended just before the first wake and it left by itself
            assertTrue(wakeCalls.get() <= 1, "only the wake that found the point armed made a system call: " + wakeCalls.get());
        } finally {
            sleeper.interrupt();
        }
    }

    @Test
    void aWakeOfOneLeavesThePointArmedForTheSleepersItDidNotWake() throws Exception {
        WaitPoint point = new WaitPoint(platform, region, POINT);
        Thread first = sleepUntilFlag(point, 1);
        Thread second = sleepUntilFlag(point, 1);
        try {
            awaitArmedSleepers(point, 2);
            Words.INT.setRelease(region.segment(), FLAG, 1);
            point.wakeOne();
            assertTrue(armed(), "still armed after waking one of two");
            point.wakeAll();
            assertFalse(armed(), "a wake of all disarms");
            first.join(TimeUnit.SECONDS.toMillis(10));
            second.join(TimeUnit.SECONDS.toMillis(10));
            assertFalse(first.isAlive() || second.isAlive(), "both sleepers were woken");
        } finally {
            first.interrupt();
            second.interrupt();
        }
    }

    /**
     * Threads counted as sleepers and the point armed, but none in the kernel (all woken, not yet
     * gone): a wake of one finds nobody to wake, disarms the point and wakes all (anyone who went
     * to sleep meanwhile on the value it found armed); the wakes after it make no system call
     * until a thread arms again.
     */
    @Test
    void aWakeOfOneThatFindsNobodyInTheKernelDisarmsThePointUntilSomeoneArmsAgain() {
        AtomicInteger wakeCalls = new AtomicInteger();
        WaitPoint point = new WaitPoint(countingWakes(wakeCalls), region, POINT);
        Words.INT.getAndAdd(region.segment(), POINT + WaitPointLayout.SLEEPERS_OFFSET, 2);
        int sequence = (int) Words.INT.getVolatile(region.segment(), POINT + WaitPointLayout.SEQUENCE_OFFSET);
        assertNotEquals(WaitPoint.NOT_ARMED, point.arm(sequence));
        point.wakeOne();
        assertEquals(2, wakeCalls.get(), "armed: a wake of one, which woke nobody, then a wake of all after disarming");
        assertFalse(armed(), "disarmed");
        point.wakeOne();
        point.wakeOne();
        assertEquals(2, wakeCalls.get(), "no system call while nobody armed");
        sequence = (int) Words.INT.getVolatile(region.segment(), POINT + WaitPointLayout.SEQUENCE_OFFSET);
        assertNotEquals(WaitPoint.NOT_ARMED, point.arm(sequence));
        point.wakeOne();
        assertEquals(4, wakeCalls.get(), "armed again: system calls again");
    }

    /** A thread sleeping (no spinning) on {@code point} until the flag is {@code value}, for at most 30 s. */
    private Thread sleepUntilFlag(WaitPoint point, int value) {
        Thread thread = new Thread(() -> {
            try {
                point.await(() -> (int) Words.INT.getAcquire(region.segment(), FLAG) == value,
                        TimeUnit.SECONDS.toNanos(30), WaitPolicy.SLEEP, WaitPoint.NO_CHECK);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        thread.start();
        return thread;
    }

    /** Waits until {@code count} threads sleep on {@code point} and it is armed. */
    private void awaitArmedSleepers(WaitPoint point, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (point.sleepers() < count || !armed()) {
            assertTrue(System.nanoTime() < deadline, "the sleepers never went to sleep");
            Thread.sleep(1);
        }
        // the last to arm may still be between its arming and the futex wait, which returns at once if the word moved
        Thread.sleep(5);
    }

    private boolean armed() {
        return ((int) Words.INT.getVolatile(region.segment(), POINT + WaitPointLayout.SEQUENCE_OFFSET) & WaitPointLayout.ARMED) != 0;
    }

    /** This platform, its wake system calls counted in {@code calls}. */
    private NativePlatform countingWakes(AtomicInteger calls) {
        return counting(java.util.Map.of("wake", calls), true);
    }

    /**
     * This platform, the calls of each method named in {@code counts} counted, and its fence of
     * other processes answering {@code fenceAnswer} (made only if true).
     */
    private NativePlatform counting(java.util.Map<String, AtomicInteger> counts, boolean fenceAnswer) {
        return (NativePlatform) Proxy.newProxyInstance(NativePlatform.class.getClassLoader(), new Class<?>[]{NativePlatform.class},
                (proxy, method, arguments) -> {
                    AtomicInteger calls = counts.get(method.getName());
                    if (calls != null) {
                        calls.incrementAndGet();
                    }
                    if (method.getName().equals("fenceRemoteThreads")) {
                        return fenceAnswer && platform.fenceRemoteThreads();
                    }
                    try {
                        return method.invoke(platform, arguments);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void thisPlatformLetsWakersSkipTheirFenceAndSleepersFenceThem() {
        assumeTrue(platform.name().equals("linux"), "membarrier is Linux's");
        assertTrue(platform.acceptRemoteFences(), "registered for membarrier's global expedited fence");
        assertTrue(platform.fenceRemoteThreads(), "the fence reaches every registered process");
    }

    @Test
    void aSleeperOnAPointWhoseWakersSkipTheirFenceFencesThemOnceAfterItsFirstShortSleep() throws Exception {
        AtomicInteger fences = new AtomicInteger();
        AtomicInteger sleeps = new AtomicInteger();
        NativePlatform fencing = countingFencesAndSleeps(fences, sleeps, true);
        long timeout = TimeUnit.MILLISECONDS.toNanos(100);
        assertFalse(WaitPoint.fencedBySleepers(fencing, region, POINT).await(() -> false, timeout, WaitPolicy.SLEEP, WaitPoint.NO_CHECK));
        assertEquals(1, fences.get(), "one fence, after the first sleep of at most " + WaitPoint.UNFENCED_SLEEP_NANOS + " ns");
        assertTrue(sleeps.get() <= 6, "fenced, it sleeps whole slices: " + sleeps.get() + " sleeps in 100 ms");

        fences.set(0);
        assertFalse(new WaitPoint(fencing, region, POINT).await(() -> false, timeout, WaitPolicy.SLEEP, WaitPoint.NO_CHECK));
        assertEquals(0, fences.get(), "a point whose wakers fence themselves needs none");
    }

    @Test
    void aSleeperThatCannotFenceTheWakersLooksAtItsConditionAfterEachShortSleep() throws Exception {
        AtomicInteger fences = new AtomicInteger();
        AtomicInteger sleeps = new AtomicInteger();
        NativePlatform refusing = countingFencesAndSleeps(fences, sleeps, false);
        assertFalse(WaitPoint.fencedBySleepers(refusing, region, POINT)
                .await(() -> false, TimeUnit.MILLISECONDS.toNanos(200), WaitPolicy.SLEEP, WaitPoint.NO_CHECK));
        assertEquals(1, fences.get(), "a refused fence is not tried again in the same wait");
        assertTrue(sleeps.get() >= 15, "a wake it may miss costs it at most a short sleep: " + sleeps.get() + " sleeps in 200 ms");
    }

    private NativePlatform countingFencesAndSleeps(AtomicInteger fences, AtomicInteger sleeps, boolean fenceAnswer) {
        return counting(java.util.Map.of("fenceRemoteThreads", fences, "await", sleeps), fenceAnswer);
    }

    @Test
    void aWakeWithNobodyAsleepLeavesTheSequenceAlone() {
        WaitPoint point = new WaitPoint(platform, region, POINT);
        point.wakeAll();
        point.wakeOne();
        assertEquals(0, (int) Words.INT.getVolatile(region.segment(), POINT + WaitPointLayout.SEQUENCE_OFFSET));
    }
}
