package dev.multiproc.internal.admin;

import dev.multiproc.SharedObjectInfo;
import dev.multiproc.SharedObjectNotFoundException;
import dev.multiproc.internal.shm.barrier.BarrierState;
import dev.multiproc.internal.shm.condition.ConditionState;
import dev.multiproc.internal.shm.event.EventState;
import dev.multiproc.internal.shm.header.ObjectHeader;
import dev.multiproc.internal.shm.header.ObjectKind;
import dev.multiproc.internal.shm.listener.ListenerState;
import dev.multiproc.internal.shm.lock.LockWord;
import dev.multiproc.internal.shm.map.MapStripes;
import dev.multiproc.internal.shm.pipe.PipeEnds;
import dev.multiproc.internal.shm.pipe.PipeLayout;
import dev.multiproc.internal.shm.process.Bootstrap;
import dev.multiproc.internal.shm.process.BootstrapLayout;
import dev.multiproc.internal.shm.queue.QueueLayout;
import dev.multiproc.internal.shm.queue.QueueSlots;
import dev.multiproc.internal.shm.ring.ByteRing;
import dev.multiproc.internal.shm.semaphore.SemaphoreState;
import dev.multiproc.internal.shm.values.LongCells;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NativePlatform;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.StringJoiner;

/**
 * Reads the objects on this machine for {@code multiproc ls}: maps each name, reads its header
 * and, per kind, the live state that matters, without writing anything.
 */
public final class ObjectInspector {

    /** Values of a shared array shown in a listing. */
    private static final int SHOWN_VALUES = 4;

    private ObjectInspector() {
    }

    public static List<SharedObjectInfo> list(NativePlatform platform) {
        List<SharedObjectInfo> objects = new ArrayList<>();
        Map<String, List<Long>> mappedBy = platform.processesMapping(ObjectNames.PREFIX);
        for (String name : platform.listRegions(ObjectNames.PREFIX)) {
            OptionalLong foreign = platform.foreignOwner(name);
            if (foreign.isPresent()) {
                objects.add(new SharedObjectInfo(name, "?", 0, 0, false, Map.of("owner", "another user (uid " + foreign.getAsLong() + ")")));
                continue;
            }
            try {
                inspect(platform, name, mappedBy.getOrDefault(name, List.of())).ifPresent(objects::add);
            } catch (RuntimeException unreadable) {
                // one object that cannot be read (corrupt, half made) must not hide the others
                objects.add(new SharedObjectInfo(name, "unreadable", 0, 0, false, Map.of("error", String.valueOf(unreadable.getMessage()))));
            }
        }
        // Python's multiprocessing names its semaphores mp-xxxxxxxx too: list only names that carry a context id
        for (String name : platform.listSemaphores(ObjectNames.PREFIX)) {
            if (ObjectNames.contextIdOf(name).isEmpty()) {
                continue;
            }
            objects.add(new SharedObjectInfo(name, "os-semaphore", 0, 0, false, Map.of()));
        }
        return objects;
    }

    private static Optional<SharedObjectInfo> inspect(NativePlatform platform, String name, List<Long> mappedBy) {
        MappedRegion region;
        try {
            region = platform.openRegion(name);
        } catch (SharedObjectNotFoundException gone) {
            return Optional.empty();
        }
        try {
            Optional<ObjectKind> kind = ObjectHeader.kindOf(region);
            long creator = ObjectHeader.creatorOf(region);
            Map<String, String> details = new LinkedHashMap<>();
            ObjectNames.userNameOf(name).ifPresent(chosen -> details.put("named", chosen + " (stays until unlinked)"));
            List<Long> others = mappedBy.stream().filter(pid -> pid != ProcessHandle.current().pid()).toList();
            if (!others.isEmpty()) {
                details.put("attached by", others.stream().map(pid -> "pid " + pid).collect(java.util.stream.Collectors.joining(", ")));
            }
            if (ObjectHeader.isRetired(region)) {
                details.put("retired", "its creator let go; removed when its last user does");
            }
            kind.ifPresent(k -> describe(platform, region, k, details));
            return Optional.of(new SharedObjectInfo(name, kind.map(ObjectKind::label).orElse("unknown"), region.size(),
                    ObjectHeader.creatorPidOf(region), creator != 0 && region.liveness().isAlive(creator), details));
        } finally {
            region.close();
        }
    }

    /** A process named by a token in the object, for a listing. */
    private static String describe(MappedRegion region, long token) {
        return region.liveness().describe(token) + (region.liveness().isAlive(token) ? "" : " (dead)");
    }

