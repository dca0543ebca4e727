package dev.multiproc.internal.shm.values;

import dev.multiproc.internal.shm.LayoutChecks;

/**
 * The body of shared values ({@code SharedLong}, {@code SharedDouble} and their arrays): a
 * length, then the values, eight bytes each (a double as its IEEE 754 bits). See
 * {@code spec/values.md}.
 *
 * <pre>
 *   0          4          8                 16                24
 *   +----------+----------+-----------------+-----------------+----
 *   |  length  |  (pad)   |    value 0      |    value 1      | ...
 *   +----------+----------+-----------------+-----------------+----
 * </pre>
 */
public final class ValuesLayout {
    public static final long LENGTH_OFFSET = 0;
    public static final long VALUES_OFFSET = 8;

    static {
        LayoutChecks.of("ValuesLayout")
                .field("length", LENGTH_OFFSET, Integer.BYTES)
                .field("values", VALUES_OFFSET, Long.BYTES);
    }

    private ValuesLayout() {
    }

    public static long bodySize(int length) {
        return VALUES_OFFSET + (long) length * Long.BYTES;
    }
}
