package dev.multiproc.bench.transport;

import java.util.ArrayList;
import java.util.List;

/** JVM options the peers need, which multiproc itself never does. */
final class PeerOptions {

    private PeerOptions() {
    }

    /**
     * Agrona and Aeron reach {@code jdk.internal.misc.Unsafe} (an export the JDK does not give
     * unnamed modules) and {@code sun.misc.Unsafe} (which JDK 23+ warns about unless allowed).
     */
    static List<String> unsafe() {
        List<String> options = new ArrayList<>();
        options.add("--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED");
        if (Runtime.version().feature() >= 23) {
            options.add("--sun-misc-unsafe-memory-access=allow");
        }
        return options;
    }

    /** Chronicle reaches into the JDK's internals. */
    static List<String> chronicle() {
        List<String> options = new ArrayList<>(unsafe());
        options.addAll(List.of(
                "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
                "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
                "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
                "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
                "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
                "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
                "--add-opens=java.base/java.io=ALL-UNNAMED",
                "--add-opens=java.base/java.util=ALL-UNNAMED",
                "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "-Dchronicle.analytics.disable=true",
                "-Dchronicle.disk.monitor.disable=true"));
        return options;
    }
}
