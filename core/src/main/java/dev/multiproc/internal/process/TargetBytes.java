package dev.multiproc.internal.process;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;

/**
 * What crosses to another JVM by Java serialisation — a process's target, a pool's work, its
 * initializer, a task's failure — as bytes, or an {@link IllegalArgumentException} naming what
 * could not be sent and the class that stopped it.
 */
public final class TargetBytes {
    private TargetBytes() {
    }

    /** {@code target} serialised; {@code what} names it in the failure. */
    public static byte[] serialise(Object target, String what) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(target);
        } catch (NotSerializableException e) {
            throw new IllegalArgumentException("the target of '" + what + "' cannot be sent to another JVM: it captures a value of class "
                    + e.getMessage() + ", which is not Serializable (capture only serialisable values, or shared objects)", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("the target of '" + what + "' cannot be serialised: " + e, e);
        }
        return bytes.toByteArray();
    }
}
