package dev.multiproc.internal.shm.map;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The hash of an encoded key: computed from its bytes alone, so that every process, whatever
 * its JVM, finds a key in the same stripe and bucket. Eight bytes at a time, multiplied and
 * rotated, finished with the murmur3 mixer.
 */
public final class KeyHash {
    private static final long MULTIPLIER = 0x9E37_79B9_7F4A_7C15L;
    /** Eight bytes of a key in the machine's order, as shared memory reads them. */
    static final VarHandle LONG_IN_KEY = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private KeyHash() {
    }

    public static long of(byte[] key) {
        int length = key.length;
        long hash = length * MULTIPLIER;
        int offset = 0;
        for (; offset + Long.BYTES <= length; offset += Long.BYTES) {
            hash = Long.rotateLeft((hash ^ (long) LONG_IN_KEY.get(key, offset)) * MULTIPLIER, 29);
        }
        long tail = 0;
        for (int shift = 0; offset < length; offset++, shift += 8) {
            tail |= (key[offset] & 0xFFL) << shift;
        }
        hash = Long.rotateLeft((hash ^ tail) * MULTIPLIER, 29);
        hash ^= hash >>> 33;
        hash *= 0xFF51_AFD7_ED55_8CCDL;
        hash ^= hash >>> 33;
        hash *= 0xC4CE_B9FE_1A85_EC53L;
        return hash ^ (hash >>> 33);
    }
}
