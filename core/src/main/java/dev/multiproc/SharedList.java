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
import java.util.AbstractList;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.function.Supplier;

/**
 * A list in shared memory that every process reads and changes in place: Python's
 * {@code Manager().list()} without the manager process, as a {@link java.util.List}. Each
 * operation ({@code add}, {@code get}, {@code set}, {@code remove}, ...) is atomic across
 * processes; a sequence of them is not (lock a {@link SharedLock} around it). Reads take no
 * lock. Elements are stored encoded, in a one-stripe {@link SharedMap} layout keyed by index;
 * inserting or removing in the middle moves the elements after it, as one change: a process
 * killed part-way leaves the list as it was (an insertion) or with the element removed (a
 * removal) once the next process to change or read it has repaired it. The list holds at most
 * the number of elements it was made for; more throws {@link MapFullException}.
 *
 * <p>Iteration (inherited from {@link AbstractList}) reads element by element and may throw
 * {@link IndexOutOfBoundsException} if another process shrinks the list meanwhile; take a
 * {@code List.copyOf} snapshot to iterate safely while others write.
 *
 * @param <E> elements
 */
public final class SharedList<E> extends AbstractList<E> implements RandomAccess, AutoCloseable, Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The shared-object side of the list: name, life cycle, travel. */
    static final class Handle extends SharedObject {
        @Serial
        private static final long serialVersionUID = 1L;
        private final transient Codec<?> codec;

        Handle(Multiproc context, Attachment attachment, boolean createdHere, Codec<?> codec) {
            super(context, attachment, createdHere);
            this.codec = codec;
        }

        @Override
        ObjectKind kind() {
            return ObjectKind.LIST;
        }

        @Override
        Serializable referenceExtra() {
            if (!(codec instanceof Serializable serializable)) {
                throw new IllegalArgumentException("list '" + name() + "' cannot travel: its codec " + codec + " is not Serializable");
            }
            return serializable;
        }
    }

    private final transient Handle handle;
    private final transient Codec<E> codec;
    private final transient MapStripes shape;
    private final transient MapStripe stripe;
    private final transient long processToken;
    private final transient int maxElements;

    SharedList(Multiproc context, Attachment attachment, boolean createdHere, Codec<E> codec) {
        this.handle = new Handle(context, attachment, createdHere, codec);
        this.codec = Objects.requireNonNull(codec, "codec");
        this.processToken = attachment.token();
        this.shape = SharedMap.stripes(attachment);
        this.maxElements = (int) shape.maxEntries();
        this.stripe = shape.stripes()[0];
    }

    /** The shared-object side of the list (for tests and listings). */
    SharedObject handle() {
        return handle;
    }

    /** The list's name, valid in every process until it is removed. */
    public String name() {
        return handle.name();
    }

    /** The most elements it holds. */
    public int maxElements() {
        return maxElements;
    }

    @Serial
    Object writeReplace() {
        return handle.writeReplace();
    }

    @Override
    public void close() {
        handle.close();
    }

    private byte[] encode(E element) {
        Objects.requireNonNull(element, "a SharedList holds no null elements");
        return Encoding.toBytes(codec, element);
    }

    private E decode(byte[] bytes) {
        return Encoding.decodeCopy(codec, bytes, name(), "element");
    }

    private <R> R locked(Supplier<R> action) {
        handle.ensureOpen();
        long threadId = Thread.currentThread().threadId();
        long deadWriter = stripe.lock(processToken, threadId);
        if (deadWriter != 0) {
            String dead = handle.region.liveness().describe(deadWriter);
            MultiprocLog.get().log(System.Logger.Level.WARNING, "list ''{0}'': {1} died changing it; this process took its lock over", name(), dead);
            EventGate.record(() -> TakeOverEvent.record(name(), "list", dead, 1));
        }
        try {
            return action.get();
        } catch (StripeFullException full) {
            throw new MapFullException("list '" + name() + "' is full: " + (full.entriesExhausted()
                    ? "it holds " + stripe.count() + " elements, its most" : "the change needs " + full.needed() + " bytes (an element, or "
                    + "copies of the elements it moves) and it has " + full.available() + " free") + "; make it with "
                    + "mp.list(codec, maxElements) larger");
        } finally {
            stripe.unlock();
        }
    }

    private byte[] write(int index, byte[] element) {
        byte[] key = MapStripe.listKey(index);
        return stripe.put(KeyHash.of(key), key, element);
    }

    /** Elements at one moment (between writes; a dead writer's moves are finished first). */
    @Override
    public int size() {
        handle.ensureOpen();
        return shape.entriesAtOneMoment(processToken, Thread.currentThread().threadId());
    }

    @Override
    public E get(int index) {
        handle.ensureOpen();
        byte[] key = MapStripe.listKey(index);
        byte[] bytes = index < 0 ? null : stripe.get(KeyHash.of(key), key, processToken, Thread.currentThread().threadId());
        if (bytes == null) {
            throw new IndexOutOfBoundsException("index " + index + " of list '" + name() + "' of size " + size());
        }
        return decode(bytes);
    }

    @Override
    public E set(int index, E element) {
        byte[] encoded = encode(element);
        return decode(locked(() -> {
            Objects.checkIndex(index, stripe.count());
            byte[] previous = write(index, encoded);
            if (previous == null) {
                throw new CorruptSharedObjectException(name(), "element count", stripe.count(), "index " + index
                        + " is below it but held nothing");
            }
            return previous;
        }));
    }

    /** Appends (Python's {@code append}). */
    @Override
    public boolean add(E element) {
        byte[] encoded = encode(element);
        return locked(() -> {
            int size = stripe.count();
            checkRoom(size);
            write(size, encoded);
            return true;
        });
    }

    @Override
    public void add(int index, E element) {
        byte[] encoded = encode(element);
        locked(() -> {
            int size = stripe.count();
            Objects.checkIndex(index, size + 1);
            checkRoom(size);
            stripe.insertListElement(index, size, encoded);
            return null;
        });
    }

    private void checkRoom(int size) {
        if (size >= maxElements) {
            throw new MapFullException("list '" + name() + "' is full: it holds " + size + " elements, its most; make it with "
                    + "mp.list(codec, maxElements) larger");
        }
    }

    @Override
    public E remove(int index) {
        return decode(locked(() -> {
            int size = stripe.count();
            Objects.checkIndex(index, size);
            return stripe.removeListElement(index, size);
        }));
    }

    @Override
    public void clear() {
        locked(() -> {
            stripe.clear();
            return null;
        });
    }

    @Override
    public String toString() {
        return handle.isClosed() ? "SharedList[" + name() + ", closed]" : super.toString();
    }
}
