package dev.multiproc.internal.shm.wait;

import dev.multiproc.LinuxOnly;
import dev.multiproc.internal.shm.Words;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NativePlatform;
import dev.multiproc.spi.Platforms;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link NativePlatform#awaitAny} on more words than one kernel multi-wait takes (Linux's
 * {@code futex_waitv}: 128; more were refused with EINVAL, so {@code Connection.waitAny} on 129
 * connections threw): a change and wake of any one of them ends the sleep, in whichever batch of
 * the platform's it falls, and no thread is left asleep on the others.
 */
@Timeout(60)
class AwaitManyWordsTest {
    private static final int WORDS = 300;
    /** Longer than any test may take: a sleep that ends sooner was ended by a word. */
    private static final long SLEEP_NANOS = TimeUnit.SECONDS.toNanos(120);

    private final NativePlatform platform = Platforms.current();
    private String name;
    private MappedRegion region;
    private List<MappedRegion> regions;
    private long[] offsets;

    @BeforeEach
    void create() {
        name = "mp-test-await-many-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        region = platform.createRegion(name, (long) WORDS * Integer.BYTES);
        regions = Collections.nCopies(WORDS, region);
        offsets = new long[WORDS];
        for (int i = 0; i < WORDS; i++) {
            offsets[i] = (long) i * Integer.BYTES;
        }
    }

    @AfterEach
    void remove() {
        region.close();
        platform.unlinkRegion(name);
    }

    /** Words of the first batch, at its end, at the next batch's start, in a middle batch, and the last of a partial one. */
    @ParameterizedTest
    @ValueSource(ints = {0, 126, 127, 200, WORDS - 1})
    void aWakeOfAnyWordEndsTheSleep(int woken) throws Exception {
        CompletableFuture<Void> sleep = CompletableFuture.runAsync(() -> platform.awaitAny(regions, offsets, new int[WORDS], SLEEP_NANOS));
        // the sleep may start before or after the change: either way the changed word ends it
        Thread.sleep(100);
        Words.INT.setVolatile(region.segment(), offsets[woken], 1);
        platform.wake(region, offsets[woken], Integer.MAX_VALUE);
        sleep.get(30, TimeUnit.SECONDS);
        assertNoThreadLeftAsleep();
    }

    @Test
    void aWordThatAlreadyDiffersEndsTheSleepAtOnce() throws Exception {
        Words.INT.setVolatile(region.segment(), offsets[250], 7);
        CompletableFuture.runAsync(() -> platform.awaitAny(regions, offsets, new int[WORDS], SLEEP_NANOS)).get(30, TimeUnit.SECONDS);
        assertNoThreadLeftAsleep();
    }

    /** Linux only: a platform without a native multi-wait may end such a sleep early (its contract). */
    @Test
    @LinuxOnly
    void aSleepOnManyWordsTimesOutOnTime() throws InterruptedException {
        long start = System.nanoTime();
        platform.awaitAny(regions, offsets, new int[WORDS], TimeUnit.MILLISECONDS.toNanos(200));
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(elapsedMillis >= 150, "returned early: " + elapsedMillis + " ms");
        assertTrue(elapsedMillis < 10_000, "returned late: " + elapsedMillis + " ms");
        assertNoThreadLeftAsleep();
    }

    /** No helper of a platform's batched wait still runs (a thread asleep in the kernel counts as running). */
    private static void assertNoThreadLeftAsleep() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            List<String> running = Thread.getAllStackTraces().keySet().stream()
                    .filter(thread -> thread.getName().startsWith("multiproc-wait-any-") && thread.getState() == Thread.State.RUNNABLE)
                    .map(Thread::getName).toList();
            if (running.isEmpty()) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "still asleep on the words: " + running);
            Thread.sleep(10);
        }
    }
}
