package dev.multiproc.internal.shm.listener;

import dev.multiproc.internal.shm.ProtocolFailures;
import dev.multiproc.internal.shm.wait.WaitPolicy;
import dev.multiproc.internal.shm.header.ObjectHeader;
import dev.multiproc.internal.shm.header.ObjectHeaderLayout;
import dev.multiproc.internal.shm.wait.WaitPoint;
import dev.multiproc.internal.shm.wait.Waiters;
import dev.multiproc.spi.Liveness;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NativePlatform;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

import static dev.multiproc.internal.shm.Words.INT;
import static dev.multiproc.internal.shm.Words.LONG;
import static dev.multiproc.internal.shm.listener.ListenerLayout.*;

/**
 * A listener's rendezvous (see {@link ListenerLayout} and {@code spec/listener.md}). One process
 * owns it; while it waits in accept it keeps {@link ListenerLayout#SPARE_PIPES} pipes it made
 * offered in the slots (name, then state offered, release). A client claims an offered pipe (CAS
 * of the slot's client token from 0 to its own), attaches the pipe's far end, takes a ticket and
 * marks the slot claimed (release); the owner accepts claimed pipes in ticket order (CAS claimed
 * → taken) and frees their slots. A connect never waits for the owner while a pipe is offered.
 *
 * <p>Memory effects: the owner's writes before offering (the pipe made, its name) are visible to
 * the client that claims it; the client's writes before marking the slot claimed (the far end
 * attached) are visible to the owner that accepts it.
 *
 * <p>Death: only the owner frees slots, so a slot is never reused under a client still writing
 * it; a slot whose client died, or that a client gave back, is recycled by the owner (its pipe
 * closed). A new owner recycles every slot of the dead one: clients that had claimed its pipes
 * see their peer dead (end-of-file).
 */
public final class ListenerState implements Waiters {
    private final String name;
    private final Liveness liveness;
    private final MemorySegment body;
    private final int backlog;
    private final WaitPoint requests;
    private final WaitPoint answers;

    /**
     * The rendezvous of a published listener.
     *
     * @throws RuntimeException from {@link dev.multiproc.internal.shm.ProtocolFailures#corrupt} if its backlog is not positive or its slots do not fit the object
     */
    public ListenerState(NativePlatform platform, MappedRegion region) {
        this.name = region.name();
        this.liveness = region.liveness();
        MemorySegment whole = ObjectHeader.body(region, SLOTS_OFFSET);
        this.backlog = (int) INT.get(whole, BACKLOG_OFFSET);
        long available = ObjectHeader.body(region).byteSize();
        if (backlog <= 0 || length(backlog) > available) {
            throw ProtocolFailures.corrupt(name, "backlog", backlog, "it must be positive, its slots within the object's "
                    + available + " bytes");
        }
        this.body = ObjectHeader.body(region).asSlice(0, length(backlog));
        this.requests = new WaitPoint(platform, region, ObjectHeaderLayout.LENGTH + REQUESTS_WAIT_POINT_OFFSET);
        this.answers = new WaitPoint(platform, region, ObjectHeaderLayout.LENGTH + ANSWERS_WAIT_POINT_OFFSET);
    }

    /** The listener object's name. */
    public String name() {
        return name;
    }

    /** Creator: an empty rendezvous that nobody listens on yet, before the header is published. */
    public static void initialise(MappedRegion region) {
        MemorySegment body = ObjectHeader.body(region);
        INT.set(body, STATE_OFFSET, CLOSED);
        INT.set(body, BACKLOG_OFFSET, BACKLOG);
    }

    // ------------------------------------------------------------------ the owner

    /** The process that listens (0: nobody). */
    public long owner() {
        return (long) LONG.getAcquire(body, OWNER_OFFSET);
    }

    /** Whether a live process listens now. */
    public boolean listening() {
        long owner = owner();
        return owner != 0 && (int) INT.getAcquire(body, STATE_OFFSET) == LISTENING && liveness.isAlive(owner);
    }

