package dev.multiproc.internal.objects;

import dev.multiproc.CorruptSharedObjectException;
import dev.multiproc.IncompatibleSharedObjectException;
import dev.multiproc.internal.shm.ProtocolFailures;

/**
 * The protocols' failures as the API's exceptions: corruption as {@link CorruptSharedObjectException},
 * a mismatch as {@link IncompatibleSharedObjectException}, an abandoned object as its
 * {@link Abandoned} kind (which a named object's opener removes and makes again).
 */
public final class ApiFailures implements ProtocolFailures.Factory {

    /** An object its creator never finished and never will: one a named object's opener may remove and make again. */
    static final class Abandoned extends IncompatibleSharedObjectException {
        @java.io.Serial
        private static final long serialVersionUID = 1L;

        Abandoned(String objectName, String message) {
            super(objectName, message);
        }
    }

    @Override
    public RuntimeException corrupt(String objectName, String field, long value, String rule) {
        return new CorruptSharedObjectException(objectName, field, value, rule);
    }

    @Override
    public RuntimeException incompatible(String objectName, String message) {
        return new IncompatibleSharedObjectException(objectName, message);
    }

    @Override
    public RuntimeException abandoned(String objectName, String message) {
        return new Abandoned(objectName, message);
    }
}
