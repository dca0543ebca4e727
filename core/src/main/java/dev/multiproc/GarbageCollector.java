package dev.multiproc;

import dev.multiproc.shm.header.ObjectHeader;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NativePlatform;
import dev.multiproc.spi.ProcessIdentity;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Removes what crashed processes left behind. Every generated name carries its context id, and
 * each context's marker object records the process that created the context; a context's
 * marker is created before any of its objects and removed after all of them. So:
 *
 * <ul>
 *   <li>marker present, creator alive (or still writing the marker): leave the context alone;</li>
 *   <li>marker present, creator dead: remove every name of the context, the marker last;</li>
 *   <li>marker absent: the context ended without finishing its clean-up; remove its names.</li>
 * </ul>
 *
 * Names that do not start with {@code mp-} are never touched.
 */
final class GarbageCollector {

    /** One name found, with whether it is a semaphore (removed with a different call). */
    record Leftover(String name, boolean semaphore) {
    }

    private GarbageCollector() {
    }

    /** The names of contexts whose creator is dead, without removing anything. */
    static List<Leftover> findLeftovers(NativePlatform platform) {
        Map<String, List<Leftover>> byContext = new TreeMap<>();
        for (String name : platform.listRegions(ObjectNames.PREFIX)) {
            ObjectNames.contextIdOf(name).ifPresent(id -> byContext.computeIfAbsent(id, k -> new ArrayList<>())
                    .add(new Leftover(name, false)));
        }
        for (String name : platform.listSemaphores(ObjectNames.PREFIX)) {
            ObjectNames.contextIdOf(name).ifPresent(id -> byContext.computeIfAbsent(id, k -> new ArrayList<>())
                    .add(new Leftover(name, true)));
        }
        List<Leftover> leftovers = new ArrayList<>();
        byContext.forEach((contextId, names) -> {
            if (!contextIsLive(platform, contextId)) {
                names.sort((a, b) -> Boolean.compare(ObjectNames.isMarker(a.name()), ObjectNames.isMarker(b.name())));
                leftovers.addAll(names);
            }
        });
        return leftovers;
    }

    /** Removes the leftovers of dead contexts; returns the names removed. */
    static List<String> collect(NativePlatform platform, boolean dryRun) {
        List<String> removed = new ArrayList<>();
        for (Leftover leftover : findLeftovers(platform)) {
            boolean gone = dryRun || (leftover.semaphore()
                    ? platform.unlinkSemaphore(leftover.name())
                    : platform.unlinkRegion(leftover.name()));
            if (gone) {
                removed.add(leftover.name());
            }
        }
        return removed;
    }

    private static boolean contextIsLive(NativePlatform platform, String contextId) {
        MappedRegion marker;
        try {
            marker = platform.openRegion(ObjectNames.marker(contextId));
        } catch (SharedObjectNotFoundException gone) {
            return false;
        }
        try {
            Optional<ProcessIdentity> creator = ObjectHeader.creatorOf(marker);
            // a marker still being written belongs to a process that is starting: alive
            return creator.isEmpty() || platform.isAlive(creator.get());
        } finally {
            marker.close();
        }
    }
}
