package dev.multiproc.internal.shm.header;

/**
 * Every kind of shared object, with the code stored in its header and the version of its
 * layout. A layout change that old readers cannot follow bumps the version: an old or new
 * process attaching then gets a clear error instead of misreading memory.
 */
public enum ObjectKind {
    CONTEXT(1, 2, "context"),
    SHARED_MEMORY(2, 2, "shm"),
    PROCESS(3, 2, "process"),
    LOCK(4, 2, "lock"),
    REENTRANT_LOCK(5, 2, "rlock"),
    CONDITION(6, 2, "condition"),
    SEMAPHORE(7, 3, "semaphore"),
    EVENT(8, 2, "event"),
    BARRIER(9, 3, "barrier"),
    QUEUE(10, 6, "queue"),
    SPILL(11, 2, "spill"),
    PIPE(12, 2, "pipe"),
    LONG_VALUES(13, 2, "longs"),
    DOUBLE_VALUES(14, 2, "doubles"),
    MAP(15, 3, "map"),
    LIST(16, 4, "list"),
    LISTENER(17, 2, "listener");

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
