package dev.multiproc.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * A queue slot a dead process left half-used, settled by this one: skipped (its producer died
 * before publishing; nothing committed was lost) or given back (its consumer died reading it;
 * that message is lost).
 */
@Name(QueueSlotRecoveredEvent.NAME)
@Label("Queue slot recovered from a death")
@Category("multiproc")
@Description("A producer died before publishing (slot skipped) or a consumer died reading (message lost)")
public final class QueueSlotRecoveredEvent extends MultiprocEvent {
    public static final String NAME = "dev.multiproc.QueueSlotRecovered";

    @Label("Position")
    public long position;

    @Label("Message lost")
    @Description("True if a consumer died reading the message (it is lost); false if a producer died before publishing")
    public boolean messageLost;

    private QueueSlotRecoveredEvent() {
    }

    public static void record(String objectName, long position, boolean messageLost) {
        QueueSlotRecoveredEvent event = new QueueSlotRecoveredEvent();
        if (event.shouldCommit()) {
            event.objectName = objectName;
            event.objectKind = "queue";
            event.position = position;
            event.messageLost = messageLost;
            event.commit();
        }
    }
}
