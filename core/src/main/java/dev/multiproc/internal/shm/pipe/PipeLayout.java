package dev.multiproc.internal.shm.pipe;

import dev.multiproc.internal.shm.LayoutChecks;
import dev.multiproc.internal.shm.ring.RingLayout;

/**
 * The body of a pipe: the state of its two ends, then one ring per direction. End {@code i}
 * receives from ring {@code i} and sends into ring {@code 1 - i}; a one-way pipe has only
 * ring 0 (end 0 receives, end 1 sends). See {@code spec/pipe.md}.
 *
 * <pre>
 *   0        4          8               16       20      24               32       36    40                48       64
 *   +--------+----------+---------------+--------+-------+----------------+--------+-----+-----------------+--------+
 *   | duplex | capacity | end 0 holder  | end 0  | (pad) | end 1 holder   | end 1  |(pad)| max message     | (pad)  |
 *   |        |          | token         | state  |       | token          | state  |     | bytes           |        |
 *   +--------+----------+---------------+--------+-------+----------------+--------+-----+-----------------+--------+
 *  64
 *   +--------------------------------------------------------------------------------------------+
 *   | ring 0 (RingLayout)                                                                          |
 *   +--------------------------------------------------------------------------------------------+
 *   | ring 1 (duplex only)                                                                         |
 *   +--------------------------------------------------------------------------------------------+
 * </pre>
 */
public final class PipeLayout {
    public static final long DUPLEX_OFFSET = 0;
    public static final long CAPACITY_OFFSET = 4;
    public static final long ENDS_OFFSET = 8;
    public static final long END_LENGTH = 16;
    public static final long END_HOLDER_OFFSET = 0;
    public static final long END_STATE_OFFSET = 8;
    /** The largest message the pipe carries (and a receiver allocates for). */
    public static final long MAX_MESSAGE_OFFSET = 40;
    public static final long RINGS_OFFSET = 64;

    /** The end is in use by its holder. */
    public static final int END_OPEN = 0;
    /** The holder sent the end to another process and closed its own copy; the receiver has yet to attach. */
    public static final int END_IN_TRANSIT = 1;
    /** The end is closed: its peer reads what is left, then end-of-file. */
    public static final int END_CLOSED = 2;

    static {
        LayoutChecks.of("PipeLayout")
                .field("duplex", DUPLEX_OFFSET, Integer.BYTES)
                .field("capacity", CAPACITY_OFFSET, Integer.BYTES)
                .field("ends", ENDS_OFFSET, 2 * END_LENGTH)
                .field("max message", MAX_MESSAGE_OFFSET, Long.BYTES)
                .within(RINGS_OFFSET);
        LayoutChecks.of("PipeLayout end")
                .field("holder", END_HOLDER_OFFSET, Long.BYTES)
                .field("state", END_STATE_OFFSET, Integer.BYTES)
                .within(END_LENGTH);
    }

    private PipeLayout() {
    }

    public static long endOffset(int end) {
        return ENDS_OFFSET + end * END_LENGTH;
    }

    public static long ringOffset(int ring, int capacity) {
        return RINGS_OFFSET + ring * RingLayout.length(capacity);
    }

    public static long length(boolean duplex, int capacity) {
        return RINGS_OFFSET + (duplex ? 2 : 1) * RingLayout.length(capacity);
    }
}
