package dev.multiproc.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** A name removed from the system by garbage collection: its creator had ended and nobody used it. */
@Name(RemovedEvent.NAME)
@Label("Shared object collected")
@Category("multiproc")
@Description("Garbage collection removed a shared object's name that ended processes left and nobody uses")
public final class RemovedEvent extends MultiprocEvent {
    public static final String NAME = "dev.multiproc.Removed";

    private RemovedEvent() {
    }

    public static void record(String objectName) {
        RemovedEvent event = new RemovedEvent();
        if (event.shouldCommit()) {
            event.objectName = objectName;
            event.objectKind = "shared object";
            event.commit();
        }
    }
}
