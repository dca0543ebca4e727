package dev.multiproc.internal.shm.table;

import dev.multiproc.spi.Liveness;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static dev.multiproc.internal.shm.Words.LONG;
import static dev.multiproc.internal.shm.table.ParticipantTableLayout.*;

/**
 * Logic of a {@link ParticipantTableLayout}. A process claims a free slot by CAS of its token
 * into it, and only that process changes the slot's count afterwards (atomic adds, so that
 * several threads of the process may). A process that ends normally keeps or frees its slot as
 * the owning structure decides; the slot of a process that died is reclaimed by whoever first
 * CASes its token from the dead token to 0 — that one alone gets the slot's count.
 *
 * <p>Memory effects: claims and reclaims are CAS (volatile); counts are changed with atomic adds
 * and read with volatile loads.
 */
public final class ParticipantTable {
    /** Returned by {@link #claim} when all slots are taken. */
    public static final int NO_SLOT = -1;

    private final MemorySegment table;

    /** The table at {@code offset} of {@code segment}. */
    public ParticipantTable(MemorySegment segment, long offset) {
        this.table = segment.asSlice(offset, LENGTH);
    }

    /**
     * The slot this process holds, claiming a free one if it has none; {@link #NO_SLOT} when
     * full. Threads of one process must not claim at the same time (they could claim two slots).
     */
    public int claim(long token) {
        int free = NO_SLOT;
        for (int slot = 0; slot < SLOTS; slot++) {
            long owner = (long) LONG.getVolatile(table, slotOffset(slot) + TOKEN_OFFSET);
            if (owner == token) {
                return slot;
            }
            if (owner == 0 && free == NO_SLOT) {
                free = slot;
            }
        }
        for (int slot = free == NO_SLOT ? SLOTS : free; slot < SLOTS; slot++) {
            if (LONG.compareAndSet(table, slotOffset(slot) + TOKEN_OFFSET, 0L, token)) {
                return slot;
            }
        }
        return NO_SLOT;
    }

    /** Adds {@code delta} to the count of a slot this process holds; returns the new count. */
    public long add(int slot, long delta) {
        return (long) LONG.getAndAdd(table, slotOffset(slot) + COUNT_OFFSET, delta) + delta;
    }

    public long count(int slot) {
        return (long) LONG.getVolatile(table, slotOffset(slot) + COUNT_OFFSET);
    }

    /** Frees a slot this process holds; its count is dropped. */
    public void release(int slot, long token) {
        long offset = slotOffset(slot);
        LONG.setVolatile(table, offset + COUNT_OFFSET, 0L);
        LONG.compareAndSet(table, offset + TOKEN_OFFSET, token, 0L);
    }

    /** A slot taken from a dead process, with the count it held. */
    public record Reclaimed(long token, long count) {
    }

    /**
     * Frees the slots of processes that are no longer alive and returns what they held. Each
     * dead slot is reclaimed by exactly one caller, whatever the number of callers at once.
     */
    public List<Reclaimed> reclaimDead(Liveness liveness) {
        List<Reclaimed> reclaimed = new ArrayList<>();
        for (int slot = 0; slot < SLOTS; slot++) {
            long offset = slotOffset(slot);
            long owner = (long) LONG.getVolatile(table, offset + TOKEN_OFFSET);
            if (owner > 0 && !liveness.isAlive(owner)) {
                long count = (long) LONG.getVolatile(table, offset + COUNT_OFFSET);
                // reset the count before freeing: a process claiming the slot next starts from zero
                if (LONG.compareAndSet(table, offset + TOKEN_OFFSET, owner, -owner)) {
                    LONG.setVolatile(table, offset + COUNT_OFFSET, 0L);
                    LONG.setVolatile(table, offset + TOKEN_OFFSET, 0L);
                    reclaimed.add(new Reclaimed(owner, count));
                }
            }
        }
        return reclaimed;
    }

    /** The tokens of the processes that hold slots now. */
    public List<Long> tokens() {
        List<Long> tokens = new ArrayList<>();
        for (int slot = 0; slot < SLOTS; slot++) {
            long owner = (long) LONG.getVolatile(table, slotOffset(slot) + TOKEN_OFFSET);
            if (owner > 0) {
                tokens.add(owner);
            }
        }
        return tokens;
    }

    /** Whether some process that holds a slot is dead. */
    public boolean anyDead(Liveness liveness) {
        for (long token : tokens()) {
            if (!liveness.isAlive(token)) {
                return true;
            }
        }
        return false;
    }
}
