package dev.multiproc;

import dev.multiproc.codec.Codec;
import dev.multiproc.internal.MultiprocLog;
import dev.multiproc.internal.objects.Attachment;
import dev.multiproc.internal.objects.Encoding;
import dev.multiproc.internal.shm.header.ObjectKind;
import dev.multiproc.internal.shm.map.KeyHash;
import dev.multiproc.internal.shm.map.MapStripe;
import dev.multiproc.internal.shm.map.MapStripes;
import dev.multiproc.internal.shm.map.StripeFullException;
import dev.multiproc.jfr.EventGate;
import dev.multiproc.jfr.TakeOverEvent;

import java.io.Serial;
import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.util.AbstractCollection;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A hash map in shared memory that every process reads and writes in place: Python's
 * {@code Manager().dict()} without the manager process, as a {@link ConcurrentMap}.
 *
 * <p>Keys and values are stored as their encoded bytes; two keys are the same key when their
 * encodings are equal, and {@code remove(key, value)} / {@code replace(key, old, new)} compare
 * values by their encodings too. The map is divided into stripes, each with its own lock: every
 * write locks one stripe; reads take no lock (they retry if a write overlapped them), so readers
 * never block each other or writers. {@code putIfAbsent}, {@code replace}, the {@code compute}
 * methods and {@code merge} run under the stripe's lock and are atomic across processes; their
 * functions must not update this map (a recursive update throws {@link IllegalStateException}).
 * Iteration and the views are weakly consistent snapshots: each stripe is read at one moment,
 * and no {@link java.util.ConcurrentModificationException} is ever thrown. {@link #size()} is the
 * count at one moment.
 *
 * <p>Capacity is fixed when the map is made ({@link MapOptions}); a write that does not fit
 * throws {@link MapFullException}, naming the sizes, and changes nothing.
 *
 * <p>Death: an entry is written into fresh space and published with one store, so a process
 * killed in the middle of a write leaves the entry wholly there or absent; the next writer of
 * that stripe takes its lock over and repairs its counts (see {@code spec/map.md}).
 *
 * @param <K> keys
 * @param <V> values
 */
public final class SharedMap<K, V> extends SharedObject implements ConcurrentMap<K, V> {
    @java.io.Serial
    private static final long serialVersionUID = 1L;

    private final transient Codec<K> keyCodec;
    private final transient Codec<V> valueCodec;
    private final transient MapStripes shape;
    private final transient MapStripe[] stripes;
    private final transient int stripeMask;
    private final transient long processToken;
    private final transient long maxEntries;
    private final transient long recordBytes;

    /** The map's stripes over an attachment, shared by this process's handles (a list's too). */
    static MapStripes stripes(Attachment attachment) {
        return attachment.shared(MapStripes.class, shared -> MapStripes.open(shared.platform, shared.region));
    }

    SharedMap(Multiproc context, Attachment attachment, boolean createdHere, Codec<K> keyCodec, Codec<V> valueCodec) {
        super(context, attachment, createdHere);
        this.keyCodec = Objects.requireNonNull(keyCodec, "key codec");
        this.valueCodec = Objects.requireNonNull(valueCodec, "value codec");
        this.processToken = attachment.token();
        this.shape = stripes(attachment);
        this.stripes = shape.stripes();
        this.recordBytes = shape.recordBytes();
        this.maxEntries = shape.maxEntries();
        this.stripeMask = stripes.length - 1;
    }

    /** The map's numbers now, read from shared memory: every process sees the same. */
    public MapMetrics metrics() {
        ensureOpen();
        return new MapMetrics(shape.entriesNow(), maxEntries, shape.recordBytesUsedNow(), (long) stripes.length * recordBytes,
                stripes.length, shape.stripesWithDeadWriter(region.liveness()));
    }

    @Override
    ObjectKind kind() {
        return ObjectKind.MAP;
    }

    @Override
    Serializable referenceExtra() {
        if (!(keyCodec instanceof Serializable keys) || !(valueCodec instanceof Serializable values)) {
            throw new IllegalArgumentException("map '" + name() + "' cannot travel: its codecs must be Serializable");
        }
        return new Codecs(keys, values);
    }

    /** The two codecs a map carries when it travels; a class, not a record, for the reason {@link SharedObjectReference} gives. */
    static final class Codecs implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        private final Serializable keys;
        private final Serializable values;

        Codecs(Serializable keys, Serializable values) {
            this.keys = keys;
            this.values = values;
        }

        Serializable keys() {
            return keys;
        }

        Serializable values() {
            return values;
        }
    }

    // ------------------------------------------------------------------ encoding

    private byte[] valueBytes(V value) {
        Objects.requireNonNull(value, "a SharedMap holds no null values");
        return Encoding.toBytes(valueCodec, value);
    }

    /** The key's bytes, which the map hashes and compares in place; a byte-array key as it is. */
    @SuppressWarnings("unchecked")
    private byte[] encodeKey(Object key) {
        Objects.requireNonNull(key, "a SharedMap holds no null keys");
        return Encoding.toBytes(keyCodec, (K) key);
    }

    private V decodeValue(byte[] bytes) {
        return bytes == null ? null : Encoding.decodeCopy(valueCodec, bytes, name(), "value");
    }

    private MapStripe stripeFor(long hash) {
        return stripes[(int) (hash >>> 40) & stripeMask];
    }

    /** An encoded key, its hash and its stripe, for the writes; its methods run with the stripe locked. */
    private record LocatedKey(byte[] bytes, long hash, MapStripe stripe) {
        byte[] current() {
            return stripe.getLocked(hash, bytes);
        }

        byte[] put(byte[] value) {
            return stripe.put(hash, bytes, value);
        }

        byte[] remove() {
            return stripe.remove(hash, bytes);
        }
    }

    private LocatedKey locate(Object key) {
        byte[] bytes = encodeKey(key);
        long hash = KeyHash.of(bytes);
        return new LocatedKey(bytes, hash, stripeFor(hash));
    }

    private long threadId() {
        return Thread.currentThread().threadId();
    }

    /** Locks {@code stripe} for this thread; a dead writer's lock is taken over (and its stripe repaired), and said so. */
    private void lock(MapStripe stripe) {
        ensureOpen();
        long threadId = threadId();
        // a free stripe is taken at once; only a taken one can be this thread's own (a recursive update)
        if (stripe.tryLock(processToken, threadId)) {
            return;
        }
        if (stripe.heldBy(processToken, threadId)) {
            throw new IllegalStateException("recursive update of map '" + name() + "': a function given to compute or merge "
                    + "must not update the map");
        }
        long deadWriter = stripe.lock(processToken, threadId);
        if (deadWriter != 0) {
            String dead = region.liveness().describe(deadWriter);
            MultiprocLog.get().log(System.Logger.Level.WARNING, "map ''{0}'': {1} died writing a stripe; this process (pid {2}) took its "
                    + "lock over and repaired it (its last write is wholly there or absent)", name(), dead, ProcessHandle.current().pid());
            EventGate.record(() -> TakeOverEvent.record(name(), "map", dead, 1));
        }
    }

    /** Runs {@code action} holding the key's stripe lock. */
    private <R> R locked(MapStripe stripe, Supplier<R> action) {
        lock(stripe);
        try {
            return action.get();
        } catch (StripeFullException full) {
            throw mapFull(full);
        } finally {
            stripe.unlock();
        }
    }

    private MapFullException mapFull(StripeFullException full) {
        String how = "create it larger: mp.map(keys, values, MapOptions.of(maxEntries).withAverageKeyBytes(..).withAverageValueBytes(..))";
        if (full.entriesExhausted()) {
            return new MapFullException("map '" + name() + "' is full: one of its " + stripes.length + " stripes holds "
                    + full.available() + " entries, its most (the map was made for " + maxEntries + " entries; keys that hash "
                    + "unevenly fill a stripe first); " + how);
        }
        return new MapFullException("map '" + name() + "' has no room for an entry of " + full.needed() + " bytes (key and value "
                + "encoded, with a 16-byte header): its stripe has " + full.available() + " of " + recordBytes
                + " record bytes free even after compaction; " + how);
    }

    // ------------------------------------------------------------------ reads

    @Override
    public V get(Object key) {
        ensureOpen();
        return decodeValue(read(key));
    }

    @Override
    public boolean containsKey(Object key) {
        ensureOpen();
        return read(key) != null;
    }

    /** The bytes of {@code key}'s value, or null, without a lock (see {@link MapStripe#get}). */
    private byte[] read(Object key) {
        byte[] bytes = encodeKey(key);
        long hash = KeyHash.of(bytes);
        return stripeFor(hash).get(hash, bytes, processToken, threadId());
    }

    @Override
    public V getOrDefault(Object key, V defaultValue) {
        V value = get(key);
        return value != null ? value : defaultValue;
    }

    /**
     * Entries at one moment: every stripe's counts read between two equal readings of their
     * versions (no write in between); if writers keep changing the map, stripes are locked.
     */
    @Override
    public int size() {
        ensureOpen();
        return shape.entriesAtOneMoment(processToken, threadId());
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    /** Every entry, decoded, stripe by stripe (each stripe at one moment). */
    private List<Map.Entry<K, V>> snapshot() {
        ensureOpen();
        List<Map.Entry<K, V>> entries = new ArrayList<>();
        for (MapStripe stripe : stripes) {
            for (byte[][] entry : stripe.entries(processToken, threadId())) {
                entries.add(new AbstractMap.SimpleImmutableEntry<>(Encoding.decode(keyCodec, MemorySegment.ofArray(entry[0]), name(), "key"),
                        decodeValue(entry[1])));
            }
        }
        return entries;
    }

    @Override
    public boolean containsValue(Object value) {
        Objects.requireNonNull(value);
        for (Map.Entry<K, V> entry : snapshot()) {
            if (value.equals(entry.getValue())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void forEach(BiConsumer<? super K, ? super V> action) {
        Objects.requireNonNull(action);
        for (Map.Entry<K, V> entry : snapshot()) {
            action.accept(entry.getKey(), entry.getValue());
        }
    }

    // ------------------------------------------------------------------ writes

    @Override
    public V put(K key, V value) {
        byte[] keyBytes = encodeKey(key);
        byte[] valueBytes = valueBytes(value);
        long hash = KeyHash.of(keyBytes);
        MapStripe stripe = stripeFor(hash);
        byte[] previous;
        lock(stripe);
        try {
            previous = stripe.put(hash, keyBytes, valueBytes);
        } catch (StripeFullException full) {
            throw mapFull(full);
        } finally {
            stripe.unlock();
        }
        return decodeValue(previous);
    }

    @Override
    public V putIfAbsent(K key, V value) {
        LocatedKey located = locate(key);
        byte[] encodedValue = valueBytes(value);
        return decodeValue(locked(located.stripe(), () -> {
            byte[] current = located.current();
            return current != null ? current : located.put(encodedValue);
        }));
    }

    @Override
    public V remove(Object key) {
        LocatedKey located = locate(key);
        return decodeValue(locked(located.stripe(), located::remove));
    }

    @Override
    @SuppressWarnings("unchecked")
    public boolean remove(Object key, Object value) {
        if (value == null) {
            return false;
        }
        LocatedKey located = locate(key);
        byte[] expected = valueBytes((V) value);
        return locked(located.stripe(), () -> {
            if (!Arrays.equals(located.current(), expected)) {
                return false;
            }
            located.remove();
            return true;
        });
    }

    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        LocatedKey located = locate(key);
        byte[] expected = valueBytes(oldValue);
        byte[] replacement = valueBytes(newValue);
        return locked(located.stripe(), () -> {
            if (!Arrays.equals(located.current(), expected)) {
                return false;
            }
            located.put(replacement);
            return true;
        });
    }

    @Override
    public V replace(K key, V value) {
        LocatedKey located = locate(key);
        byte[] encodedValue = valueBytes(value);
        return decodeValue(locked(located.stripe(), () -> located.current() == null ? null : located.put(encodedValue)));
    }

    /**
     * Computes under the key's stripe lock: reads the current value, applies {@code remapping}
     * (which sees null when absent), and writes the result (null removes).
     */
    @Override
    public V compute(K key, BiFunction<? super K, ? super V, ? extends V> remapping) {
        Objects.requireNonNull(remapping);
        LocatedKey located = locate(key);
        return locked(located.stripe(), () -> {
            V current = decodeValue(located.current());
            V next = remapping.apply(key, current);
            if (next != null) {
                located.put(valueBytes(next));
            } else if (current != null) {
                located.remove();
            }
            return next;
        });
    }

    @Override
    public V computeIfAbsent(K key, Function<? super K, ? extends V> mapping) {
        Objects.requireNonNull(mapping);
        V present = get(key);
        if (present != null) {
            return present;
        }
        return compute(key, (k, current) -> current != null ? current : mapping.apply(k));
    }

    @Override
    public V computeIfPresent(K key, BiFunction<? super K, ? super V, ? extends V> remapping) {
        Objects.requireNonNull(remapping);
        return compute(key, (k, current) -> current == null ? null : remapping.apply(k, current));
    }

    @Override
    public V merge(K key, V value, BiFunction<? super V, ? super V, ? extends V> remapping) {
        Objects.requireNonNull(value);
        Objects.requireNonNull(remapping);
        return compute(key, (k, current) -> current == null ? value : remapping.apply(current, value));
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> entries) {
        entries.forEach(this::put);
    }

    /** Removes every entry, stripe by stripe. */
    @Override
    public void clear() {
        for (MapStripe stripe : stripes) {
            locked(stripe, () -> {
                stripe.clear();
                return null;
            });
        }
    }

    // ------------------------------------------------------------------ views

    /** Keys now (a snapshot); removing through it removes from the map. */
    @Override
    public Set<K> keySet() {
        List<Map.Entry<K, V>> entries = snapshot();
        return new SnapshotSet<>(entries.stream().map(Map.Entry::getKey).toList(), this::remove);
    }

    /** Values now (a snapshot). */
    @Override
    public Collection<V> values() {
        List<V> values = snapshot().stream().map(Map.Entry::getValue).toList();
        return new AbstractCollection<>() {
            @Override
            public Iterator<V> iterator() {
                return values.iterator();
            }

            @Override
            public int size() {
                return values.size();
            }
        };
    }

    /** Entries now (a snapshot); removing through it removes from the map. */
    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        return new SnapshotSet<>(snapshot(), entry -> remove(entry.getKey(), entry.getValue()));
    }

    /** A set over a snapshot whose removals go to the map. */
    private static final class SnapshotSet<T> extends AbstractSet<T> {
        private final List<T> elements;
        private final java.util.function.Consumer<T> remover;

        SnapshotSet(List<T> elements, java.util.function.Consumer<T> remover) {
            this.elements = elements;
            this.remover = remover;
        }

        @Override
        public Iterator<T> iterator() {
            Iterator<T> snapshot = elements.iterator();
            return new Iterator<>() {
                private T last;

                @Override
                public boolean hasNext() {
                    return snapshot.hasNext();
                }

                @Override
                public T next() {
                    last = snapshot.next();
                    return last;
                }

                @Override
                public void remove() {
                    if (last == null) {
                        throw new IllegalStateException("next() first");
                    }
                    remover.accept(last);
                    last = null;
                }
            };
        }

        @Override
        public int size() {
            return elements.size();
        }
    }

    @Override
    public boolean equals(Object other) {
        if (other == this) {
            return true;
        }
        return other instanceof Map<?, ?> map && entrySet().equals(map.entrySet());
    }

    @Override
    public int hashCode() {
        return entrySet().hashCode();
    }

}