    /** Adds the kind's live state; kinds without any say nothing. */
    private static void describe(NativePlatform platform, MappedRegion region, ObjectKind kind, Map<String, String> details) {
        switch (kind) {
            case PROCESS -> {
                Bootstrap bootstrap = new Bootstrap(platform, region);
                details.put("state", switch (bootstrap.state()) {
                    case BootstrapLayout.STATE_SPARE -> bootstrap.isSpareReady() ? "spare, ready" : "spare, booting";
                    case BootstrapLayout.STATE_TARGET_READY -> "target handed over";
                    case BootstrapLayout.STATE_RUNNING -> "running " + bootstrap.name();
                    case BootstrapLayout.STATE_RETIRED -> "retired";
                    default -> "initialising";
                });
                details.put("parent", bootstrap.parentName() + " (pid " + bootstrap.parent().pid() + ")");
            }
            case LOCK, REENTRANT_LOCK -> {
                LockWord word = new LockWord(platform, region);
                long owner = word.owner();
                details.put("owner", owner == 0 ? "none" : describe(region, owner));
                details.put("waiters", Integer.toString(word.sleepers()));
                details.put("recoveries", Long.toString(word.recoveries()));
            }
            case CONDITION -> {
                ConditionState state = new ConditionState(platform, region);
                details.put("lock", state.lockName());
                details.put("waiting", Integer.toString(state.waiting()));
            }
            case SEMAPHORE -> {
                SemaphoreState state = new SemaphoreState(platform, region);
                details.put("permits", Integer.toString(state.available()));
                if (state.bound() > 0) {
                    details.put("bound", Integer.toString(state.bound()));
                }
                details.put("waiters", Integer.toString(state.sleepers()));
                details.put("permits recovered from dead processes", Long.toString(state.recoveredTotal()));
            }
            case EVENT -> {
                EventState state = new EventState(platform, region);
                details.put("set", Boolean.toString(state.isSet()));
                details.put("waiters", Integer.toString(state.sleepers()));
            }
            case BARRIER -> {
                BarrierState state = new BarrierState(platform, region);
                details.put("parties", Integer.toString(state.parties()));
                details.put("waiting", Integer.toString(state.waiting()));
                details.put("broken", Boolean.toString(state.isBroken()));
            }
            case QUEUE -> {
                QueueSlots slots = new QueueSlots(platform, region);
                details.put("depth", slots.size() + "/" + slots.capacity());
                details.put("slot bytes", Integer.toString(slots.slotData()));
                details.put("consumers waiting", Integer.toString(slots.consumersWaiting()));
                details.put("producers waiting", Integer.toString(slots.producersWaiting()));
                QueueSlots.Counters counters = slots.counters();
                details.put("put", Long.toString(counters.put()));
                details.put("taken", Long.toString(counters.taken()));
                details.put("skipped", Long.toString(counters.skipped()));
                details.put("spills", Long.toString(counters.spills()));
                details.put("waits", counters.producerWaits() + " producer, " + counters.consumerWaits() + " consumer, "
                        + counters.waitedNanos() / 1_000_000 + " ms in all");
                if (slots.mode() != QueueLayout.MODE_MPMC) {
                    details.put("mode", slots.singleProducer() ? "SPSC" : "MPSC");
                }
                if (slots.joinable()) {
                    details.put("unfinished", Long.toString(slots.unfinished()));
                }
            }
            case PIPE -> {
                PipeEnds ends = new PipeEnds(region);
                ByteRing[] rings = ends.rings(platform, region);
                for (int ring = 0; ring < rings.length; ring++) {
                    details.put("to end " + ring, rings[ring].bytesInFlight() + " B in flight");
                }
                for (int end = 0; end < 2; end++) {
                    long holder = ends.holder(end);
                    details.put("end " + end, switch (ends.state(end)) {
                        case PipeLayout.END_OPEN -> "open in " + describe(region, holder);
                        case PipeLayout.END_IN_TRANSIT -> "in transit";
                        default -> "closed";
                    });
                }
            }
            case MAP, LIST -> {
                MapStripes map = MapStripes.open(platform, region);
                details.put("entries", map.entriesNow() + "/" + map.maxEntries());
                details.put("record bytes", map.recordBytesUsedNow() + "/" + map.stripes().length * map.recordBytes());
                details.put("stripes", Integer.toString(map.stripes().length));
                long deadWriters = map.stripesWithDeadWriter(region.liveness());
                if (deadWriters > 0) {
                    details.put("stripes locked by dead writers", deadWriters + " (recovered by the next writer)");
                }
            }
            case LISTENER -> {
                ListenerState listener = new ListenerState(platform, region);
                long owner = listener.owner();
                details.put("listening", owner == 0 ? "nobody (closed)" : describe(region, owner));
                details.put("connections waiting for accept", Integer.toString(listener.waitingClaims()));
                details.put("pipes on offer", Integer.toString(listener.unclaimedOffers()));
            }
            case LONG_VALUES, DOUBLE_VALUES -> {
                LongCells cells = new LongCells(region);
                details.put("length", Integer.toString(cells.length()));
                int shown = Math.min(cells.length(), SHOWN_VALUES);
                StringJoiner values = new StringJoiner(", ", "[", cells.length() > shown ? ", ...]" : "]");
                for (int i = 0; i < shown; i++) {
                    long bits = cells.get(i);
                    values.add(kind == ObjectKind.LONG_VALUES ? Long.toString(bits) : Double.toString(Double.longBitsToDouble(bits)));
                }
                details.put("values", values.toString());
            }
            default -> { }
        }
    }
}
