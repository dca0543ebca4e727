package dev.multiproc.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Threshold;

/**
 * A thread that waited on a shared object longer than the threshold: for a lock, for room in a
 * queue, for a message. Begun only once a wait is needed (an uncontended call records nothing);
 * the threshold is a setting of the recording ({@code dev.multiproc.Wait#threshold}).
 */
@Name(WaitEvent.NAME)
@Label("Wait on a shared object")
@Category("multiproc")
@Description("A wait for a lock, for room in a queue, or for a message that lasted longer than the threshold")
@Threshold("20 ms")
public final class WaitEvent extends MultiprocEvent {
    public static final String NAME = "dev.multiproc.Wait";

    @Label("Waiting for")
    public String waitingFor;

    /** Asked whether a recording takes these events now; never committed. */
    private static final WaitEvent ENABLED_PROBE = new WaitEvent();

    /** An event to {@link #begin()} where a wait starts and {@link #end(String, String, String)} where it ends. */
    public WaitEvent() {
    }

    /**
     * A wait's event, begun now, if a recording takes these events; else null, so that the waits
     * nobody records (spinning hand-offs of a few hundred nanoseconds among them) allocate nothing.
     * A recording that starts during a wait does not see that wait.
     */
    public static WaitEvent beginIfRecorded() {
        if (!ENABLED_PROBE.isEnabled()) {
            return null;
        }
        WaitEvent wait = new WaitEvent();
        wait.begin();
        return wait;
    }

    /** Ends the wait that {@link #begin()} started and records it if it was long enough. */
    public void end(String objectName, String objectKind, String waitingFor) {
        end();
        if (shouldCommit()) {
            this.objectName = objectName;
            this.objectKind = objectKind;
            this.waitingFor = waitingFor;
            commit();
        }
    }
}
