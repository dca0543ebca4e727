package dev.multiproc.shm.header;

/**
 * The 64-byte header at offset 0 of every multiproc shared object. Little-endian, as the
 * machine writes it; see {@code spec/header.md}.
 *
 * <pre>
 *   0                   8                  16                  24
 *   +-------------------+---------+---------+-------------------+
 *   |  magic "MPROCOBJ" | version |  kind   |    total size     |
 *   +-------------------+---------+---------+-------------------+
 *  24                  32                  40        44        48
 *   +-------------------+-------------------+---------+---------+
 *   |   creator token   |    creator pid    |  state  | (spare) |
 *   +-------------------+-------------------+---------+---------+
 *  48                                                          64
 *   +-----------------------------------------------------------+
 *   |                    reserved, zero                         |
 *   +-----------------------------------------------------------+
 * </pre>
 *
 * The creator writes every field, then the body, then {@link #STATE_OFFSET} = {@link #STATE_READY}
 * with release semantics; an opener reads the state with acquire semantics before anything else.
 * The creator's token is its liveness token (see {@code spec/liveness.md}); its pid is for people.
 */
public final class ObjectHeaderLayout {
    /** "MPROCOBJ" read as a little-endian long. */
    public static final long MAGIC = 0x4A424F434F52504DL;

    public static final long MAGIC_OFFSET = 0;
    public static final long VERSION_OFFSET = 8;
    public static final long KIND_OFFSET = 12;
    public static final long TOTAL_SIZE_OFFSET = 16;
    public static final long CREATOR_TOKEN_OFFSET = 24;
    public static final long CREATOR_PID_OFFSET = 32;
    public static final long STATE_OFFSET = 40;

    /** Bytes before the body of every object; a cache line, so the body starts aligned. */
    public static final long LENGTH = 64;

    public static final int STATE_INITIALISING = 0;
    public static final int STATE_READY = 1;
    /**
     * Ready, and its creator has let go of it: the last process to stop using it removes its name
     * (see {@code spec/names-and-cleanup.md}). Opening it still works meanwhile.
     */
    public static final int STATE_RETIRED = 2;

    private ObjectHeaderLayout() {
    }
}
