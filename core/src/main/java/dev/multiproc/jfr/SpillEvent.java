package dev.multiproc.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** A message too big for its queue's slots, written into a shared-memory object of its own. */
@Name(SpillEvent.NAME)
@Label("Queue message spilled")
@Category("multiproc")
@Description("A message bigger than the queue's slots went into its own shared-memory object (a system call or two more per message)")
public final class SpillEvent extends MultiprocEvent {
    public static final String NAME = "dev.multiproc.Spill";

    @Label("Size")
    @DataAmount
    public long bytes;

    @Label("Slot size")
    @DataAmount
    public long slotBytes;

    private SpillEvent() {
    }

    public static void record(String queueName, long bytes, long slotBytes) {
        SpillEvent event = new SpillEvent();
        if (event.shouldCommit()) {
            event.objectName = queueName;
            event.objectKind = "queue";
            event.bytes = bytes;
            event.slotBytes = slotBytes;
            event.commit();
        }
    }
}