    /**
     * Makes {@code token}'s process the owner, if nobody alive owns the listener. The caller then
     * recycles every slot (the previous owner's offers are worthless to it) and offers its own.
     *
     * @return 0 if the listener is now {@code token}'s, else the live owner
     */
    public long takeOver(long token, int pipeCapacity, long maxMessageBytes) {
        while (true) {
            long owner = owner();
            if (owner != 0 && liveness.isAlive(owner)) {
                return owner;
            }
            if (LONG.compareAndSet(body, OWNER_OFFSET, owner, token)) {
                break;
            }
        }
        INT.set(body, PIPE_CAPACITY_OFFSET, pipeCapacity);
        LONG.set(body, MAX_MESSAGE_OFFSET, maxMessageBytes);
        INT.setRelease(body, STATE_OFFSET, LISTENING);
        return 0;
    }

    /** The owner stops listening: clients are refused from now on, and a new owner may take over. */
    public void close(long token) {
        if (owner() != token) {
            return;
        }
        INT.setVolatile(body, STATE_OFFSET, CLOSED);
        LONG.compareAndSet(body, OWNER_OFFSET, token, 0L);
        answers.wakeAll();
    }

    /** Ring bytes of the pipes the owner offers. */
    public int pipeCapacity() {
        return (int) INT.get(body, PIPE_CAPACITY_OFFSET);
    }

    /** The largest message on the owner's pipes. */
    public long maxMessageBytes() {
        return (long) LONG.get(body, MAX_MESSAGE_OFFSET);
    }

