package dev.multiproc;

/**
 * How a {@link SharedMap} is sized. Shared memory is reserved up front, so the map is created
 * for at most {@code maxEntries} entries of about the given average sizes; the defaults leave
 * room for uneven hashing and for values that grow (see {@code spec/map.md}).
 *
 * @param maxEntries        the most entries the map must hold
 * @param averageKeyBytes   the expected encoded key size
 * @param averageValueBytes the expected encoded value size
 * @param stripes           independent parts with a lock each (a power of two); more let more writers work at once
 */
public record MapOptions(int maxEntries, int averageKeyBytes, int averageValueBytes, int stripes) {
    public static final int DEFAULT_KEY_BYTES = 32;
    public static final int DEFAULT_VALUE_BYTES = 64;

    public MapOptions {
        if (maxEntries <= 0) {
            throw new IllegalArgumentException("maxEntries must be positive, got " + maxEntries);
        }
        if (averageKeyBytes < 0 || averageValueBytes < 0) {
            throw new IllegalArgumentException("average sizes must not be negative");
        }
        if (stripes <= 0 || Integer.bitCount(stripes) != 1) {
            throw new IllegalArgumentException("stripes must be a positive power of two, got " + stripes);
        }
    }

    /** Defaults for {@code maxEntries}: 32-byte keys, 64-byte values, up to 16 stripes (fewer for small maps). */
    public static MapOptions of(int maxEntries) {
        int stripes = Math.max(1, Math.min(16, Integer.highestOneBit(Math.max(1, maxEntries / 64))));
        return new MapOptions(maxEntries, DEFAULT_KEY_BYTES, DEFAULT_VALUE_BYTES, stripes);
    }

    public MapOptions withAverageKeyBytes(int bytes) {
        return new MapOptions(maxEntries, bytes, averageValueBytes, stripes);
    }

    public MapOptions withAverageValueBytes(int bytes) {
        return new MapOptions(maxEntries, averageKeyBytes, bytes, stripes);
    }

    public MapOptions withStripes(int count) {
        return new MapOptions(maxEntries, averageKeyBytes, averageValueBytes, count);
    }
}
