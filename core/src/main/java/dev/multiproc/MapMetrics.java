package dev.multiproc;

/**
 * A {@link SharedMap}'s numbers at one moment ({@link SharedMap#metrics()}), read from shared
 * memory: every process sees the same.
 *
 * @param entries               entries now
 * @param maxEntries            the most it holds
 * @param recordBytesUsed       bytes of keys and values stored now
 * @param recordBytes           bytes there are for keys and values (puts fail with {@link MapFullException} beyond)
 * @param stripes               stripes (each with its own lock)
 * @param stripesWithDeadWriter stripes locked by a process that died writing (the next writer repairs them)
 */
public record MapMetrics(long entries, long maxEntries, long recordBytesUsed, long recordBytes, int stripes, long stripesWithDeadWriter) {
    /** How full the map is: the larger of its entry fill and its record-byte fill, 0 to 1. */
    public double fill() {
        return Math.max(maxEntries == 0 ? 0 : (double) entries / maxEntries, recordBytes == 0 ? 0 : (double) recordBytesUsed / recordBytes);
    }
}
