package dev.multiproc.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** A connection's other end ended because the process holding it died: the receiver reads end of file. */
@Name(PeerDiedEvent.NAME)
@Label("Pipe peer died")
@Category("multiproc")
@Description("The process at the other end of a pipe died without closing it; this end reads end of file")
public final class PeerDiedEvent extends MultiprocEvent {
    public static final String NAME = "dev.multiproc.PipePeerDied";

    @Label("Peer end")
    @Description("The pipe end (0 or 1) whose holder died")
    public int peerEnd;

    private PeerDiedEvent() {
    }

    public static void record(String objectName, int peerEnd) {
        PeerDiedEvent event = new PeerDiedEvent();
        if (event.shouldCommit()) {
            event.objectName = objectName;
            event.objectKind = "pipe";
            event.peerEnd = peerEnd;
            event.commit();
        }
    }
}
