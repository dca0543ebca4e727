package dev.multiproc.remote;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The frames on an exported queue's connections ({@code spec/remote.md}, "Exported queues"), all
 * numbers big-endian. A client's first frame is one byte, the connection's role.
 *
 * <p>A producer's connection ({@link #ROLE_PRODUCER}) then carries, client to exporter, one frame
 * per message — its encoded bytes, nothing else — and, back, confirmations: an 8-byte count of
 * the client's messages now in the queue.
 *
 * <p>A consumer's connection ({@link #ROLE_CONSUMER}) carries requests, one unanswered at a time,
 * each a frame that begins with its operation:
 *
 * <pre>
 *   0      1                    9              13
 *   +------+--------------------+--------------+----------------------+
 *   | TAKE | wait (8): nanos,   | at most (4)  |                      |
 *   |      | -1 for ever        | messages     |                      |
 *   +------+--------------------+--------------+----------------------+
 *   | OFFER| wait (8): nanos    | the message's bytes                 |
 *   +------+--------------------+-------------------------------------+
 *   | LOOK | at most (4) messages: copies of the oldest, none taken     |
 *   | COUNT| -                                                          |
 *   | DONE | -   (joinable queues: one task done)                       |
 *   | ACK  | -   the client holds the last reply's messages; no answer  |
 *   | STOP | -   while a TAKE or OFFER waits: answer it now; no answer  |
 *   +------+------------------------------------------------------------+
 *
 * answers, exporter to client, one per TAKE, OFFER, LOOK, COUNT and DONE:
 *   MESSAGES (TAKE, LOOK)  count (4), then per message: length (4) | bytes
 *   YES/NO   (OFFER, DONE) one byte, 1 or 0
 *   COUNTS   (COUNT)       size (4) | capacity (4)
 * </pre>
 */
final class QueueWire {
    static final byte ROLE_PRODUCER = 'P';
    static final byte ROLE_CONSUMER = 'C';

    static final byte TAKE = 'T';
    static final byte OFFER = 'O';
    static final byte LOOK = 'L';
    static final byte COUNT = 'N';
    static final byte DONE = 'D';
    static final byte ACK = 'A';
    static final byte STOP = 'S';

    static final int OP_OFFSET = 0;
    static final int WAIT_OFFSET = 1;
    static final int TAKE_MAX_OFFSET = 9;
    static final int TAKE_LENGTH = 13;
    static final int OFFER_MESSAGE_OFFSET = 9;
    static final int LOOK_MAX_OFFSET = 1;
    static final int LOOK_LENGTH = 5;

    static final int COUNTS_SIZE_OFFSET = 0;
    static final int COUNTS_CAPACITY_OFFSET = 4;
    static final int COUNTS_LENGTH = 8;

    /** A TAKE's answer stops adding messages once it holds this many bytes (it holds at least one). */
    static final int MAX_ANSWER_BYTES = 1 << 20;

    private QueueWire() {
    }

    static byte[] take(long waitNanos, int maxMessages) {
        return ByteBuffer.allocate(TAKE_LENGTH).put(OP_OFFSET, TAKE).putLong(WAIT_OFFSET, waitNanos)
                .putInt(TAKE_MAX_OFFSET, maxMessages).array();
    }

    static byte[] look(int maxMessages) {
        return ByteBuffer.allocate(LOOK_LENGTH).put(OP_OFFSET, LOOK).putInt(LOOK_MAX_OFFSET, maxMessages).array();
    }

    static byte[] offer(long waitNanos, byte[] message) {
        ByteBuffer frame = ByteBuffer.allocate(OFFER_MESSAGE_OFFSET + message.length).put(OP_OFFSET, OFFER).putLong(WAIT_OFFSET,
                waitNanos);
        return frame.put(OFFER_MESSAGE_OFFSET, message).array();
    }

    static byte[] op(byte op) {
        return new byte[] {op};
    }

    static byte[] answer(boolean yes) {
        return new byte[] {(byte) (yes ? 1 : 0)};
    }

    static boolean yes(byte[] answer) {
        return answer.length == 1 && answer[0] == 1;
    }

    static byte[] counts(int size, int capacity) {
        return ByteBuffer.allocate(COUNTS_LENGTH).putInt(COUNTS_SIZE_OFFSET, size).putInt(COUNTS_CAPACITY_OFFSET, capacity).array();
    }

    /** A MESSAGES answer holding {@code messages}. */
    static byte[] messages(List<byte[]> messages) {
        int length = Integer.BYTES;
        for (byte[] message : messages) {
            length += Integer.BYTES + message.length;
        }
        ByteBuffer frame = ByteBuffer.allocate(length).putInt(messages.size());
        for (byte[] message : messages) {
            frame.putInt(message.length).put(message);
        }
        return frame.array();
    }

    /**
     * The messages of a MESSAGES answer.
     *
     * @throws IllegalArgumentException if the frame is not one
     */
    static List<byte[]> messages(byte[] answer) {
        ByteBuffer frame = ByteBuffer.wrap(answer);
        try {
            int count = frame.getInt();
            if (count < 0 || count > frame.remaining() / Integer.BYTES) {
                throw new IllegalArgumentException("an answer of " + answer.length + " bytes cannot hold " + count + " messages");
            }
            List<byte[]> messages = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                byte[] message = new byte[frame.getInt()];
                frame.get(message);
                messages.add(message);
            }
            return messages;
        } catch (java.nio.BufferUnderflowException | NegativeArraySizeException malformed) {
            throw new IllegalArgumentException("a malformed answer of " + answer.length + " bytes", malformed);
        }
    }
}
