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
 * <p>Memory effects: claims, reclaims and the high-water mark's raises are CAS (volatile), and a
 * slot is used only after the raise that covers it, so a scan that reads the mark (volatile) sees
 * every slot claimed before; counts are changed with atomic adds and read with volatile loads.
 */
public final class ParticipantTable {
    /** Returned by {@link #claim} when all slots are taken. */
    public static final int NO_SLOT = -1;

    private final MemorySegment table;

    /** The table at {@code offset} of {@code segment} (all zero when new: no slot used). */
    public ParticipantTable(MemorySegment segment, long offset) {
        this.table = segment.asSlice(offset, LENGTH);
    }

    /**
     * The slot this process holds, claiming a free one if it has none — below the high-water
     * mark first, then by raising it — and {@link #NO_SLOT} when all {@link ParticipantTableLayout#SLOTS}
     * are taken. Threads of one process must not claim at the same time (they could claim two
     * slots).
     */
    public int claim(long token) {
        while (true) {
            long mark = (long) LONG.getVolatile(table, HIGH_WATER_OFFSET);
            int used = Math.clamp(mark, 0, SLOTS);
            int free = NO_SLOT;
            for (int slot = 0; slot < used; slot++) {
                long owner = (long) LONG.getVolatile(table, slotOffset(slot) + TOKEN_OFFSET);
                if (owner == token) {
                    return slot;
                }
                if (owner == 0 && free == NO_SLOT) {
                    free = slot;
                }
            }
            for (int slot = free == NO_SLOT ? used : free; slot < used; slot++) {
                if (LONG.compareAndSet(table, slotOffset(slot) + TOKEN_OFFSET, 0L, token)) {
                    return slot;
                }
            }
            if (mark != used || used == SLOTS) {
                // all taken, or a mark outside the table (corrupt memory): no slot
                return NO_SLOT;
            }
            // a slot never used is free; another claimer may take it between the two CASes, and then this one looks again
            if (LONG.compareAndSet(table, HIGH_WATER_OFFSET, mark, mark + 1)
                    && LONG.compareAndSet(table, slotOffset(used) + TOKEN_OFFSET, 0L, token)) {
                return used;
            }
        }
    }

    /** How many slots have ever been used: the high-water mark, kept within the table whatever memory says. */
    public int slotsUsed() {
        long used = (long) LONG.getVolatile(table, HIGH_WATER_OFFSET);
        return Math.clamp(used, 0, SLOTS);
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
        int used = slotsUsed();
        for (int slot = 0; slot < used; slot++) {
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
        int used = slotsUsed();
        for (int slot = 0; slot < used; slot++) {
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