    /** Owner: offers the pipe {@code pipeName} (ASCII) in a free slot and wakes clients waiting for one; its slot, or -1 if none is free. */
    public int offer(String pipeName) {
        byte[] bytes = pipeName.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length == 0 || bytes.length > MAX_PIPE_NAME_LENGTH) {
            throw new IllegalArgumentException("a slot names a pipe in 1 to " + MAX_PIPE_NAME_LENGTH + " characters: " + pipeName);
        }
        for (int slot = 0; slot < backlog; slot++) {
            long offset = slotOffset(slot);
            if (slotState(slot) == SLOT_FREE && client(slot) == 0) {
                MemorySegment.copy(bytes, 0, body, ValueLayout.JAVA_BYTE, offset + SLOT_NAME_OFFSET, bytes.length);
                INT.set(body, offset + SLOT_NAME_LENGTH_OFFSET, bytes.length);
                INT.setRelease(body, offset + SLOT_STATE_OFFSET, SLOT_OFFERED);
                answers.wakeAll();
                return slot;
            }
        }
        return -1;
    }

    /** Owner: offered pipes no client has claimed yet. */
    public int unclaimedOffers() {
        int offers = 0;
        for (int slot = 0; slot < backlog; slot++) {
            if (slotState(slot) == SLOT_OFFERED && client(slot) == 0) {
                offers++;
            }
        }
        return offers;
    }

    /**
     * Owner: the claimed slot with the lowest ticket, taken (claimed → taken); -1 if none. The
     * caller accepts its pipe, or recycles it, and {@link #free}s it.
     */
    public int takeNext() {
        while (true) {
            int best = -1;
            long bestTicket = Long.MAX_VALUE;
            for (int slot = 0; slot < backlog; slot++) {
                if (slotState(slot) != SLOT_CLAIMED) {
                    continue;
                }
                long ticket = (long) LONG.get(body, slotOffset(slot) + SLOT_TICKET_OFFSET);
                if (ticket < bestTicket) {
                    best = slot;
                    bestTicket = ticket;
                }
            }
            if (best < 0 || INT.compareAndSet(body, slotOffset(best) + SLOT_STATE_OFFSET, SLOT_CLAIMED, SLOT_TAKEN)) {
                return best;
            }
        }
    }

    /**
     * Owner: whether the slot holds nothing a live client is using any more and should be
     * recycled: given back, or claimed by a client that has died.
     */
    public boolean abandoned(int slot) {
        int state = slotState(slot);
        long client = client(slot);
        return state == SLOT_WITHDRAWN || (state == SLOT_OFFERED || state == SLOT_CLAIMED) && client != 0 && !liveness.isAlive(client);
    }

    /** Whether some pipe is claimed (for the owner's wait). */
    private boolean anyClaimed() {
        for (int slot = 0; slot < backlog; slot++) {
            if (slotState(slot) == SLOT_CLAIMED) {
                return true;
            }
        }
        return false;
    }

    /** Owner: waits until a pipe is claimed (negative timeout: forever); returns whether one is. */
    public boolean awaitClaim(long timeoutNanos, WaitPolicy policy, WaitPoint.SliceCheck sliceCheck) throws InterruptedException {
        return requests.await(this::anyClaimed, timeoutNanos, policy, sliceCheck);
    }

    /**
     * The pipe name in a slot, checked to be printable ASCII of a length the slot holds.
     *
     * @throws RuntimeException from {@link dev.multiproc.internal.shm.ProtocolFailures#corrupt} if it is not
     */
    public String pipeName(int slot) {
        long offset = slotOffset(slot);
        int length = (int) INT.get(body, offset + SLOT_NAME_LENGTH_OFFSET);
        if (length <= 0 || length > MAX_PIPE_NAME_LENGTH) {
            throw ProtocolFailures.corrupt(name, "pipe name length in slot " + slot, length,
                    "a slot names a pipe in 1 to " + MAX_PIPE_NAME_LENGTH + " characters");
        }
        byte[] bytes = body.asSlice(offset + SLOT_NAME_OFFSET, length).toArray(ValueLayout.JAVA_BYTE);
        for (byte b : bytes) {
            if (b < 0x21 || b > 0x7E) {
                throw ProtocolFailures.corrupt(name, "pipe name byte in slot " + slot, b, "a pipe name is printable ASCII");
            }
        }
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    /** Owner: empties a slot (state free, then client 0, release): it may be offered again. */
    public void free(int slot) {
        long offset = slotOffset(slot);
        INT.setVolatile(body, offset + SLOT_STATE_OFFSET, SLOT_FREE);
        LONG.setRelease(body, offset + SLOT_CLIENT_OFFSET, 0L);
    }

    // ------------------------------------------------------------------ a client

    /**
     * Claims an offered pipe for {@code token}'s process.
     *
     * @return its slot (read its {@link #pipeName}), or -1 if nothing is offered now
     */
    public int claim(long token) {
        for (int slot = 0; slot < backlog; slot++) {
            if (slotState(slot) == SLOT_OFFERED && client(slot) == 0
                    && LONG.compareAndSet(body, slotOffset(slot) + SLOT_CLIENT_OFFSET, 0L, token)) {
                // the owner may have recycled the slot between the two reads; it offers only slots whose client is 0
                if (slotState(slot) == SLOT_OFFERED) {
                    return slot;
                }
                withdraw(slot);
            }
        }
        return -1;
    }

    /** Client: the claimed pipe's far end is attached; takes a ticket and lets the owner accept it. */
    public void claimed(int slot) {
        long offset = slotOffset(slot);
        LONG.set(body, offset + SLOT_TICKET_OFFSET, (long) LONG.getAndAdd(body, NEXT_TICKET_OFFSET, 1L));
        INT.setRelease(body, offset + SLOT_STATE_OFFSET, SLOT_CLAIMED);
        requests.wakeAll();
    }

    /** Client: gives a claimed slot back (its pipe could not be attached); the owner recycles it. */
    public void withdraw(int slot) {
        INT.setRelease(body, slotOffset(slot) + SLOT_STATE_OFFSET, SLOT_WITHDRAWN);
        requests.wakeAll();
    }

    /** Client: waits until {@code condition} holds, woken when the owner offers a pipe or closes (negative timeout: forever). */
    public boolean awaitOffer(BooleanSupplier condition, long timeoutNanos, WaitPolicy policy) throws InterruptedException {
        return answers.await(condition, timeoutNanos, policy, WaitPoint.NO_CHECK);
    }

    /** The state of a slot (acquire: what its writer did before setting it is visible). */
    public int slotState(int slot) {
        return (int) INT.getAcquire(body, slotOffset(slot) + SLOT_STATE_OFFSET);
    }

    private long client(int slot) {
        return (long) LONG.getAcquire(body, slotOffset(slot) + SLOT_CLIENT_OFFSET);
    }

    /** Claimed pipes waiting to be accepted now (for listings). */
    public int waitingClaims() {
        int waiting = 0;
        for (int slot = 0; slot < backlog; slot++) {
            if (slotState(slot) == SLOT_CLAIMED) {
                waiting++;
            }
        }
        return waiting;
    }

    public int backlog() {
        return backlog;
    }

    @Override
    public void wakeAll() {
        requests.wakeAll();
        answers.wakeAll();
    }

    @Override
    public int sleepers() {
        return requests.sleepers() + answers.sleepers();
    }
}
