package dev.multiproc.jfr;

import jdk.jfr.FlightRecorder;

/**
 * Whether multiproc's own code may touch its event classes: only once this JVM's Flight Recorder
 * has started (a recording from the command line, {@code jcmd}, JMC or {@code jdk.jfr.Recording}).
 * Before that no recording can take an event, and touching an event class costs what registering
 * it costs: the first registration in a JVM sets up JFR's metadata, 180–190 ms of CPU in a fresh
 * JVM on a 2-core machine here — more than that JVM's whole start — which every program paid at
 * its first wait and every cold child before its first task. A recording started later takes the
 * events that happen from then on.
 */
public final class EventGate {
    private EventGate() {
    }

    /** Whether this JVM's Flight Recorder has started (once it has, it stays so). */
    public static boolean open() {
        return FlightRecorder.isInitialized();
    }

    /** Runs {@code recording} (which records one of the events) if the Flight Recorder has started. */
    public static void record(Runnable recording) {
        if (open()) {
            recording.run();
        }
    }

    /** A wait's event, begun now, if a recording takes these events; else null. */
    public static WaitEvent beginWait() {
        return open() ? WaitEvent.beginIfRecorded() : null;
    }

    /** Ends a wait that {@link #beginWait()} began (null: none was) and records it if it lasted long enough. */
    public static void endWait(WaitEvent wait, String objectName, String objectKind, String waitingFor) {
        if (wait != null) {
            wait.end(objectName, objectKind, waitingFor);
        }
    }
}
