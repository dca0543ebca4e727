package dev.multiproc.internal.process;

import dev.multiproc.spi.ProcessIdentity;

/**
 * Who this JVM is when multiproc started it: its name and daemon flag as its parent set them, and
 * its parent. {@link ChildMain} records it before the target runs; {@code JvmProcess.current()}
 * and {@code parent()} describe the process from it. Absent in a JVM started otherwise.
 */
public record ChildIdentity(String name, boolean daemon, ProcessIdentity self, String parentName, ProcessIdentity parent) {
    private static volatile ChildIdentity recorded;

    /** Records this JVM's identity; a later record replaces it (a spare's, once it takes a target). */
    static void record(ChildIdentity identity) {
        recorded = identity;
    }

    /** This JVM's identity as a multiproc child, or null if it is not one (yet). */
    public static ChildIdentity recorded() {
        return recorded;
    }
}
