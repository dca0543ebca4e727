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
 */
record SharedObjectReference(int kindCode, String name, int detail, Serializable extra) implements Serializable {

    SharedObjectReference(int kindCode, String name, int detail) {
        this(kindCode, name, detail, null);
    }

    @Serial
    private static final long serialVersionUID = 1L;

    @Serial
    private Object readResolve() {
        return Multiproc.context().attach(this);
    }
}
