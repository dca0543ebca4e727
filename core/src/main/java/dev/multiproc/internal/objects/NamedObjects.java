package dev.multiproc.internal.objects;

import dev.multiproc.IncompatibleSharedObjectException;
import dev.multiproc.Multiproc;
import dev.multiproc.SharedObjectExistsException;
import dev.multiproc.SharedObjectNotFoundException;
import dev.multiproc.internal.admin.ObjectNames;
import dev.multiproc.internal.shm.header.ObjectHeader;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NativePlatform;

import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-or-create of named objects ({@code mp.openQueue("orders", ...)}): whoever comes first
 * makes the object, everyone else attaches to it, and a kind or shape that does not fit is
 * refused with both named. Atomic: the name is created exclusively ({@code O_CREAT|O_EXCL}), so
 * of processes opening it at once exactly one creates it; the others wait (bounded) for the
 * creator to publish it. A creator that died before publishing leaves an abandoned object: it is
 * removed when nobody has it mapped, atomically with respect to openers, and made again.
 *
 * <p>Named objects belong to no context: neither closing the creator's handle or context nor
 * garbage collection removes them; {@link Multiproc#unlink} does.
 */
public final class NamedObjects {
    /** How long opening keeps trying while creators die under it or the name is removed and made again. */
    private static final long OPEN_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private NamedObjects() {
    }

    /**
     * An attachment of the named object {@code name} as {@code blueprint} describes it: a new one if
     * there is none, else the existing one.
     *
     * @throws IllegalArgumentException          if the name breaks the rule for chosen names
     * @throws IncompatibleSharedObjectException naming both, if an object of another kind or shape has the name
     */
    public static Attachment openOrCreate(NativePlatform platform, String name, Blueprint blueprint) {
        String osName = ObjectNames.named(name);
        long start = System.nanoTime();
        for (int attempt = 0; ; attempt++) {
            Attachment created = tryCreate(platform, osName, blueprint);
            if (created != null) {
                return created;
            }
            try {
                return attachExisting(platform, name, osName, blueprint);
            } catch (SharedObjectNotFoundException removedMeanwhile) {
                // unlinked between our attempt to create it and our attempt to open it: create it again
            } catch (ApiFailures.Abandoned abandoned) {
                // its creator died before publishing it: once nobody maps it, it goes, and the next attempt makes it anew
                platform.unlinkRegionIfUnused(osName);
                if (System.nanoTime() - start > OPEN_TIMEOUT_NANOS) {
                    throw abandoned;
                }
                LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(Math.min(MAX_BACKOFF_NANOS, 100_000L << Math.min(attempt, 10))));
            }
        }
    }

    /** A new published object under {@code osName}, or null if the name exists. */
    private static Attachment tryCreate(NativePlatform platform, String osName, Blueprint blueprint) {
        MappedRegion region;
        try {
            region = ObjectHeader.create(platform, osName, blueprint.kind(), blueprint.bodySize());
        } catch (SharedObjectExistsException exists) {
            return null;
        }
        return blueprint.publish(platform, region);
    }

    private static Attachment attachExisting(NativePlatform platform, String name, String osName, Blueprint blueprint) {
        Attachment attachment = Attachment.open(platform, osName, blueprint.kind());
        try {
            Optional<String> mismatch = blueprint.mismatch(attachment.region);
            if (mismatch.isPresent()) {
                throw new IncompatibleSharedObjectException(osName, "'" + name + "' cannot be opened as " + blueprint.shape()
                        + ": " + mismatch.get());
            }
            return attachment;
        } catch (RuntimeException e) {
            attachment.release();
            throw e;
        }
    }
}
