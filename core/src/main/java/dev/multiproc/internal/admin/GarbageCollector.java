package dev.multiproc.internal.admin;

import dev.multiproc.CorruptSharedObjectException;
import dev.multiproc.IncompatibleSharedObjectException;
import dev.multiproc.SharedObjectNotFoundException;
import dev.multiproc.internal.MultiprocLog;
import dev.multiproc.internal.shm.header.ObjectHeader;
import dev.multiproc.internal.shm.header.ObjectKind;
import dev.multiproc.internal.shm.listener.ListenerState;
import dev.multiproc.internal.shm.process.Bootstrap;
import dev.multiproc.internal.shm.process.BootstrapLayout;
import dev.multiproc.internal.shm.queue.QueueSlots;
import dev.multiproc.jfr.EventGate;
import dev.multiproc.jfr.RemovedEvent;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NativePlatform;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * Removes what ended processes left behind. Every generated name carries its context id, and
 * each context's marker object records the process that created the context (its liveness
 * token); a context's marker is created before any of its objects and removed after all of
 * them. So, per context:
 *
 * <ul>
 *   <li>marker present, creator alive (or still writing the marker): leave the context alone;</li>
 *   <li>marker present, creator dead, or marker absent (the context closed): remove every name of
 *       the context that no process uses any more — an object still mapped somewhere stays until
 *       its last user lets go — then the marker;</li>
 *   <li>a queue's spill objects stay as long as their queue does (another process may still read
 *       them), and go with it.</li>
 * </ul>
 *
 * Only this user's names starting with {@code mp-} are ever touched: another user's objects are
 * skipped (logged once at DEBUG), never opened, and never stop a collection.
 */
public final class GarbageCollector {
    private static final AtomicBoolean FOREIGN_LOGGED = new AtomicBoolean();
    /** Whether this JVM's one collection at start-up is taken (by its first context, or skipped by a child). */
    private static final AtomicBoolean STARTUP_COLLECTION_TAKEN = new AtomicBoolean();

    private GarbageCollector() {
    }

    /** Whether the caller, as this JVM's first context, should collect at start-up: true once per JVM. */
    public static boolean takeStartupCollection() {
        return STARTUP_COLLECTION_TAKEN.compareAndSet(false, true);
    }

    /**
     * Called by a child JVM before it makes anything: its parent collected garbage when it started,
     * so the child does not do it again on the core its target is about to need.
     */
    public static void skipStartupCollection() {
        STARTUP_COLLECTION_TAKEN.set(true);
    }

    /** Removes what ended contexts left and nobody uses (or, with {@code dryRun}, lists it); returns the names. */
    public static List<String> collect(NativePlatform platform, boolean dryRun) {
        Map<String, List<String>> byContext = new TreeMap<>();
        for (String name : ownNames(platform, platform.listRegions(ObjectNames.PREFIX))) {
            ObjectNames.contextIdOf(name).ifPresent(id -> byContext.computeIfAbsent(id, k -> new ArrayList<>()).add(name));
        }
        List<String> removed = new ArrayList<>();
        byContext.forEach((contextId, names) -> {
            if (!contextIsLive(platform, contextId)) {
                removed.addAll(collectContext(platform, contextId, names, dryRun));
            }
        });
        removed.addAll(collectNamed(platform, ownNames(platform, platform.listRegions(ObjectNames.NAMED_PREFIX)), dryRun));
        for (String name : ownNames(platform, platform.listSemaphores(ObjectNames.PREFIX))) {
            String contextId = ObjectNames.contextIdOf(name).orElse(null);
            if (contextId != null && !contextIsLive(platform, contextId) && (dryRun || platform.unlinkSemaphore(name))) {
                removed.add(name);
            }
        }
        if (!dryRun) {
            EventGate.record(() -> removed.forEach(RemovedEvent::record));
        }
        return removed;
    }

    /** The names of objects that belong to this process's user; others are passed over. */
    private static List<String> ownNames(NativePlatform platform, List<String> names) {
        List<String> own = new ArrayList<>(names.size());
        for (String name : names) {
            if (platform.foreignOwner(name).isPresent()) {
                if (FOREIGN_LOGGED.compareAndSet(false, true)) {
                    MultiprocLog.get().log(System.Logger.Level.DEBUG, "passing over shared objects of other users (the first: {0})", name);
                }
            } else {
                own.add(name);
            }
        }
        return own;
    }

    /**
     * How long a bootstrap object is spared after it was made: a child started cold maps it only
     * once its JVM is up, and until then nothing holds it — or the objects its target carries — in
     * use. A child that takes longer than this to start finds them gone, as it would if it had
     * never been started.
     */
    static final long CHILD_START_GRACE_MILLIS = 60_000;

