package dev.multiproc.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * A queue slot a dead process left half-used, settled by this one: skipped (its producer died
 * before publishing; nothing committed was lost), its message delivered again (its consumer died
 * reading it), or given back with its message lost (its consumer died reading a message already
 * delivered again {@code MAX_REDELIVERIES} times, or one it had read whole).
 */
@Name(QueueSlotRecoveredEvent.NAME)
@Label("Queue slot recovered from a death")
@Category("multiproc")
@Description("A producer died before publishing (slot skipped) or a consumer died reading (message delivered again, or lost)")
public final class QueueSlotRecoveredEvent extends MultiprocEvent {
    public static final String NAME = "dev.multiproc.QueueSlotRecovered";

    @Label("Position")
    public long position;

    @Label("Message lost")
    @Description("True if a consumer died reading the message and it is not delivered again")
    public boolean messageLost;

    @Label("Redelivered")
    @Description("True if a consumer died reading the message and it is delivered again")
    public boolean redelivered;

    private QueueSlotRecoveredEvent() {
    }

    public static void record(String objectName, long position, boolean messageLost, boolean redelivered) {
        QueueSlotRecoveredEvent event = new QueueSlotRecoveredEvent();
        if (event.shouldCommit()) {
            event.objectName = objectName;
            event.objectKind = "queue";
            event.position = position;
            event.messageLost = messageLost;
            event.redelivered = redelivered;
            event.commit();
        }
    }
}
