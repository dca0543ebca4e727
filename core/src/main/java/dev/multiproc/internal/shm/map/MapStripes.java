package dev.multiproc.internal.shm.map;

import dev.multiproc.internal.shm.ProtocolFailures;
import dev.multiproc.internal.shm.header.ObjectHeader;
import dev.multiproc.internal.shm.header.ObjectHeaderLayout;
import dev.multiproc.internal.shm.wait.Waiters;
import dev.multiproc.spi.Liveness;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NativePlatform;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static dev.multiproc.internal.shm.Words.INT;
import static dev.multiproc.internal.shm.Words.LONG;

/**
 * The shape of a map body (written once by its creator, before the header is published, and
 * read plainly afterwards) and its stripes, opened over the region.
 *
 * @param stripes          the stripes, in hash order
 * @param entriesPerStripe the most entries one stripe holds
 * @param maxEntries       the entries the map was made for
 * @param recordBytes      bytes of one half's record area, per stripe
 */
public record MapStripes(MapStripe[] stripes, int entriesPerStripe, long maxEntries, long recordBytes) implements Waiters {
    /** Readings of the versions that {@link #entriesAtOneMoment} tries before it locks the stripes. */
    private static final int COUNT_SNAPSHOT_ATTEMPTS = 64;

    /** Creator: writes the shape; before the header is published. */
    public static void initialise(MappedRegion region, int stripes, int entriesPerStripe, int bucketsPerStripe, long recordBytes,
                                  long maxEntries) {
        MemorySegment body = region.segment().asSlice(ObjectHeaderLayout.LENGTH);
        INT.set(body, MapLayout.STRIPES_OFFSET, stripes);
        INT.set(body, MapLayout.ENTRIES_PER_STRIPE_OFFSET, entriesPerStripe);
        INT.set(body, MapLayout.BUCKETS_OFFSET_FIELD, bucketsPerStripe);
        LONG.set(body, MapLayout.RECORD_BYTES_OFFSET, recordBytes);
        LONG.set(body, MapLayout.MAX_ENTRIES_OFFSET, maxEntries);
    }

    /**
     * Opens the stripes of a published map body, its shape checked against the object.
     *
     * @throws RuntimeException from {@link dev.multiproc.internal.shm.ProtocolFailures#corrupt} if the shape is not one a map can have, or does not fit the object
     */
    public static MapStripes open(NativePlatform platform, MappedRegion region) {
        MemorySegment body = ObjectHeader.body(region);
        String name = region.name();
        if (body.byteSize() < MapLayout.STRIPES_START) {
            throw ProtocolFailures.corrupt(name, "size", body.byteSize(), "a map needs at least " + MapLayout.STRIPES_START + " bytes");
        }
        int count = (int) INT.get(body, MapLayout.STRIPES_OFFSET);
        int entriesPerStripe = (int) INT.get(body, MapLayout.ENTRIES_PER_STRIPE_OFFSET);
        int buckets = (int) INT.get(body, MapLayout.BUCKETS_OFFSET_FIELD);
        long recordBytes = (long) LONG.get(body, MapLayout.RECORD_BYTES_OFFSET);
        long maxEntries = (long) LONG.get(body, MapLayout.MAX_ENTRIES_OFFSET);
        if (count <= 0 || Integer.bitCount(count) != 1) {
            throw ProtocolFailures.corrupt(name, "stripe count", count, "it must be a power of two");
        }
        if (buckets <= 0 || Integer.bitCount(buckets) != 1 || buckets > MapLayout.MAX_BUCKETS) {
            throw ProtocolFailures.corrupt(name, "buckets per stripe", buckets, "it must be a power of two up to " + MapLayout.MAX_BUCKETS);
        }
        if (recordBytes < 0 || recordBytes > body.byteSize() || recordBytes % MapLayout.RECORD_ALIGNMENT != 0) {
            throw ProtocolFailures.corrupt(name, "record bytes per half", recordBytes,
                    "it must be a non-negative multiple of " + MapLayout.RECORD_ALIGNMENT);
        }
        if (entriesPerStripe < 0 || entriesPerStripe > buckets || maxEntries < 0) {
            throw ProtocolFailures.corrupt(name, "entries per stripe", entriesPerStripe,
                    "it must be 0 to the " + buckets + " buckets of a stripe (and the map's entries not negative)");
        }
        long stripeLength = MapLayout.stripeLength(buckets, recordBytes);
        if (stripeLength > (body.byteSize() - MapLayout.STRIPES_START) / count) {
            throw ProtocolFailures.corrupt(name, "stripe count", count, count + " stripes of " + stripeLength
                    + " bytes do not fit the object's " + body.byteSize() + " bytes");
        }
        MapStripe[] stripes = new MapStripe[count];
        for (int i = 0; i < count; i++) {
            stripes[i] = new MapStripe(platform, region, ObjectHeaderLayout.LENGTH + MapLayout.STRIPES_START + i * stripeLength,
                    buckets, recordBytes, entriesPerStripe);
        }
        return new MapStripes(stripes, entriesPerStripe, maxEntries, recordBytes);
    }

    /** Wakes the processes waiting for any stripe's lock, so that they look again. */
    @Override
    public void wakeAll() {
        for (MapStripe stripe : stripes) {
            stripe.wakeAll();
        }
    }

    /** Threads of all processes waiting for a stripe's lock now. */
    @Override
    public int sleepers() {
        int sleepers = 0;
        for (MapStripe stripe : stripes) {
            sleepers += stripe.sleepers();
        }
        return sleepers;
    }

    /** Stripes whose lock a process that died holds (the next writer repairs each). */
    public long stripesWithDeadWriter(Liveness liveness) {
        return Arrays.stream(stripes).filter(s -> s.owner() != 0 && !liveness.isAlive(s.owner())).count();
    }

    /**
     * Entries at one moment: every stripe's count read between two equal, even readings of their
     * versions (no write under way or in between); if writers keep changing the stripes, or one
     * died writing, they are locked (which repairs a dead writer's) and counted under the locks.
     */
    public int entriesAtOneMoment(long token, long threadId) {
        long[] versions = new long[stripes.length];
        for (int attempt = 0; attempt < COUNT_SNAPSHOT_ATTEMPTS; attempt++) {
            boolean quiet = true;
            for (int i = 0; i < stripes.length; i++) {
                versions[i] = stripes[i].version();
                quiet &= (versions[i] & 1) == 0;
            }
            long total = entriesNow();
            for (int i = 0; quiet && i < stripes.length; i++) {
                quiet = stripes[i].version() == versions[i];
            }
            if (quiet) {
                return (int) Math.min(Integer.MAX_VALUE, total);
            }
            Thread.onSpinWait();
        }
        for (MapStripe stripe : stripes) {
            stripe.lock(token, threadId);
        }
        try {
            return (int) Math.min(Integer.MAX_VALUE, entriesNow());
        } finally {
            for (MapStripe stripe : stripes) {
                stripe.unlock();
            }
        }
    }

    /** Entries now, summed stripe by stripe (not one moment: for listings). */
    public long entriesNow() {
        long entries = 0;
        for (MapStripe stripe : stripes) {
            entries += stripe.count();
        }
        return entries;
    }

    /** Record bytes in use now (live records and space not yet compacted), summed stripe by stripe. */
    public long recordBytesUsedNow() {
        long bytes = 0;
        for (MapStripe stripe : stripes) {
            bytes += stripe.recordBytesUsed();
        }
        return bytes;
    }
}
