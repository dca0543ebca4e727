package dev.multiproc.internal.shm.listener;

import dev.multiproc.internal.shm.LayoutChecks;
import dev.multiproc.internal.shm.wait.WaitPointLayout;

/**
 * The body of a listener: a named rendezvous where the process that listens offers pipes it made
 * in advance, a client claims one and attaches its far end, and the listener accepts claimed
 * pipes in the order they were claimed. See {@code spec/listener.md}.
 *
 * <pre>
 *   0                8        12        16               24        28      32                40
 *   +----------------+--------+---------+----------------+---------+-------+-----------------+
 *   | owner token    | state  | backlog | next ticket    | pipe    | (pad) | max message     |
 *   |                |        |         |                | capacity|       | bytes           |
 *   +----------------+--------+---------+----------------+---------+-------+-----------------+
 *  40                48                56                                                     64
 *   +----------------+-----------------+-----------------------------------------------------+
 *   | requests       | answers         |                                                     |
 *   | wait point     | wait point      |                                                     |
 *   +----------------+-----------------+-----------------------------------------------------+
 *  64: slots, backlog x 128 bytes:
 *   0                8        12        16               24                                 128
 *   +----------------+--------+---------+----------------+----------------------------------+
 *   | client token   | state  | name    | ticket         | pipe name (ASCII, up to 104)     |
 *   | (0: free)      |        | length  |                |                                  |
 *   +----------------+--------+---------+----------------+----------------------------------+
 * </pre>
 */
public final class ListenerLayout {
    /** The process that accepts (its liveness token); 0 before anyone listens. */
    public static final long OWNER_OFFSET = 0;
    public static final long STATE_OFFSET = 8;
    public static final long BACKLOG_OFFSET = 12;
    /** Connect order: a client takes a ticket as it publishes its claim. */
    public static final long NEXT_TICKET_OFFSET = 16;
    /** Ring bytes of the pipes the listener offers (for listings). */
    public static final long PIPE_CAPACITY_OFFSET = 24;
    public static final long MAX_MESSAGE_OFFSET = 32;
    /** The listener sleeps here while no pipe is claimed. */
    public static final long REQUESTS_WAIT_POINT_OFFSET = 40;
    /** Clients sleep here while no pipe is offered. */
    public static final long ANSWERS_WAIT_POINT_OFFSET = REQUESTS_WAIT_POINT_OFFSET + WaitPointLayout.LENGTH;
    public static final long SLOTS_OFFSET = 64;

    public static final long SLOT_LENGTH = 128;
    public static final long SLOT_CLIENT_OFFSET = 0;
    public static final long SLOT_STATE_OFFSET = 8;
    public static final long SLOT_NAME_LENGTH_OFFSET = 12;
    public static final long SLOT_TICKET_OFFSET = 16;
    public static final long SLOT_NAME_OFFSET = 24;
    public static final int MAX_PIPE_NAME_LENGTH = (int) (SLOT_LENGTH - SLOT_NAME_OFFSET);

    /** The listener accepts connections. */
    public static final int LISTENING = 0;
    /** The listener was closed; a new {@code listen} on the name takes it over. */
    public static final int CLOSED = 1;

    /** Slot states: no pipe in it. */
    public static final int SLOT_FREE = 0;
    /** The owner offers the pipe named in it; a client claims it by setting the client token (CAS from 0). */
    public static final int SLOT_OFFERED = 1;
    /** The claiming client has attached the pipe's far end and taken a ticket: the owner may accept it. */
    public static final int SLOT_CLAIMED = 2;
    /** The owner is accepting it. */
    public static final int SLOT_TAKEN = 3;
    /** The claiming client could not attach the pipe (the owner closed it meanwhile): the owner recycles the slot. */
    public static final int SLOT_WITHDRAWN = 4;

    /** Slots of every listener this build makes: pipes offered, being claimed, or claimed and not yet accepted. */
    public static final int BACKLOG = 64;
    /** Pipes the owner keeps offered, made while it waits in accept, so that a client's connect need not wait for it. */
    public static final int SPARE_PIPES = 2;

    static {
        LayoutChecks.of("ListenerLayout")
                .field("owner", OWNER_OFFSET, Long.BYTES)
                .field("state", STATE_OFFSET, Integer.BYTES)
                .field("backlog", BACKLOG_OFFSET, Integer.BYTES)
                .field("next ticket", NEXT_TICKET_OFFSET, Long.BYTES)
                .field("pipe capacity", PIPE_CAPACITY_OFFSET, Integer.BYTES)
                .field("max message", MAX_MESSAGE_OFFSET, Long.BYTES)
                .field("requests wait point", REQUESTS_WAIT_POINT_OFFSET, WaitPointLayout.LENGTH)
                .field("answers wait point", ANSWERS_WAIT_POINT_OFFSET, WaitPointLayout.LENGTH)
                .field("slots", SLOTS_OFFSET, BACKLOG * SLOT_LENGTH);
        LayoutChecks.of("ListenerLayout slot")
                .field("client", SLOT_CLIENT_OFFSET, Long.BYTES)
                .field("state", SLOT_STATE_OFFSET, Integer.BYTES)
                .field("name length", SLOT_NAME_LENGTH_OFFSET, Integer.BYTES)
                .field("ticket", SLOT_TICKET_OFFSET, Long.BYTES)
                .bytes("name", SLOT_NAME_OFFSET, MAX_PIPE_NAME_LENGTH)
                .within(SLOT_LENGTH);
    }

    private ListenerLayout() {
    }

    public static long length(int backlog) {
        return SLOTS_OFFSET + backlog * SLOT_LENGTH;
    }

    public static long slotOffset(int slot) {
        return SLOTS_OFFSET + slot * SLOT_LENGTH;
    }
}
