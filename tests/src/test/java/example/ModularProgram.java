package example;

import dev.multiproc.JvmProcess;
import dev.multiproc.Multiproc;
import dev.multiproc.SharedMemory;

import java.lang.foreign.ValueLayout;

/**
 * A program outside multiproc's packages, run with multiproc on the module path and itself on
 * the class path; its child records whether multiproc runs from a named module there too.
 */
public final class ModularProgram {
    public static void main(String[] args) throws Exception {
        try (SharedMemory shm = SharedMemory.attach(args[0])) {
            JvmProcess child = Multiproc.context().process(() -> {
                shm.segment().set(ValueLayout.JAVA_LONG, 0, Multiproc.class.getModule().isNamed() ? 1 : 2);
                shm.segment().set(ValueLayout.JAVA_LONG, 8, JvmProcess.current().pid().orElseThrow());
            });
            child.start();
            child.join();
            System.out.println((Multiproc.class.getModule().isNamed() ? "named" : "unnamed") + " " + child.exitCode().orElseThrow());
        }
    }
}
