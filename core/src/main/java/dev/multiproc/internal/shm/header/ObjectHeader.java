package dev.multiproc.internal.shm.header;

import dev.multiproc.internal.shm.ProtocolFailures;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NativePlatform;

import java.lang.foreign.MemorySegment;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static dev.multiproc.internal.shm.Words.INT;
import static dev.multiproc.internal.shm.Words.LONG;
import static dev.multiproc.internal.shm.header.ObjectHeaderLayout.*;

/**
 * Creates, publishes and validates the common header of {@link ObjectHeaderLayout}.
 *
 * <p>Creation maps a new object and writes every header field but the state; the caller then
 * writes its body and calls {@link #publish}. Opening maps the object, waits (bounded) for a
 * creator still initialising it, then checks magic, kind, version and size. Opening never
 * writes: a mismatch raises {@link ProtocolFailures#incompatible} and leaves memory as it was.
 */
public final class ObjectHeader {
    /** How long an opener waits for a live creator to finish initialising. */
    private static final long READY_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** A creator writes the magic microseconds after sizing the object; memory without it this long is foreign. */
    private static final long MAGIC_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long READY_POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

    private ObjectHeader() {
    }

    /** Maps a new object of {@code bodySize} bytes after the header, and writes its header (not yet ready). */
    public static MappedRegion create(NativePlatform platform, String name, ObjectKind kind, long bodySize) {
        if (bodySize < 0 || bodySize > Long.MAX_VALUE - LENGTH) {
            throw new IllegalArgumentException("size of '" + name + "' out of range: " + bodySize);
        }
        MappedRegion region = platform.createRegion(name, LENGTH + bodySize);
        try {
            MemorySegment segment = region.segment();
            INT.set(segment, VERSION_OFFSET, kind.layoutVersion());
            INT.set(segment, KIND_OFFSET, kind.code());
            LONG.set(segment, TOTAL_SIZE_OFFSET, segment.byteSize());
            LONG.set(segment, CREATOR_TOKEN_OFFSET, region.liveness().currentToken());
            LONG.set(segment, CREATOR_PID_OFFSET, ProcessHandle.current().pid());
            // the magic goes last: whoever sees it also sees the creator's identity complete
            LONG.setRelease(segment, MAGIC_OFFSET, MAGIC);
            return region;
        } catch (RuntimeException e) {
            region.close();
            platform.unlinkRegion(name);
            throw e;
        }
    }

    /**
     * Records the fingerprints of the codecs the object is made for (0: none), before
     * {@link #publish}; see {@link ObjectHeaderLayout#CODEC_OFFSET}.
     */
    public static void recordCodecs(MappedRegion region, long codec, long valueCodec) {
        LONG.set(region.segment(), CODEC_OFFSET, codec);
        LONG.set(region.segment(), VALUE_CODEC_OFFSET, valueCodec);
    }

    /** The codec fingerprints a published object records: messages, elements or keys first, then map values. */
    public static long[] codecsOf(MappedRegion region) {
        return new long[]{(long) LONG.get(region.segment(), CODEC_OFFSET), (long) LONG.get(region.segment(), VALUE_CODEC_OFFSET)};
    }

    /** Makes the object visible to openers: every write before this call happens-before their reads. */
    public static void publish(MappedRegion region) {
        INT.setRelease(region.segment(), STATE_OFFSET, STATE_READY);
    }

    /**
     * Records that the object's creator has let go of it: whoever stops using it last removes
     * its name ({@link #isRetired}). Volatile, so that a process detaching after this sees it.
     */
    public static void retire(MappedRegion region) {
        INT.setVolatile(region.segment(), STATE_OFFSET, STATE_RETIRED);
    }

    /** Whether the creator has let go of the object (its name goes with its last user). */
    public static boolean isRetired(MappedRegion region) {
        return region.size() >= LENGTH && (int) INT.getVolatile(region.segment(), STATE_OFFSET) == STATE_RETIRED;
    }

    /**
     * Maps the object {@code name} and checks that it is a ready {@code kind} of this build's
     * layout version.
     *
     * Failures are made by {@link ProtocolFailures}: the platform's not-found if there is no such
     * object; {@link ProtocolFailures#abandoned} if its creator died before finishing it, or it
     * has no header a second after it appeared; {@link ProtocolFailures#incompatible} on any
     * other mismatch.
     */
    public static MappedRegion open(NativePlatform platform, String name, ObjectKind kind) {
        long start = System.nanoTime();
        MappedRegion region = platform.openRegion(name);
        try {
            while (!isPublished(region)) {
                long waited = System.nanoTime() - start;
                if (region.size() > 0 && region.size() < LENGTH) {
                    throw incompatible(name, kind, "it is " + region.size() + " bytes, smaller than any multiproc object");
                }
                long creator = creatorOf(region);
                if (creator == 0 && region.size() > 0 && waited > MAGIC_TIMEOUT_NANOS) {
                    throw abandoned(name, kind, "it is not a multiproc object (no header)");
                }
                // an empty object's creator holds its attachment lock while it sizes it (a big one takes a while)
                if (region.size() == 0 && waited > MAGIC_TIMEOUT_NANOS && !platform.regionInUse(name)) {
                    throw abandoned(name, kind, "it has stayed empty since it was created: its creator died before sizing it");
                }
                if (creator != 0 && !region.liveness().isAlive(creator)) {
                    throw abandoned(name, kind, "its creator (" + region.liveness().describe(creator) + ") died before finishing it");
                }
                if (waited > READY_TIMEOUT_NANOS) {
                    throw incompatible(name, kind, "it was not ready within "
                            + TimeUnit.NANOSECONDS.toSeconds(READY_TIMEOUT_NANOS) + " s");
                }
                LockSupport.parkNanos(READY_POLL_NANOS);
                if (region.size() == 0) {
                    region.close();
                    region = platform.openRegion(name);
                }
            }
            check(region, kind);
            return region;
        } catch (RuntimeException e) {
            region.close();
            throw e;
        }
    }

