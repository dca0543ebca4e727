package dev.multiproc.shm.event;

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

    private EventLayout() {
    }
}
