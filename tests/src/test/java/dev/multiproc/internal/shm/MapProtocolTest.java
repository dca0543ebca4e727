package dev.multiproc.internal.shm;

import dev.multiproc.internal.shm.header.ObjectHeaderLayout;
import dev.multiproc.internal.shm.lock.LockLayout;
import dev.multiproc.internal.shm.map.KeyHash;
import dev.multiproc.internal.shm.map.MapLayout;
import dev.multiproc.internal.shm.map.MapStripe;
import dev.multiproc.internal.shm.map.MapStripes;
import dev.multiproc.spi.MappedRegion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/** A map stripe's protocol (spec/map.md): compaction and a writer that died mid-write, in one JVM. */
@Timeout(60)
class MapProtocolTest {
    private static final long WRITER = 51;
    private static final long READER = 52;
    private static final int BUCKETS = 16;
    /** Room for a few records per half: overwriting compacts every few writes. */
    private static final int RECORD_BYTES = 192;
    private final TestParticipants participants = new TestParticipants();
    private final MappedRegion region = participants.object(MapLayout.length(1, BUCKETS, RECORD_BYTES));
    private final MapStripe stripe;

    MapProtocolTest() {
        MapStripes.initialise(region, 1, 8, BUCKETS, RECORD_BYTES, 8);
        stripe = MapStripes.open(TestParticipants.PLATFORM, region).stripes()[0];
    }

