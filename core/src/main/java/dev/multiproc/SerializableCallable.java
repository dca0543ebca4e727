package dev.multiproc;

import java.io.Serializable;
import java.util.concurrent.Callable;

/** A {@link Callable} that can be sent to another JVM with the values it captures. */
@FunctionalInterface
public interface SerializableCallable<V> extends Callable<V>, Serializable {
}
