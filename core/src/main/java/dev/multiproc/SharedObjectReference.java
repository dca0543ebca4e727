package dev.multiproc;

import java.io.Serial;
import java.io.Serializable;

/**
 * What a {@link SharedObject} becomes when it is serialised: its kind, name, a detail (such as
 * the pipe end) and what the handle needs besides memory (such as its codec). Deserialising it
 * attaches to the named object in the receiving JVM, through that JVM's
 * {@link Multiproc#context() default context}. It is the serial form of the API's handles, so it
 * stays in their package, package-private (as {@code java.util} keeps its collections' serial
 * proxies): its class name is in every serialised target.
 *
 * <p>A class, not a record: a fresh JVM reads its first record by building a chain of method
 * handles for the record's canonical constructor: 20-31 ms against 9-13 ms for a plain class
 * (a probe reading one object in a fresh JVM with a trained start-up cache), and every child's
 * target that captures a shared object carries one of these.
 */
final class SharedObjectReference implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    private final int kindCode;
    private final String name;
    private final int detail;
    private final Serializable extra;

    SharedObjectReference(int kindCode, String name, int detail, Serializable extra) {
        this.kindCode = kindCode;
        this.name = name;
        this.detail = detail;
        this.extra = extra;
    }

    SharedObjectReference(int kindCode, String name, int detail) {
        this(kindCode, name, detail, null);
    }

    int kindCode() {
        return kindCode;
    }

    String name() {
        return name;
    }

    int detail() {
        return detail;
    }

    Serializable extra() {
        return extra;
    }

    @Serial
    private Object readResolve() {
        return Multiproc.context().attach(this);
    }
}
