package dev.multiproc.remote;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The exported queue's frames: as {@code spec/remote.md} gives them, and an answer read back as written. */
class QueueWireTest {

    @Test
    void theSpecNamesTheOperationBytesAndLimitsTheCodeUses() throws Exception {
        String spec = Files.readString(Path.of("../spec/remote.md")).replaceAll("\\s+", " ");
        assertTrue(spec.contains("`" + (char) QueueWire.ROLE_PRODUCER + "` (producer) or `" + (char) QueueWire.ROLE_CONSUMER
                + "` (consumer)"), "roles");
        for (Object[] op : new Object[][] {{QueueWire.TAKE, "TAKE"}, {QueueWire.OFFER, "OFFER"}, {QueueWire.LOOK, "LOOK"},
                {QueueWire.COUNT, "COUNT"}, {QueueWire.DONE, "DONE"}, {QueueWire.ACK, "ACK"}, {QueueWire.STOP, "STOP"}}) {
            assertTrue(spec.contains("| `" + (char) (byte) op[0] + "` " + op[1] + " |"), "the operation " + op[1]);
        }
        assertTrue(spec.contains("up to its limit and " + (QueueWire.MAX_ANSWER_BYTES >> 20) + " MiB"), "an answer's bytes");
        assertTrue(spec.contains("in slices of " + TimeUnit.NANOSECONDS.toMillis(ExportedConsumer.WAIT_SLICE_NANOS) + " ms"),
                "the exporter's wait slice");
    }

    @Test
    void aRequestHasItsFieldsWhereTheSpecSays() {
        ByteBuffer take = ByteBuffer.wrap(QueueWire.take(-1, 7));
        assertEquals(1 + 8 + 4, take.capacity());
        assertEquals(QueueWire.TAKE, take.get(0));
        assertEquals(-1, take.getLong(1));
        assertEquals(7, take.getInt(9));
        ByteBuffer offer = ByteBuffer.wrap(QueueWire.offer(123, new byte[] {9, 8}));
        assertEquals(QueueWire.OFFER, offer.get(0));
        assertEquals(123, offer.getLong(1));
        assertEquals(9, offer.get(9));
        assertEquals(8, offer.get(10));
        ByteBuffer counts = ByteBuffer.wrap(QueueWire.counts(3, 10));
        assertEquals(3, counts.getInt(0));
        assertEquals(10, counts.getInt(4));
    }

    @Test
    void messagesAreReadBackAsWrittenAndAMalformedAnswerIsRefused() {
        List<byte[]> written = List.of(new byte[] {1, 2, 3}, new byte[0], new byte[] {4});
        byte[] answer = QueueWire.messages(written);
        assertEquals(4 + 3 * 4 + 4, answer.length);
        List<byte[]> read = QueueWire.messages(answer);
        assertEquals(3, read.size());
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(written.get(i), read.get(i));
        }
        assertTrue(QueueWire.messages(QueueWire.messages(List.of())).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> QueueWire.messages(new byte[] {0, 0, 0, 2, 0, 0, 0, 1, 5}), "too short");
        assertThrows(IllegalArgumentException.class, () -> QueueWire.messages(ByteBuffer.allocate(8).putInt(1).putInt(-5).array()),
                "a negative length");
        assertThrows(IllegalArgumentException.class, () -> QueueWire.messages(ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).array()),
                "a count no answer can hold");
    }
}
