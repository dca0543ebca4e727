package dev.multiproc;

import java.io.Serializable;
import java.util.function.Function;

/** A {@link Function} that can be sent to another JVM with the values it captures. */
@FunctionalInterface
public interface SerializableFunction<T, R> extends Function<T, R>, Serializable {
}
