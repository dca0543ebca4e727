package dev.multiproc.posix;

/**
 * The liveness registry of one user: the file {@code /dev/shm/mp-registry-<uid>} (mode 0600),
 * in which every multiproc process of that user holds, for its whole life, an open file
 * description lock (OFD lock, {@code F_OFD_SETLK}) on a slot of its own. The kernel drops the
 * lock the instant the process ends, however it ends, so "is the holder of slot s alive?" is a
 * question the kernel answers ({@code F_OFD_GETLK}), the same from every PID namespace. See
 * {@code spec/liveness.md}.
 *
 * <pre>
 *   0                 8         12        16                24                                  64
 *   +-----------------+---------+---------+-----------------+-----------------------------------+
 *   | magic "MPROCREG"| version |  slots  |      epoch      |  next-slot hint (8) | reserved    |
 *   +-----------------+---------+---------+-----------------+-----------------------------------+
 *  64                 72                80                 88                96
 *   +-----------------+-----------------+------------------+-----------------+
 *   | generation      | pid             | PID namespace    | (reserved)      |   slot 0
 *   +-----------------+-----------------+------------------+-----------------+
 *   | ...             |                 |                  |                 |   slot 1 ... slots - 1
 * </pre>
 *
 * Locks: bytes {@code [0, 64)} while a process creates or validates the header; a slot's 32 bytes
 * for the life of its holder; the whole file by whoever tests that nobody is registered before
 * removing it.
 */
final class RegistryLayout {
    /** "MPROCREG" read as a little-endian long. */
    static final long MAGIC = 0x474552434F52504DL;
    static final int VERSION = 1;
    static final long MAGIC_OFFSET = 0;
    static final long VERSION_OFFSET = 8;
    static final long SLOTS_OFFSET = 12;
    /** Random at creation: tokens of an earlier file of the same name never match this one's. */
    static final long EPOCH_OFFSET = 16;
    /** Where the next registrant starts looking for a free slot, so that slots are reused last. */
    static final long HINT_OFFSET = 24;
    static final long HEADER_LENGTH = 64;

    static final long SLOT_LENGTH = 32;
    static final long SLOT_GENERATION_OFFSET = 0;
    static final long SLOT_PID_OFFSET = 8;
    static final long SLOT_PID_NAMESPACE_OFFSET = 16;

    /** Processes of one user that can be registered at once. */
    static final int SLOTS = 16_384;
    static final long LENGTH = HEADER_LENGTH + SLOTS * SLOT_LENGTH;

    /** token = slot << 47 | ((epoch + generation) & GENERATION_MASK): positive, never 0. */
    static final int SLOT_SHIFT = 47;
    static final long GENERATION_MASK = (1L << SLOT_SHIFT) - 1;

    static {
        if ((long) SLOTS << SLOT_SHIFT < 0 || Long.numberOfLeadingZeros((long) (SLOTS - 1) << SLOT_SHIFT) < 1) {
            throw new AssertionError("registry tokens must stay positive");
        }
    }

    private RegistryLayout() {
    }

    static long slotOffset(int slot) {
        return HEADER_LENGTH + slot * SLOT_LENGTH;
    }

    static long token(int slot, long epoch, long generation) {
        return ((long) slot << SLOT_SHIFT) | ((epoch + generation) & GENERATION_MASK);
    }

    static int slotOf(long token) {
        return (int) (token >>> SLOT_SHIFT);
    }
}
