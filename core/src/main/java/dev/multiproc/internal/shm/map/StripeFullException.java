package dev.multiproc.internal.shm.map;

/** A stripe has no room for an entry: too many entries, or too many bytes even after compaction. */
public final class StripeFullException extends RuntimeException {
    @java.io.Serial
    private static final long serialVersionUID = 1L;

    private final boolean entriesExhausted;
    private final long needed;
    private final long available;

    StripeFullException(boolean entriesExhausted, long needed, long available) {
        super(null, null, false, false);
        this.entriesExhausted = entriesExhausted;
        this.needed = needed;
        this.available = available;
    }

    /** True if the stripe holds its most entries; false if its record bytes ran out. */
    public boolean entriesExhausted() {
        return entriesExhausted;
    }

    /** Bytes (or entries) the operation needed. */
    public long needed() {
        return needed;
    }

    /** Bytes (or entries) the stripe had. */
    public long available() {
        return available;
    }
}