    /**
     * Whether a child this ended context started may still need its objects: one of its bootstrap
     * objects is mapped (the child runs, and may still attach what its target carries), or holds a
     * target no child has taken yet and is young enough that its child may still be starting. Such
     * a context is left whole for now.
     */
    private static boolean childMayNeedIt(NativePlatform platform, String contextId, List<String> names) {
        String prefix = ObjectNames.generatedPrefix(contextId, ObjectKind.PROCESS);
        for (String name : names) {
            if (name.startsWith(prefix) && (platform.regionInUse(name) || awaitsItsChild(platform, name))) {
                return true;
            }
        }
        return false;
    }

    /** A bootstrap whose target is ready and not taken, made less than {@link #CHILD_START_GRACE_MILLIS} ago. */
    private static boolean awaitsItsChild(NativePlatform platform, String name) {
        return platform.regionAgeMillis(name).orElse(Long.MAX_VALUE) < CHILD_START_GRACE_MILLIS
                && holds(platform, name, ObjectKind.PROCESS,
                        region -> new Bootstrap(platform, region).state() == BootstrapLayout.STATE_TARGET_READY);
    }

    /**
     * Whether {@code name} is a published object of {@code kind} of which {@code test} holds;
     * false if it is gone, of another kind or version, or unreadable.
     */
    private static boolean holds(NativePlatform platform, String name, ObjectKind kind, Predicate<MappedRegion> test) {
        MappedRegion region;
        try {
            region = platform.openRegion(name);
        } catch (SharedObjectNotFoundException | IncompatibleSharedObjectException gone) {
            return false;
        }
        try {
            return ObjectHeader.kindOf(region).orElse(null) == kind && ObjectHeader.isPublished(region) && test.test(region);
        } catch (CorruptSharedObjectException unreadable) {
            return false;
        } finally {
            region.close();
        }
    }

    /** The unused objects of an ended context, then its spills whose queue is gone, then its marker. */
    private static List<String> collectContext(NativePlatform platform, String contextId, List<String> names, boolean dryRun) {
        if (childMayNeedIt(platform, contextId, names)) {
            return List.of();
        }
        String marker = ObjectNames.marker(contextId);
        List<String> removed = new ArrayList<>();
        List<String> spills = new ArrayList<>();
        Set<String> kept = new HashSet<>();
        for (String name : names) {
            if (name.equals(marker)) {
                continue;
            }
            if (isSpill(name, names)) {
                spills.add(name);
            } else if (dryRun ? !platform.regionInUse(name) : platform.unlinkRegionIfUnused(name)) {
                removed.add(name);
            } else {
                kept.add(name);
            }
        }
        for (String spill : spills) {
            boolean queueKept = kept.stream().anyMatch(queue -> QueueSlots.isSpillOf(queue, spill));
            if (!queueKept && (dryRun ? !platform.regionInUse(spill) : platform.unlinkRegionIfUnused(spill))) {
                removed.add(spill);
            }
        }
        if (names.contains(marker) && (dryRun || platform.unlinkRegion(marker))) {
            removed.add(marker);
        }
        return removed;
    }

    /**
     * Named objects stay until unlinked, but two kinds of them are leftovers: a spill whose named
     * queue has been unlinked, and a listener nobody listens on (closed, or its process died).
     * Each goes only if no process maps it.
     */
    private static List<String> collectNamed(NativePlatform platform, List<String> names, boolean dryRun) {
        Set<String> present = new HashSet<>(names);
        List<String> removed = new ArrayList<>();
        for (String name : names) {
            int separator = name.lastIndexOf(QueueSlots.SPILL_SEPARATOR);
            boolean leftover = separator > 0 && QueueSlots.isSpillOf(name.substring(0, separator), name)
                    ? !present.contains(name.substring(0, separator))
                    : isDeserted(platform, name);
            if (leftover && (dryRun ? !platform.regionInUse(name) : platform.unlinkRegionIfUnused(name))) {
                removed.add(name);
            }
        }
        return removed;
    }

    /** Whether {@code name} is a listener that no live process listens on. */
    private static boolean isDeserted(NativePlatform platform, String name) {
        return holds(platform, name, ObjectKind.LISTENER, region -> {
            long owner = new ListenerState(platform, region).owner();
            return owner == 0 || !region.liveness().isAlive(owner);
        });
    }

    private static boolean isSpill(String name, List<String> names) {
        for (String other : names) {
            if (QueueSlots.isSpillOf(other, name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean contextIsLive(NativePlatform platform, String contextId) {
        MappedRegion marker;
        try {
            marker = platform.openRegion(ObjectNames.marker(contextId));
        } catch (SharedObjectNotFoundException gone) {
            return false;
        } catch (IncompatibleSharedObjectException foreign) {
            return true;
        }
        try {
            long creator = ObjectHeader.creatorOf(marker);
            // a marker still being written belongs to a process that is starting: alive
            return creator == 0 || marker.liveness().isAlive(creator);
        } finally {
            marker.close();
        }
    }
}
