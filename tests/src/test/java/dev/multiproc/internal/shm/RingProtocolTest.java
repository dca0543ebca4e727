package dev.multiproc.internal.shm;

import dev.multiproc.internal.shm.ring.ByteRing;
import dev.multiproc.internal.shm.ring.RingLayout;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The byte ring under a pipe (spec/pipe.md): records, padding and the wrap, in one JVM. */
class RingProtocolTest {
    private static final int CAPACITY = 256;
    /** A payload whose record (header included, aligned) is 48 bytes: five fit, the sixth wraps. */
    private static final int PAYLOAD = 24;
    private final ByteRing ring = new ByteRing(TestParticipants.PLATFORM, new TestParticipants().raw(RingLayout.length(CAPACITY)), 0, CAPACITY);

    private boolean write(int value) {
        long at = ring.tryClaim(PAYLOAD);
        if (at < 0) {
            return false;
        }
        ring.data().asSlice(at, PAYLOAD).fill((byte) value);
        ring.commit(PAYLOAD, RingLayout.FLAG_BEGIN | RingLayout.FLAG_END);
        return true;
    }

    private List<Integer> read(int records) {
        List<Integer> values = new ArrayList<>();
        for (int i = 0; i < records && ring.peek(); i++) {
            assertEquals(PAYLOAD, ring.peekedLength());
            assertEquals(RingLayout.FLAG_BEGIN | RingLayout.FLAG_END, ring.peekedFlags());
            byte first = ring.data().get(ValueLayout.JAVA_BYTE, ring.peekedOffset());
            byte last = ring.data().get(ValueLayout.JAVA_BYTE, ring.peekedOffset() + PAYLOAD - 1);
            assertEquals(first, last, "a record is read whole");
            values.add((int) first);
            ring.advance();
        }
        return values;
    }

    @Test
    void aRecordThatDoesNotFitBeforeTheEndWrapsBehindAPaddingRecordAndReadsBackWhole() {
        int recordLength = RingLayout.recordLength(PAYLOAD);
        assertEquals(48, recordLength, "the arithmetic below");
        for (int value = 1; value <= 5; value++) {
            assertTrue(write(value));
        }
        assertFalse(write(6), "full: 16 bytes left at the end, and the head has not moved");
        assertEquals(List.of(1, 2, 3), read(3));
        assertTrue(write(6), "pads the last 16 bytes and wraps to the start");
        int padding = CAPACITY - 5 * recordLength;
        assertEquals(6L * recordLength + padding, ring.written(), "the padding counts as written");
        assertEquals(List.of(4, 5, 6), read(10), "the reader steps over the padding");
        assertEquals(ring.written(), ring.consumed());
        assertEquals(0, ring.bytesInFlight());
    }

    @Test
    void theReaderSeesNothingUntilARecordIsCommitted() {
        long at = ring.tryClaim(PAYLOAD);
        assertTrue(at >= 0);
        assertFalse(ring.peek(), "claimed, not committed");
        ring.commit(PAYLOAD, RingLayout.FLAG_BEGIN | RingLayout.FLAG_END);
        assertTrue(ring.peek());
    }
}
