package dev.multiproc;

import java.io.Serializable;

/**
 * A {@link Runnable} that can be sent to another JVM: a lambda of this type is serialised with
 * the values it captures. Shared objects among them travel by name and re-attach on arrival.
 */
@FunctionalInterface
public interface SerializableRunnable extends Runnable, Serializable {
}
