package dev.multiproc.internal;

/**
 * multiproc's logger, {@code dev.multiproc}, got on its first use. {@link System#getLogger} sets
 * up the logging backend (java.util.logging unless another is installed): 28–36 ms in a fresh JVM
 * on a 2-core machine here. multiproc logs only on rare paths — a take-over from a dead process, a
 * clean-up that failed — so a program that never logs, and every cold child JVM, starts without it.
 */
public final class MultiprocLog {
    private MultiprocLog() {
    }

    private static final class Holder {
        static final System.Logger LOGGER = System.getLogger("dev.multiproc");
    }

    public static System.Logger get() {
        return Holder.LOGGER;
    }
}
