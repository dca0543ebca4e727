package dev.multiproc.shm.map;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The hash of an encoded key: computed from its bytes alone, so that every process, whatever
 * its JVM, finds a key in the same stripe and bucket. Eight bytes at a time, multiplied and
 * rotated, finished with the murmur3 mixer.
 */
public final class KeyHash {
    private static final long MULTIPLIER = 0x9E37_79B9_7F4A_7C15L;

    private KeyHash() {
    }

    public static long of(MemorySegment key) {
        long length = key.byteSize();
        long hash = length * MULTIPLIER;
        long offset = 0;
        for (; offset + Long.BYTES <= length; offset += Long.BYTES) {
            hash = Long.rotateLeft((hash ^ key.get(ValueLayout.JAVA_LONG_UNALIGNED, offset)) * MULTIPLIER, 29);
        }
        long tail = 0;
        for (int shift = 0; offset < length; offset++, shift += 8) {
            tail |= (key.get(ValueLayout.JAVA_BYTE, offset) & 0xFFL) << shift;
        }
        hash = Long.rotateLeft((hash ^ tail) * MULTIPLIER, 29);
        hash ^= hash >>> 33;
        hash *= 0xFF51_AFD7_ED55_8CCDL;
        hash ^= hash >>> 33;
        hash *= 0xC4CE_B9FE_1A85_EC53L;
        return hash ^ (hash >>> 33);
    }
}
