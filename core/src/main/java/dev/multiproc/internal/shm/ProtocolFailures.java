package dev.multiproc.internal.shm;

/**
 * The failures the protocols report, made into exceptions by the layer that shows them to
 * users: a protocol says what is wrong — a field of a shared object breaks its layout, an object
 * is not what it was opened as, or was abandoned by its creator — and the installed
 * {@link Factory} chooses the types callers catch. Until one is installed (a protocol exercised
 * on its own), {@link IllegalStateException}s carry the same messages.
 */
public final class ProtocolFailures {
    /** Makes the exceptions; installed once, before any shared object is opened. */
    public interface Factory {
        /** A value read from {@code objectName} breaks its layout's {@code rule}. */
        RuntimeException corrupt(String objectName, String field, long value, String rule);

        /** {@code objectName} is not what it was opened as ({@code message} says how). */
        RuntimeException incompatible(String objectName, String message);

        /** {@code objectName} was never finished and never will be: its creator died first, or it has no header. */
        RuntimeException abandoned(String objectName, String message);
    }

    private static volatile Factory factory = new Factory() {
        @Override
        public RuntimeException corrupt(String objectName, String field, long value, String rule) {
            return new IllegalStateException("shared object '" + objectName + "' is corrupt: its " + field + " is " + value + ", but " + rule);
        }

        @Override
        public RuntimeException incompatible(String objectName, String message) {
            return new IllegalStateException(message);
        }

        @Override
        public RuntimeException abandoned(String objectName, String message) {
            return new IllegalStateException(message);
        }
    };

    private ProtocolFailures() {
    }

    /** Makes {@code installed} the factory of every later failure. */
    public static void install(Factory installed) {
        factory = installed;
    }

    /** @see Factory#corrupt */
    public static RuntimeException corrupt(String objectName, String field, long value, String rule) {
        return factory.corrupt(objectName, field, value, rule);
    }

    /** @see Factory#incompatible */
    public static RuntimeException incompatible(String objectName, String message) {
        return factory.incompatible(objectName, message);
    }

    /** @see Factory#abandoned */
    public static RuntimeException abandoned(String objectName, String message) {
        return factory.abandoned(objectName, message);
    }
}
