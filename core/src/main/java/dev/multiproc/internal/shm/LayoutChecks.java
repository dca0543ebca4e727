package dev.multiproc.internal.shm;

/**
 * Checks a layout's fields when its class loads, so that a layout edited wrong fails at once and
 * by name instead of corrupting memory: each field aligned (to its size, up to 8 bytes; bytes to
 * 1), each after the one before (no overlap, declared in order), all within the length. A
 * failure is an {@link AssertionError} naming the layout and the fields.
 */
public final class LayoutChecks {
    private final String layout;
    private long end;
    private String previous = "the start";

    private LayoutChecks(String layout) {
        this.layout = layout;
    }

    /** Starts the checks of {@code layout} at offset 0. */
    public static LayoutChecks of(String layout) {
        return new LayoutChecks(layout);
    }

    /** A field of {@code size} bytes (4 or 8 for a word, 8 for a wait point, any for a table) at {@code offset}. */
    public LayoutChecks field(String name, long offset, long size) {
        return place(name, offset, size, Math.min(size, Long.BYTES));
    }

    /** Bytes (a name, a payload) with no alignment of their own. */
    public LayoutChecks bytes(String name, long offset, long size) {
        return place(name, offset, size, 1);
    }

    /**
     * A field that starts a cache line and has {@code lines} lines to itself (two where the
     * hardware prefetches lines in pairs): nothing else is placed before they end.
     */
    public LayoutChecks ownLines(String name, long offset, long size, long cacheLine, int lines) {
        if (offset % cacheLine != 0) {
            throw broken(name + " at " + offset + " does not start a cache line");
        }
        place(name, offset, size, Math.min(size, Long.BYTES));
        end = Math.max(end, offset + lines * cacheLine);
        return this;
    }

    /** Checks that every field placed so far ends within {@code length} bytes. */
    public void within(long length) {
        if (end > length) {
            throw broken(previous + " ends at " + end + ", past the length " + length);
        }
    }

    // each message is made only when its check fails: a string concatenation links a call site the
    // first time it runs, and these checks run in every JVM as the layouts load
    private LayoutChecks place(String name, long offset, long size, long alignment) {
        if (size <= 0) {
            throw broken(name + " has no size");
        }
        if (offset % alignment != 0) {
            throw broken(name + " at " + offset + " is not aligned to " + alignment + " bytes");
        }
        if (offset < end) {
            throw broken(name + " at " + offset + " overlaps " + previous + ", which ends at " + end);
        }
        end = offset + size;
        previous = name;
        return this;
    }

    private AssertionError broken(String what) {
        return new AssertionError(layout + ": " + what);
    }
}
