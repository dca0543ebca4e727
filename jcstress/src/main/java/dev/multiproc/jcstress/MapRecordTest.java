package dev.multiproc.jcstress;

import dev.multiproc.internal.shm.map.KeyHash;
import dev.multiproc.internal.shm.map.MapLayout;
import dev.multiproc.internal.shm.map.MapStripe;
import dev.multiproc.internal.shm.map.MapStripes;
import dev.multiproc.spi.MappedRegion;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

import java.util.Arrays;

/**
 * A map reader never sees a torn record: while a writer replaces a key's value again and again
 * (under the stripe's lock, bumping the stripe's version around each change), a reader without
 * the lock (optimistic: version, read, version again) gets the old value or the new one, whole.
 * The value's length changes every second write: a value of the length before it is written over
 * the old one in place, the others go into new records. The stripe's record area holds only a
 * few records, so those writes compact it over and over: records move between the two halves,
 * and a reader that started in a half being rewritten must notice the version moved.
 */
@JCStressTest
@Outcome(id = "1", expect = Expect.ACCEPTABLE, desc = "the old value, whole")
@Outcome(id = "2", expect = Expect.ACCEPTABLE, desc = "the new value, whole")
@Outcome(id = "0", expect = Expect.FORBIDDEN, desc = "the key seemed absent while its value was replaced")
@Outcome(expect = Expect.FORBIDDEN, desc = "a torn value: bytes of both, or of neither")
@State
public class MapRecordTest {
    private static final int VALUE_BYTES = 40;
    /** The other length a value takes: in place after one of its length, a new record after one of the first. */
    private static final int LONGER_VALUE_BYTES = 48;
    /** Room for two or three records of the key and its value per half: every second or third new record compacts. */
    private static final int RECORD_BYTES = 192;
    private static final int WRITES = 12;
    private static final long WRITER = 1;
    private static final long READER = 2;

    private final MapStripe stripe;
    private final byte[] key = "the-key".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    private final long hash = KeyHash.of(key);

    public MapRecordTest() {
        MappedRegion region = HeapRegions.withBody(MapLayout.length(1, 16, RECORD_BYTES));
        MapStripes.initialise(region, 1, 8, 16, RECORD_BYTES, 8);
        this.stripe = MapStripes.open(HeapRegions.PLATFORM, region).stripes()[0];
        stripe.lock(WRITER, 1);
        stripe.put(hash, key, filled(1, VALUE_BYTES));
        stripe.unlock();
    }

    private static byte[] filled(int value, int length) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    @Actor
    public void writer() {
        for (int write = 0; write < WRITES; write++) {
            stripe.lock(WRITER, 1);
            stripe.put(hash, key, filled(2, write / 2 % 2 == 0 ? VALUE_BYTES : LONGER_VALUE_BYTES));
            stripe.unlock();
        }
    }

    @Actor
    public void reader(I_Result r) {
        byte[] value = stripe.get(hash, key, READER, 2);
        if (value == null) {
            r.r1 = 0;
            return;
        }
        int first = value[0];
        boolean whole = value.length == VALUE_BYTES || value.length == LONGER_VALUE_BYTES;
        for (byte b : value) {
            whole &= b == first;
        }
        r.r1 = whole ? first : -1;
    }
}
