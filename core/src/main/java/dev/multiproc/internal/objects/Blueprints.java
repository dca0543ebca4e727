package dev.multiproc.internal.objects;

import dev.multiproc.MapOptions;
import dev.multiproc.PipeOptions;
import dev.multiproc.QueueMode;
import dev.multiproc.QueueOptions;
import dev.multiproc.internal.shm.barrier.BarrierLayout;
import dev.multiproc.internal.shm.barrier.BarrierState;
import dev.multiproc.internal.shm.condition.ConditionLayout;
import dev.multiproc.internal.shm.condition.ConditionState;
import dev.multiproc.internal.shm.event.EventLayout;
import dev.multiproc.internal.shm.header.ObjectHeader;
import dev.multiproc.internal.shm.header.ObjectKind;
import dev.multiproc.internal.shm.listener.ListenerLayout;
import dev.multiproc.internal.shm.listener.ListenerState;
import dev.multiproc.internal.shm.lock.LockLayout;
import dev.multiproc.internal.shm.map.MapLayout;
import dev.multiproc.internal.shm.map.MapStripes;
import dev.multiproc.internal.shm.pipe.PipeEnds;
import dev.multiproc.internal.shm.pipe.PipeLayout;
import dev.multiproc.internal.shm.queue.QueueLayout;
import dev.multiproc.internal.shm.queue.QueueSlots;
import dev.multiproc.internal.shm.ring.RingLayout;
import dev.multiproc.internal.shm.semaphore.SemaphoreLayout;
import dev.multiproc.internal.shm.semaphore.SemaphoreState;
import dev.multiproc.internal.shm.values.LongCells;
import dev.multiproc.internal.shm.values.ValuesLayout;
import dev.multiproc.spi.NativePlatform;

/**
 * The {@link Blueprint} of each kind a context makes, from what the caller asks for: the one
 * place where a kind's size, first state and shape in words are decided, for objects with a
 * generated name and named ones alike.
 */
public final class Blueprints {
    private Blueprints() {
    }

    /** A kind whose objects all have the same shape: a lock, a reentrant lock, an event. */
    public static Blueprint plain(ObjectKind kind) {
        long bodySize = switch (kind) {
            case LOCK, REENTRANT_LOCK -> LockLayout.LENGTH;
            case EVENT -> EventLayout.LENGTH;
            default -> throw new IllegalArgumentException(kind.label() + " objects have a shape to choose");
        };
        String shape = switch (kind) {
            case LOCK -> "a lock";
            case REENTRANT_LOCK -> "a reentrant lock";
            default -> "an event";
        };
        return Blueprint.of(kind, bodySize, region -> { }, shape, region -> shape);
    }

    /** A semaphore with {@code permits} free permits; a bounded one never holds more and gives back a dead holder's. */
    public static Blueprint semaphore(NativePlatform platform, int permits, boolean bounded) {
        if (bounded ? permits <= 0 : permits < 0) {
            throw new IllegalArgumentException(bounded ? "a bounded semaphore needs at least one permit, got " + permits
                    : "a semaphore cannot start with negative permits: " + permits);
        }
        return Blueprint.of(ObjectKind.SEMAPHORE, SemaphoreLayout.LENGTH,
                region -> new SemaphoreState(platform, region).initialise(permits, bounded ? permits : 0, bounded),
                semaphoreShape(permits, bounded), region -> {
                    SemaphoreState state = new SemaphoreState(platform, region);
                    return semaphoreShape(state.initialPermits(), state.recoversDeadHolders());
                });
    }

    private static String semaphoreShape(int permits, boolean bounded) {
        return (bounded ? "a bounded semaphore of " : "a semaphore made with ") + permits + " permits";
    }

    public static Blueprint barrier(NativePlatform platform, int parties) {
        if (parties <= 0) {
            throw new IllegalArgumentException("a barrier needs at least one party, got " + parties);
        }
        return Blueprint.of(ObjectKind.BARRIER, BarrierLayout.LENGTH, region -> new BarrierState(platform, region).initialise(parties),
                barrierShape(parties), region -> barrierShape(new BarrierState(platform, region).parties()));
    }

    private static String barrierShape(int parties) {
        return "a barrier of " + parties + " parties";
    }

    /** {@code length} cells of longs or doubles ({@code kind}), each starting as the bits {@code initial}. */
    public static Blueprint values(ObjectKind kind, int length, long initial) {
        if (length <= 0) {
            throw new IllegalArgumentException("a shared array needs at least one element, got " + length);
        }
        return Blueprint.of(kind, ValuesLayout.bodySize(length), region -> LongCells.initialise(region, length, initial),
                valuesShape(kind, length), region -> valuesShape(kind, new LongCells(region).length()));
    }

    private static String valuesShape(ObjectKind kind, int length) {
        return length + (kind == ObjectKind.LONG_VALUES ? " shared long" : " shared double") + (length == 1 ? "" : "s");
    }

    public static Blueprint queue(NativePlatform platform, QueueOptions options, boolean joinable) {
        int slotData = (int) (QueueLayout.slotLength(options.slotBytes()) - QueueLayout.SLOT_DATA_OFFSET);
        return Blueprint.of(ObjectKind.QUEUE, QueueLayout.length(options.capacity(), slotData),
                region -> QueueSlots.initialise(region, options.capacity(), slotData, joinable, modeCode(options.mode()),
                        options.maxMessageBytes()),
                queueShape(options.capacity(), slotData, joinable, modeCode(options.mode()), options.maxMessageBytes()), region -> {
                    QueueSlots slots = new QueueSlots(platform, region);
                    return queueShape(slots.capacity(), slots.slotData(), slots.joinable(), slots.mode(), slots.maxMessageBytes());
                });
    }

