package dev.multiproc.jfr;

import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;

/** What every multiproc event names: the shared object, and the process that recorded it (the event's own thread and time). */
public abstract class MultiprocEvent extends Event {
    @Label("Object")
    @Description("The shared object's name, as multiproc ls shows it")
    public String objectName;

    @Label("Kind")
    @Description("The object's kind: lock, rlock, semaphore, barrier, queue, pipe, map, list, pool, ...")
    public String objectKind;

    @Label("Process")
    @Description("The pid of the process that recorded the event")
    public long pid = ProcessHandle.current().pid();

    MultiprocEvent() {
    }
}
