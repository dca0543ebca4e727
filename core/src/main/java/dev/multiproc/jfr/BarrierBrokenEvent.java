package dev.multiproc.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** A barrier broken because a party that had arrived died. */
@Name(BarrierBrokenEvent.NAME)
@Label("Barrier broken by a death")
@Category("multiproc")
@Description("A party of the barrier died; the waiting parties get BrokenBarrierException")
public final class BarrierBrokenEvent extends MultiprocEvent {
    public static final String NAME = "dev.multiproc.BarrierBroken";

    @Label("Dead process")
    public String deadProcess;

    private BarrierBrokenEvent() {
    }

    public static void record(String objectName, String deadProcess) {
        BarrierBrokenEvent event = new BarrierBrokenEvent();
        if (event.shouldCommit()) {
            event.objectName = objectName;
            event.objectKind = "barrier";
            event.deadProcess = deadProcess;
            event.commit();
        }
    }
}
