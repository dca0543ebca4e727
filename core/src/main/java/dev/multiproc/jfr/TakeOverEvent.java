package dev.multiproc.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** A lock, semaphore, map or list taken over from a process that died holding it. */
@Name(TakeOverEvent.NAME)
@Label("Taken over from a dead process")
@Category("multiproc")
@Description("A process died holding a shared object; this process took it over (the data it guards may be half-updated)")
public final class TakeOverEvent extends MultiprocEvent {
    public static final String NAME = "dev.multiproc.TakeOver";

    @Label("Dead process")
    @Description("The process that died holding it, as the liveness registry describes it")
    public String deadProcess;

    @Label("Recovered")
    @Description("Permits given back (a semaphore), or 1 (a lock, map stripe or list)")
    public long recovered;

    /** Records that this process took {@code objectName} over from {@code deadProcess}. */
    private TakeOverEvent() {
    }

    public static void record(String objectName, String objectKind, String deadProcess, long recovered) {
        TakeOverEvent event = new TakeOverEvent();
        if (event.shouldCommit()) {
            event.objectName = objectName;
            event.objectKind = objectKind;
            event.deadProcess = deadProcess;
            event.recovered = recovered;
            event.commit();
        }
    }
}
