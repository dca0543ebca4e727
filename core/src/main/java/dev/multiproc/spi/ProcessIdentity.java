package dev.multiproc.spi;

/**
 * Who a process is: its pid and the moment it started, in the platform's own unit (clock ticks
 * since boot on Linux, FILETIME on Windows). A pid alone is reused by the OS; the pair is not,
 * so a recorded identity whose pid now belongs to a newer process is correctly seen as dead.
 *
 * @param pid       the OS process id
 * @param startTime when the process started, in the platform's unit; only compared, never converted
 */
public record ProcessIdentity(long pid, long startTime) {

    /**
     * The identity folded into one non-zero 64-bit word so that it can be stored and compared
     * with a single atomic access: pid in the high 32 bits, a mix of the start time in the low 32.
     * Two processes collide only if they share a pid and their start times fold to the same 32
     * bits, which needs pid reuse at a distance of a multiple of 2^32 start-time units.
     */
    public long token() {
        return (pid << 32) | (foldStartTime(startTime) & 0xFFFF_FFFFL);
    }

    /** The pid stored in a {@link #token()}. */
    public static long pidOf(long token) {
        return token >>> 32;
    }

    /** Whether {@code token} was made from this identity. */
    public boolean matches(long token) {
        return token == token();
    }

    private static int foldStartTime(long startTime) {
        long mixed = startTime * 0x9E37_79B9_7F4A_7C15L;
        int folded = (int) (mixed ^ (mixed >>> 32));
        return folded == 0 ? 1 : folded;
    }

    @Override
    public String toString() {
        return "pid " + pid;
    }
}