    private static int modeCode(QueueMode mode) {
        return switch (mode) {
            case MPMC -> QueueLayout.MODE_MPMC;
            case MPSC -> QueueLayout.MODE_MPSC;
            case SPSC -> QueueLayout.MODE_SPSC;
        };
    }

    private static String queueShape(int capacity, int slotData, boolean joinable, int mode, long maxMessageBytes) {
        String modeName = switch (mode) {
            case QueueLayout.MODE_MPSC -> "MPSC ";
            case QueueLayout.MODE_SPSC -> "SPSC ";
            default -> "";
        };
        return (joinable ? "a joinable " : "a ") + modeName + "queue of " + capacity + " slots of " + slotData
                + " bytes for messages of up to " + maxMessageBytes + " bytes";
    }

    public static Blueprint map(NativePlatform platform, MapOptions options) {
        return stripes(platform, ObjectKind.MAP, options);
    }

    /** A list: the body of a map with one stripe, keyed by index. */
    public static Blueprint list(NativePlatform platform, int maxElements) {
        return stripes(platform, ObjectKind.LIST, new MapOptions(maxElements, Long.BYTES, MapOptions.DEFAULT_VALUE_BYTES, 1));
    }

    /** Entries one stripe takes: its share with room for uneven hashing. */
    static int entriesPerStripe(MapOptions options) {
        long share = (options.maxEntries() + options.stripes() - 1L) / options.stripes();
        return (int) Math.min(Integer.MAX_VALUE / 4, share + share / 2 + 8);
    }

    /** Buckets per stripe: a power of two, at most three quarters full. */
    static int bucketsPerStripe(MapOptions options) {
        int needed = (int) Math.min(1 << 29, entriesPerStripe(options) * 2L);
        return Math.max(16, Integer.highestOneBit(needed - 1) << 1);
    }

    /** Record bytes per half of a stripe: its entries at the average sizes, with half again for updates. */
    static long recordBytesPerHalf(MapOptions options) {
        long record = MapLayout.recordLength(options.averageKeyBytes(), options.averageValueBytes());
        long share = (options.maxEntries() + options.stripes() - 1L) / options.stripes();
        return Math.max(4096, MapLayout.alignRecord(share * record * 3 / 2 + 1024));
    }

    private static Blueprint stripes(NativePlatform platform, ObjectKind kind, MapOptions options) {
        return Blueprint.of(kind, MapLayout.length(options.stripes(), bucketsPerStripe(options), recordBytesPerHalf(options)),
                region -> MapStripes.initialise(region, options.stripes(), entriesPerStripe(options), bucketsPerStripe(options),
                        recordBytesPerHalf(options), options.maxEntries()),
                mapShape(kind, options.maxEntries(), options.stripes(), entriesPerStripe(options), recordBytesPerHalf(options)),
                region -> {
                    MapStripes map = MapStripes.open(platform, region);
                    return mapShape(kind, map.maxEntries(), map.stripes().length, map.entriesPerStripe(), map.recordBytes());
                });
    }

    private static String mapShape(ObjectKind kind, long maxEntries, int stripes, int entriesPerStripe, long recordBytes) {
        return "a " + kind.label() + " of up to " + maxEntries + (kind == ObjectKind.LIST ? " elements" : " entries") + " ("
                + stripes + " stripes of " + entriesPerStripe + " entries and " + recordBytes + " record bytes)";
    }

    public static Blueprint sharedMemory(long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("shared memory size must be positive, got " + size);
        }
        return Blueprint.of(ObjectKind.SHARED_MEMORY, size, region -> { }, memoryShape(size),
                region -> memoryShape(ObjectHeader.body(region).byteSize()));
    }

    private static String memoryShape(long size) {
        return "a block of " + size + " bytes of shared memory";
    }

    /** A condition of the lock {@code lockName} (of {@code lockKind}); conditions are made by their lock only. */
    public static Blueprint condition(NativePlatform platform, ObjectKind lockKind, String lockName) {
        return Blueprint.of(ObjectKind.CONDITION, ConditionLayout.LENGTH,
                region -> new ConditionState(platform, region).initialise(lockKind.code(), lockName), "a condition", region -> "a condition");
    }

    public static Blueprint pipe(PipeOptions options) {
        boolean duplex = options.duplex();
        int capacity = RingLayout.capacityFor(options.capacityBytes());
        String shape = (duplex ? "a duplex pipe" : "a one-way pipe") + " of " + capacity + "-byte rings";
        return Blueprint.of(ObjectKind.PIPE, PipeLayout.length(duplex, capacity),
                region -> PipeEnds.initialise(region, duplex, capacity, options.maxMessageBytes(), region.liveness().currentToken()),
                shape, region -> shape);
    }

    /** A listener's rendezvous; the pipes of its connections are chosen by whoever listens. */
    public static Blueprint listener(NativePlatform platform) {
        String shape = "a listener of " + ListenerLayout.BACKLOG + " request slots";
        return Blueprint.of(ObjectKind.LISTENER, ListenerLayout.length(ListenerLayout.BACKLOG), ListenerState::initialise, shape,
                region -> "a listener of " + new ListenerState(platform, region).backlog() + " request slots");
    }
}
