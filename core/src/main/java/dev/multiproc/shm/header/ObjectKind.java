package dev.multiproc.shm.header;

/**
 * Every kind of shared object, with the code stored in its header and the version of its
 * layout. A layout change that old readers cannot follow bumps the version: an old or new
 * process attaching then gets a clear error instead of misreading memory.
 */
public enum ObjectKind {
    CONTEXT(1, 1, "context"),
    SHARED_MEMORY(2, 1, "shm"),
    PROCESS(3, 1, "process"),
    LOCK(4, 1, "lock"),
    REENTRANT_LOCK(5, 1, "rlock"),
    CONDITION(6, 1, "condition"),
    SEMAPHORE(7, 1, "semaphore"),
    EVENT(8, 1, "event"),
    BARRIER(9, 1, "barrier"),
    QUEUE(10, 1, "queue"),
    SPILL(11, 1, "spill"),
    PIPE(12, 1, "pipe"),
    LONG_VALUES(13, 1, "longs"),
    DOUBLE_VALUES(14, 1, "doubles"),
    MAP(15, 1, "map"),
    LIST(16, 1, "list");

    private final int code;
    private final int layoutVersion;
    private final String label;

    ObjectKind(int code, int layoutVersion, String label) {
        this.code = code;
        this.layoutVersion = layoutVersion;
        this.label = label;
    }

    /** The number stored in the header's kind field. */
    public int code() {
        return code;
    }

    /** The layout version this build reads and writes. */
    public int layoutVersion() {
        return layoutVersion;
    }

    /** The word used in generated names ({@code mp-<context>-<label>-<n>}) and in listings. */
    public String label() {
        return label;
    }

    /** The kind with this header code, or null for a code this build does not know. */
    public static ObjectKind ofCode(int code) {
        for (ObjectKind kind : values()) {
            if (kind.code == code) {
                return kind;
            }
        }
        return null;
    }
}
