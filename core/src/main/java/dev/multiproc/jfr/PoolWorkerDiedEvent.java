package dev.multiproc.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** A pool worker JVM that ended without being asked to, with what it cost. */
@Name(PoolWorkerDiedEvent.NAME)
@Label("Pool worker died")
@Category("multiproc")
@Description("A process pool's worker ended unasked: the tasks it had started fail with WorkerDiedException, the rest go to its replacement")
public final class PoolWorkerDiedEvent extends MultiprocEvent {
    public static final String NAME = "dev.multiproc.PoolWorkerDied";

    @Label("Worker pid")
    public long workerPid;

    @Label("Exit code")
    public int exitCode;

    @Label("Tasks failed")
    @Description("Tasks the worker had started: they fail with WorkerDiedException")
    public int tasksFailed;

    @Label("Tasks requeued")
    @Description("Tasks sent to the worker that it had not started: they go to another worker")
    public int tasksRequeued;

    private PoolWorkerDiedEvent() {
    }

    public static void record(String workerName, long workerPid, int exitCode, int tasksFailed, int tasksRequeued) {
        PoolWorkerDiedEvent event = new PoolWorkerDiedEvent();
        if (event.shouldCommit()) {
            event.objectName = workerName;
            event.objectKind = "pool worker";
            event.workerPid = workerPid;
            event.exitCode = exitCode;
            event.tasksFailed = tasksFailed;
            event.tasksRequeued = tasksRequeued;
            event.commit();
        }
    }
}
