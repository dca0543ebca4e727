/**
 * JDK Flight Recorder events for what an operator needs to know after the fact: an object taken
 * over from a process that died, a barrier broken by a death, a queue slot skipped or a message
 * lost with a dead process, a pipe peer that died, a pool worker that died, a long wait, a spill,
 * a removal by garbage collection. Each carries the shared object's name and the processes
 * involved. The rare ones are on by default and cost nothing until they happen; waits are
 * recorded only above a threshold (20 ms unless a recording's settings say otherwise). multiproc
 * touches no event class until a recording has started in the JVM ({@link dev.multiproc.jfr.EventGate}).
 *
 * <p>Record them with {@code -XX:StartFlightRecording:filename=rec.jfr} and read them with
 * {@code jfr print --events dev.multiproc.* rec.jfr}, or stream them in process with
 * {@code jdk.jfr.consumer.RecordingStream}. The event names (the {@code NAME} constants) and
 * field names are part of the API.
 */
package dev.multiproc.jfr;
