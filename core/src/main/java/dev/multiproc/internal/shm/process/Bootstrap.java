package dev.multiproc.internal.shm.process;

import dev.multiproc.internal.shm.ProtocolFailures;
import dev.multiproc.internal.shm.wait.WaitPolicy;
import dev.multiproc.internal.shm.header.ObjectHeader;
import dev.multiproc.internal.shm.header.ObjectHeaderLayout;
import dev.multiproc.internal.shm.wait.WaitPoint;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NativePlatform;
import dev.multiproc.spi.ProcessIdentity;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

import static dev.multiproc.internal.shm.Words.INT;
import static dev.multiproc.internal.shm.Words.LONG;
import static dev.multiproc.internal.shm.process.BootstrapLayout.*;

/**
 * One process bootstrap (see {@link BootstrapLayout}). The parent writes the target and its
 * details, then sets {@code state = TARGET_READY} with release semantics and wakes the child;
 * the child reads {@code state} with acquire semantics, so it sees everything written before.
 * A spare JVM sleeps on the wait point until that state change (or {@code RETIRED}).
 */
public final class Bootstrap {
    private final String objectName;
    private final MemorySegment body;
    private final WaitPoint waitPoint;

    public Bootstrap(NativePlatform platform, MappedRegion region) {
        this.objectName = region.name();
        this.body = ObjectHeader.body(region);
        this.waitPoint = new WaitPoint(platform, region, ObjectHeaderLayout.LENGTH + WAIT_POINT_OFFSET);
    }

    /** Parent: records who the parent is and how much payload fits; before the header is published. */
    public void initialise(ProcessIdentity parent, String parentName, long payloadCapacity, int state) {
        LONG.set(body, PARENT_PID_OFFSET, parent.pid());
        LONG.set(body, PARENT_START_TIME_OFFSET, parent.startTime());
        writeName(PARENT_NAME_LENGTH_OFFSET, PARENT_NAME_OFFSET, parentName);
        LONG.set(body, PAYLOAD_CAPACITY_OFFSET, payloadCapacity);
        INT.set(body, STATE_OFFSET, state);
    }

    /** Whether a serialised target of {@code length} bytes fits. */
    public boolean fits(long length) {
        return length <= (long) LONG.get(body, PAYLOAD_CAPACITY_OFFSET);
    }

    /** Parent: writes the target and the process's name and daemon flag, then lets the child run it. */
    public void handOff(String name, boolean daemon, byte[] payload) {
        writeName(NAME_LENGTH_OFFSET, NAME_OFFSET, name);
        INT.set(body, DAEMON_OFFSET, daemon ? 1 : 0);
        MemorySegment.copy(payload, 0, body, ValueLayout.JAVA_BYTE, PAYLOAD_OFFSET, payload.length);
        LONG.set(body, PAYLOAD_LENGTH_OFFSET, (long) payload.length);
        INT.setRelease(body, STATE_OFFSET, STATE_TARGET_READY);
        waitPoint.wakeAll();
    }

    /** Parent: tells a spare that no target will come. */
    public void retire() {
        INT.setRelease(body, STATE_OFFSET, STATE_RETIRED);
        waitPoint.wakeAll();
    }

    /** Spare child: announces that it has booted and waits for a target. */
    public void markSpareReady() {
        INT.setRelease(body, SPARE_READY_OFFSET, 1);
    }

    /** Parent: whether the spare has booted. */
    public boolean isSpareReady() {
        return (int) INT.getAcquire(body, SPARE_READY_OFFSET) == 1;
    }

    /** Child: waits until the state leaves {@code SPARE}, and returns the new state. */
    public int awaitTarget() throws InterruptedException {
        waitPoint.await(() -> state() != STATE_SPARE, -1, WaitPolicy.SLEEP, WaitPoint.NO_CHECK);
        return state();
    }

    public int state() {
        return (int) INT.getAcquire(body, STATE_OFFSET);
    }

    /** Child: records that the target runs. */
    public void markRunning() {
        INT.setRelease(body, STATE_OFFSET, STATE_RUNNING);
    }

    public ProcessIdentity parent() {
        return new ProcessIdentity((long) LONG.get(body, PARENT_PID_OFFSET), (long) LONG.get(body, PARENT_START_TIME_OFFSET));
    }

    /** The name the parent gave the child. */
    public String name() {
        return readName(NAME_LENGTH_OFFSET, NAME_OFFSET);
    }

    /** The parent's own name for itself ({@code JvmProcess.current().name()} in the parent). */
    public String parentName() {
        return readName(PARENT_NAME_LENGTH_OFFSET, PARENT_NAME_OFFSET);
    }

    /** A name cut to whole characters within {@link BootstrapLayout#NAME_CAPACITY} bytes. */
    private void writeName(long lengthOffset, long offset, String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        int length = bytes.length;
        if (length > NAME_CAPACITY) {
            length = NAME_CAPACITY;
            while ((bytes[length] & 0xC0) == 0x80) {
                length--;
            }
        }
        MemorySegment.copy(bytes, 0, body, ValueLayout.JAVA_BYTE, offset, length);
        INT.set(body, lengthOffset, length);
    }

    private String readName(long lengthOffset, long offset) {
        int length = (int) INT.get(body, lengthOffset);
        if (length < 0 || length > NAME_CAPACITY) {
            throw ProtocolFailures.corrupt(objectName, "name length at " + lengthOffset, length, "it must be 0 to " + NAME_CAPACITY);
        }
        return new String(body.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    public boolean daemon() {
        return (int) INT.get(body, DAEMON_OFFSET) != 0;
    }

    public byte[] payload() {
        long length = (long) LONG.get(body, PAYLOAD_LENGTH_OFFSET);
        long capacity = (long) LONG.get(body, PAYLOAD_CAPACITY_OFFSET);
        // capacity is compared with the room left, not added to the offset: a huge one would overflow the sum
        if (length < 0 || length > capacity || capacity > body.byteSize() - PAYLOAD_OFFSET) {
            throw ProtocolFailures.corrupt(objectName, "payload length", length, "it must be 0 to the payload capacity "
                    + capacity + ", within the object's " + body.byteSize() + " bytes");
        }
        return body.asSlice(PAYLOAD_OFFSET, length).toArray(ValueLayout.JAVA_BYTE);
    }
}
