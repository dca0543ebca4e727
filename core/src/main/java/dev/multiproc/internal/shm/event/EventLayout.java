package dev.multiproc.internal.shm.event;

import dev.multiproc.internal.shm.LayoutChecks;
import dev.multiproc.internal.shm.wait.WaitPointLayout;

/**
 * The body of an event: a flag and a wait point. See {@code spec/event.md}.
 *
 * <pre>
 *   0        4        8                 16
 *   +--------+--------+-----------------+
 *   |  flag  | (pad)  |   wait point    |
 *   +--------+--------+-----------------+
 * </pre>
 */
public final class EventLayout {
    public static final long FLAG_OFFSET = 0;
    public static final long WAIT_POINT_OFFSET = 8;
    public static final long LENGTH = 16;

    static {
        LayoutChecks.of("EventLayout")
                .field("flag", FLAG_OFFSET, Integer.BYTES)
                .field("wait point", WAIT_POINT_OFFSET, WaitPointLayout.LENGTH)
                .within(LENGTH);
    }

    private EventLayout() {
    }
}
