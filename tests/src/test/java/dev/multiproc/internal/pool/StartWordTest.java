package dev.multiproc.internal.pool;

import dev.multiproc.Multiproc;
import dev.multiproc.SharedLongArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The start word's protocol, a worker and the pool racing on it in two threads: every task sent
 * is started by the worker or taken back by the pool, never both and never neither.
 */
@Timeout(120)
class StartWordTest {
    private static final int TASKS = 1_000_000;
    private static final int SLOT = 1;

    @Test
    void everyTaskIsStartedOrTakenBackExactlyOnce() throws Exception {
        try (Multiproc mp = Multiproc.create(); SharedLongArray slots = mp.sharedLongArray(PoolWorker.SLOT_LONGS * 2)) {
            boolean[] started = new boolean[TASKS + 1];
            boolean[] takenBack = new boolean[TASKS + 1];
            AtomicLong lastSent = new AtomicLong();
            CompletableFuture<Void> worker = CompletableFuture.runAsync(() -> {
                for (long ordinal = 1; ordinal <= TASKS; ordinal++) {
                    while (lastSent.get() < ordinal) {
                        Thread.onSpinWait();
                    }
                    started[(int) ordinal] = StartWord.start(slots, SLOT, ordinal);
                }
            });
            long settledBefore = 0;
            try {
                for (long sent = 1; sent <= TASKS; sent++) {
                    lastSent.set(sent);
                    // mostly at once, while the worker is starting this very task; now and then after it may have
                    if (ThreadLocalRandom.current().nextInt(4) != 0) {
                        long settled = StartWord.takeBack(slots, SLOT, sent);
                        assertTrue(settled >= settledBefore && settled <= sent, "settled only moves forward");
                        for (long ordinal = settled + 1; ordinal <= sent; ordinal++) {
                            takenBack[(int) ordinal] = true;
                        }
                        settledBefore = sent;
                    }
                }
            } finally {
                // a failed assertion above must not leave the worker thread spinning for the rest of the run
                lastSent.set(Long.MAX_VALUE);
            }
            worker.get(60, TimeUnit.SECONDS);
            int bothWays = 0;
            int neither = 0;
            int back = 0;
            for (int ordinal = 1; ordinal <= TASKS; ordinal++) {
                bothWays += started[ordinal] && takenBack[ordinal] ? 1 : 0;
                neither += !started[ordinal] && !takenBack[ordinal] ? 1 : 0;
                back += takenBack[ordinal] ? 1 : 0;
            }
            assertEquals(0, bothWays, "tasks both started and taken back");
            assertEquals(0, neither, "tasks neither started nor taken back");
            assertTrue(back > 0, "the race took some back (" + back + " of " + TASKS + ")");
            assertEquals(0, slots.get(PoolWorker.startedAt(0)), "the neighbouring slot untouched");
        }
    }

    @Test
    void theSpecPlacesEachWordOfASlotWhereTheCodeDoes() throws Exception {
        String spec = Files.readString(Path.of("../spec/pool.md"));
        Matcher words = Pattern.compile("at `(\\d)s(?: \\+ (\\d))?` (the worker's start word|how many results|1 once the worker is ready)")
                .matcher(spec.replaceAll("\\s+", " "));
        Map<String, Integer> placed = new HashMap<>();
        while (words.find()) {
            int perSlot = Integer.parseInt(words.group(1));
            assertEquals(PoolWorker.SLOT_LONGS, perSlot, "longs per slot in: " + words.group());
            placed.put(words.group(3), words.group(2) == null ? 0 : Integer.parseInt(words.group(2)));
        }
        int slot = 5;
        assertEquals(Map.of("the worker's start word", PoolWorker.startedAt(slot) - PoolWorker.SLOT_LONGS * slot,
                "how many results", PoolWorker.announcedAt(slot) - PoolWorker.SLOT_LONGS * slot,
                "1 once the worker is ready", PoolWorker.readyAt(slot) - PoolWorker.SLOT_LONGS * slot), placed);
        assertTrue(spec.contains("\n  63  62 ") && spec.contains(" B = 1: the pool took back"), "the start word's picture: top bit the mark");
    }

    @Test
    void aWordReadsAsSettledThroughItsOrdinalMarkedOrNot() {
        assertEquals(0, StartWord.settledThrough(0));
        assertEquals(41, StartWord.settledThrough(41));
        assertEquals(41, StartWord.settledThrough(StartWord.takenBackThrough(41)));
        assertTrue(StartWord.takenBackThrough(41) < 0, "the mark is the top bit, as spec/pool.md draws it");
    }
}
