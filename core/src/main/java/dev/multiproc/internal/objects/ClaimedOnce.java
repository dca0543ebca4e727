package dev.multiproc.internal.objects;

import java.util.function.IntSupplier;

/**
 * A number this process claims in a shared object once (its slot in a table) and reads on every
 * operation after: the first caller claims it under a lock, everyone reads it with one volatile
 * load.
 */
public final class ClaimedOnce {
    private static final int UNCLAIMED = Integer.MIN_VALUE;
    private final IntSupplier claim;
    private volatile int value = UNCLAIMED;

    public ClaimedOnce(IntSupplier claim) {
        this.claim = claim;
    }

    public int get() {
        int claimed = value;
        return claimed != UNCLAIMED ? claimed : claimNow();
    }

    private synchronized int claimNow() {
        if (value == UNCLAIMED) {
            value = claim.getAsInt();
        }
        return value;
    }
}