    private static byte[] key(String name) {
        return name.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(long value) {
        byte[] bytes = new byte[Long.BYTES];
        MemorySegment.ofArray(bytes).set(ValueLayout.JAVA_LONG_UNALIGNED, 0, value);
        return bytes;
    }

    private void put(String key, long value) {
        put(key, value(value));
    }

    private void put(String key, byte[] value) {
        stripe.lock(WRITER, 1);
        try {
            stripe.put(KeyHash.of(key(key)), key(key), value);
        } finally {
            stripe.unlock();
        }
    }

    /** Where the stripe starts in the region (it is the last and only one). */
    private static long stripeStart() {
        return ObjectHeaderLayout.LENGTH + MapLayout.length(1, BUCKETS, RECORD_BYTES) - MapLayout.stripeLength(BUCKETS, RECORD_BYTES);
    }

    private long get(String key) {
        byte[] bytes = stripe.get(KeyHash.of(key(key)), key(key), READER, 2);
        return MemorySegment.ofArray(bytes).get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
    }

    @Test
    void overwritesCompactTheStripeIntoItsOtherHalfAndKeepEveryLiveEntry() {
        put("a", 1);
        put("b", 2);
        long before = stripe.version();
        for (long round = 0; round < 40; round++) {
            // a value of another length than the one it replaces goes into a new record (the same length is replaced in place)
            put("a", Arrays.copyOf(value(100 + round), Long.BYTES + (int) (round % 2)));
        }
        stripe.lock(WRITER, 1);
        try {
            assertNull(stripe.remove(KeyHash.of(key("c")), key("c")));
            assertNotNull(stripe.remove(KeyHash.of(key("b")), key("b")));
        } finally {
            stripe.unlock();
        }
        assertEquals(139, get("a"));
        assertNull(stripe.get(KeyHash.of(key("b")), key("b"), READER, 2));
        assertEquals(1, stripe.count());
        assertTrue(stripe.recordBytesUsed() <= RECORD_BYTES, "the dead records were dropped, not kept: " + stripe.recordBytesUsed());
        assertEquals(0, (stripe.version() - before) % 2, "every write ended");
    }

    @Test
    void aWriterThatDiedMidWriteLeavesAStripeTheNextOneRepairsAndReadersThenRead() throws Exception {
        put("a", 1);
        stripe.lock(WRITER, 1);
        long versionAt = stripeStart() + MapLayout.VERSION_OFFSET;
        region.segment().set(ValueLayout.JAVA_LONG, versionAt, stripe.version() + 1);
        assertEquals(1, stripe.version() % 2, "as a writer leaves it when it dies between its two version bumps");
        participants.kill(WRITER);
        assertEquals(1, get("a"), "a reader gives up on the odd version, takes the dead writer's lock over and reads");
        assertEquals(0, stripe.version() % 2, "repaired");
        assertEquals(0, stripe.owner(), "the reader let the lock go");
        assertEquals(1, stripe.count(), "recounted from the buckets");
    }

    @Test
    void aRecordsLengthsAreTheSpecsTwoIntegersAndAreReadAsOneWord() throws Exception {
        put("abc", new byte[5]);
        MemorySegment memory = region.segment();
        long record = stripeStart() + MapLayout.BUCKETS_START + 2L * BUCKETS * Long.BYTES;
        assertEquals(3, memory.get(ValueLayout.JAVA_INT, record + MapLayout.RECORD_KEY_LENGTH), "key length, 4 bytes at 0");
        assertEquals(5, memory.get(ValueLayout.JAVA_INT, record + MapLayout.RECORD_VALUE_LENGTH), "value length, 4 bytes at 4");
        long lengths = memory.get(ValueLayout.JAVA_LONG, record + MapLayout.RECORD_LENGTHS);
        assertEquals(3, MapLayout.keyLength(lengths));
        assertEquals(5, MapLayout.valueLength(lengths));
        assertEquals(lengths, MapLayout.lengths(3, 5));

        // a value length that would end past the record area is refused under the lock, not read
        memory.set(ValueLayout.JAVA_INT, record + MapLayout.RECORD_VALUE_LENGTH, RECORD_BYTES);
        stripe.lock(WRITER, 1);
        try {
            RuntimeException corrupt = assertThrows(RuntimeException.class, () -> stripe.getLocked(KeyHash.of(key("abc")), key("abc")));
            assertTrue(corrupt.getMessage().contains("record length"), corrupt.getMessage());
        } finally {
            stripe.unlock();
        }
    }

    @Test
    void aValueReplacedInPlaceKeepsTheRecordAndAWriterThatDiedMidReplacementLeavesTheOldValue() throws Exception {
        put("a", 1);
        long used = stripe.recordBytesUsed();
        put("a", 2);
        assertEquals(2, get("a"));
        assertEquals(used, stripe.recordBytesUsed(), "replaced in place: no new record");

        // as a writer leaves the stripe when it dies halfway through writing 3 over 2: version odd,
        // the old value and its place in the undo area, half of the new bytes written
        stripe.lock(WRITER, 1);
        MemorySegment memory = region.segment();
        long start = stripeStart();
        long valueAt = start + MapLayout.BUCKETS_START + 2L * BUCKETS * Long.BYTES + MapLayout.RECORD_HEADER + key("a").length;
        assertEquals(2, memory.get(ValueLayout.JAVA_LONG_UNALIGNED, valueAt), "the record of 'a' is the first of half 0");
        memory.set(ValueLayout.JAVA_LONG, start + MapLayout.VERSION_OFFSET, stripe.version() + 1);
        MemorySegment.copy(value(2), 0, memory, ValueLayout.JAVA_BYTE, start + MapLayout.UNDO_BYTES_OFFSET, Long.BYTES);
        memory.set(ValueLayout.JAVA_INT, start + MapLayout.UNDO_LENGTH_OFFSET, Long.BYTES);
        memory.set(ValueLayout.JAVA_LONG, start + MapLayout.UNDO_TARGET_OFFSET, valueAt - start);
        MemorySegment.copy(value(0x3333_3333_3333_3333L), 0, memory, ValueLayout.JAVA_BYTE, valueAt, Long.BYTES / 2);
        participants.kill(WRITER);

        assertEquals(2, get("a"), "the repair put the old value back");
        assertEquals(0, memory.get(ValueLayout.JAVA_LONG, start + MapLayout.UNDO_TARGET_OFFSET), "and cleared the undo area's place");
        assertEquals(0, stripe.version() % 2, "repaired");
        put("a", 4);
        assertEquals(4, get("a"), "the map goes on");
    }

    @Test
    void anUndoAreaPointingOutsideTheRecordsIsRefusedByTheRepairNotCopied() throws Exception {
        put("a", 1);
        stripe.lock(WRITER, 1);
        MemorySegment memory = region.segment();
        long start = stripeStart();
        memory.set(ValueLayout.JAVA_LONG, start + MapLayout.VERSION_OFFSET, stripe.version() + 1);
        memory.set(ValueLayout.JAVA_INT, start + MapLayout.UNDO_LENGTH_OFFSET, Long.BYTES);
        long ownerThreadAt = MapLayout.LOCK_OFFSET + LockLayout.OWNER_THREAD_OFFSET;
        memory.set(ValueLayout.JAVA_LONG, start + MapLayout.UNDO_TARGET_OFFSET, ownerThreadAt);
        participants.kill(WRITER);
        RuntimeException refused = assertThrows(RuntimeException.class, () -> stripe.get(KeyHash.of(key("a")), key("a"), READER, 2));
        assertTrue(refused.getMessage().contains("undo target"), refused.getMessage());
        // the undo bytes are zeros: copied, they would have zeroed the thread id the reader's take-over wrote there
        assertNotEquals(0, memory.get(ValueLayout.JAVA_LONG, start + ownerThreadAt), "the lock's words were not overwritten");
    }
}
