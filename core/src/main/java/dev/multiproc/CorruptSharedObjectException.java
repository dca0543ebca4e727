package dev.multiproc;

/**
 * A value read from a shared object breaks the rules of its layout: a length past its area, a
 * position ahead of where it can be, a count out of range. Another process wrote it — a buggy
 * one, one killed half-way through something the protocol does not cover, or a hostile one —
 * and multiproc refuses to let it drive a loop, an index or an allocation: the operation stops
 * here instead of hanging, crashing or reading out of bounds. The object may be unusable; the
 * message names it, the field and the value.
 */
public class CorruptSharedObjectException extends MultiprocException {
    @java.io.Serial
    private static final long serialVersionUID = 1L;

    private final String objectName;
    private final String field;
    private final long value;

    /**
     * @param objectName the object's name
     * @param field      the field that holds the bad value ("record length", "slot sequence", ...)
     * @param value      the value read
     * @param rule       what the value should have been, for the message
     */
    public CorruptSharedObjectException(String objectName, String field, long value, String rule) {
        this(objectName, field, value, rule, null);
    }

    /** The same, with what failed on the value (a codec that could not decode it). */
    public CorruptSharedObjectException(String objectName, String field, long value, String rule, Throwable cause) {
        super("shared object '" + objectName + "' is corrupt: its " + field + " is " + value + ", but " + rule, cause);
        this.objectName = objectName;
        this.field = field;
        this.value = value;
    }

    /** The name of the corrupt object. */
    public String objectName() {
        return objectName;
    }

    /** The field that holds the bad value. */
    public String field() {
        return field;
    }

    /** The value read. */
    public long value() {
        return value;
    }
}
