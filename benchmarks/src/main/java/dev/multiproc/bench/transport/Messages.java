package dev.multiproc.bench.transport;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** The bench's 8-byte message header: a timestamp or the stop mark. */
public final class Messages {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** Ends a step: the sender has sent its last message. */
    public static final long STOP = -1;

    private Messages() {
    }

    public static void stamp(byte[] message, long value) {
        LONG.set(message, 0, value);
    }

    public static long stampOf(byte[] message) {
        return (long) LONG.get(message, 0);
    }
}
