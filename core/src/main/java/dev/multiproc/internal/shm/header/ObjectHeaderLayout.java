package dev.multiproc.internal.shm.header;

import dev.multiproc.internal.shm.LayoutChecks;

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
 *  48                  56                  64
 *   +-------------------+-------------------+
 *   | codec fingerprint | codec fingerprint |
 *   | (messages, keys)  | (map values)      |
 *   +-------------------+-------------------+
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
    /**
     * A fingerprint of the identity of the codec the creator named for the object's messages,
     * elements or keys (0: none), so that a process opening it by name with a codec of another
     * encoding is refused; written before the state is published, never changed.
     */
    public static final long CODEC_OFFSET = 48;
    /** The same for a map's values. */
    public static final long VALUE_CODEC_OFFSET = 56;

    /** Bytes before the body of every object; a cache line, so the body starts aligned. */
    public static final long LENGTH = 64;

    public static final int STATE_INITIALISING = 0;
    public static final int STATE_READY = 1;
    /**
     * Ready, and its creator has let go of it: the last process to stop using it removes its name
     * (see {@code spec/names-and-cleanup.md}). Opening it still works meanwhile.
     */
    public static final int STATE_RETIRED = 2;

    static {
        LayoutChecks.of("ObjectHeaderLayout")
                .field("magic", MAGIC_OFFSET, Long.BYTES)
                .field("version", VERSION_OFFSET, Integer.BYTES)
                .field("kind", KIND_OFFSET, Integer.BYTES)
                .field("total size", TOTAL_SIZE_OFFSET, Long.BYTES)
                .field("creator token", CREATOR_TOKEN_OFFSET, Long.BYTES)
                .field("creator pid", CREATOR_PID_OFFSET, Long.BYTES)
                .field("state", STATE_OFFSET, Integer.BYTES)
                .field("codec", CODEC_OFFSET, Long.BYTES)
                .field("value codec", VALUE_CODEC_OFFSET, Long.BYTES)
                .within(LENGTH);
    }

    private ObjectHeaderLayout() {
    }
}