    /** Whether the object's creator has published it (it may be retired since). */
    public static boolean isPublished(MappedRegion region) {
        return region.size() >= LENGTH && (int) INT.getAcquire(region.segment(), STATE_OFFSET) >= STATE_READY;
    }

    private static void check(MappedRegion region, ObjectKind expected) {
        MemorySegment segment = region.segment();
        String name = region.name();
        if ((long) LONG.get(segment, MAGIC_OFFSET) != MAGIC) {
            throw incompatible(name, expected, "it is not a multiproc object (no header)");
        }
        int kindCode = (int) INT.get(segment, KIND_OFFSET);
        if (kindCode != expected.code()) {
            ObjectKind actual = ObjectKind.ofCode(kindCode);
            throw incompatible(name, expected, "it is a " + (actual == null ? "kind unknown to this build (" + kindCode + ")" : actual.label()));
        }
        int version = (int) INT.get(segment, VERSION_OFFSET);
        if (version != expected.layoutVersion()) {
            throw incompatible(name, expected, "its layout version is " + version + " and this build reads version "
                    + expected.layoutVersion() + ": attach with the same multiproc version as its creator");
        }
        long declared = (long) LONG.get(segment, TOTAL_SIZE_OFFSET);
        // a mapping may be rounded up to whole pages (Windows), never down
        if (declared > segment.byteSize() || declared < LENGTH) {
            throw incompatible(name, expected, "its header declares " + declared + " bytes but it has " + segment.byteSize());
        }
    }

    private static RuntimeException incompatible(String name, ObjectKind expected, String why) {
        return ProtocolFailures.incompatible(name, "'" + name + "' cannot be opened as a " + expected.label() + ": " + why);
    }

    private static RuntimeException abandoned(String name, ObjectKind expected, String why) {
        return ProtocolFailures.abandoned(name, "'" + name + "' cannot be opened as a " + expected.label() + ": " + why);
    }

    /** The creator's liveness token recorded in a mapped header, or 0 if the header has not got that far. */
    public static long creatorOf(MappedRegion region) {
        MemorySegment segment = region.segment();
        if (segment.byteSize() < LENGTH || (long) LONG.getAcquire(segment, MAGIC_OFFSET) != MAGIC) {
            return 0;
        }
        return (long) LONG.get(segment, CREATOR_TOKEN_OFFSET);
    }

    /** The creator's pid (in its own PID namespace) recorded in a mapped header, or 0. */
    public static long creatorPidOf(MappedRegion region) {
        return creatorOf(region) == 0 ? 0 : (long) LONG.get(region.segment(), CREATOR_PID_OFFSET);
    }

    /** The kind recorded in a mapped header, if it has one this build knows. */
    public static Optional<ObjectKind> kindOf(MappedRegion region) {
        MemorySegment segment = region.segment();
        if (segment.byteSize() < LENGTH || (long) LONG.getAcquire(segment, MAGIC_OFFSET) != MAGIC) {
            return Optional.empty();
        }
        return Optional.ofNullable(ObjectKind.ofCode((int) INT.get(segment, KIND_OFFSET)));
    }

    /** The body: the bytes after the header, up to the size the header declares. */
    public static MemorySegment body(MappedRegion region) {
        MemorySegment segment = region.segment();
        return segment.asSlice(LENGTH, (long) LONG.get(segment, TOTAL_SIZE_OFFSET) - LENGTH);
    }

    /**
     * The first {@code length} bytes of the body, for kinds whose body has a fixed size.
     *
     * @throws RuntimeException from {@link dev.multiproc.internal.shm.ProtocolFailures#corrupt} if the object is smaller than its kind's body
     */
    public static MemorySegment body(MappedRegion region, long length) {
        MemorySegment body = body(region);
        if (body.byteSize() < length) {
            throw ProtocolFailures.corrupt(region.name(), "size", body.byteSize() + LENGTH, "its kind needs "
                    + (LENGTH + length) + " bytes");
        }
        return body.asSlice(0, length);
    }
}
