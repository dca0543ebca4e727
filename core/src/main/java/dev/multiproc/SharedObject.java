package dev.multiproc;

import dev.multiproc.shm.header.ObjectHeader;
import dev.multiproc.shm.header.ObjectKind;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NativePlatform;

import java.io.Serial;
import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A handle on a named object in shared memory. Every shared type extends it, which gives them
 * all the same life cycle and the same way of travelling between processes:
 *
 * <ul>
 *   <li>Serialising a handle (a target's captured value, a queued message) writes only its kind
 *       and name ({@link SharedObjectReference}); deserialising it in another JVM attaches to
 *       the same memory there.</li>
 *   <li>{@link #close()} unmaps this process's view. Closing the handle that created an object
 *       also removes its name (except {@link SharedMemory}, which follows Python and removes
 *       the name only on {@link SharedMemory#unlink()}); processes already attached keep working.</li>
 * </ul>
 */
public abstract class SharedObject implements AutoCloseable, Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    final transient Multiproc context;
    final transient MappedRegion region;
    final transient boolean createdHere;
    private final transient AtomicBoolean closed = new AtomicBoolean();

    SharedObject(Multiproc context, MappedRegion region, boolean createdHere) {
        this.context = context;
        this.region = region;
        this.createdHere = createdHere;
        context.registerHandle(this);
    }

    /** The object's name, valid in every process on this machine until it is removed. */
    public String name() {
        return region.name();
    }

    /** Whether this handle has been closed. */
    public boolean isClosed() {
        return closed.get();
    }

    abstract ObjectKind kind();

    /** Extra state a reference carries, such as which end of a pipe it names. */
    int referenceDetail() {
        return 0;
    }

    /** What else a reference carries (a codec); must be serialisable. */
    Serializable referenceExtra() {
        return null;
    }

    /** Called when this handle is serialised (to be sent somewhere). */
    void onSerialised() {
    }

    /** Whether closing the creator's handle removes the name. */
    boolean unlinkOnCreatorClose() {
        return true;
    }

    /** Wakes this process's threads blocked on the object, so that they see it closed. */
    void wakeWaiters() {
    }

    /** Attachment-specific clean-up before the memory is unmapped (give up a pipe end, ...). */
    void releaseAttachment() {
    }

    @Serial
    final Object writeReplace() {
        ensureOpen();
        onSerialised();
        return new SharedObjectReference(kind().code(), name(), referenceDetail(), referenceExtra());
    }

    final NativePlatform platform() {
        return context.platform();
    }

    /** The bytes after the common header. */
    final MemorySegment body() {
        return ObjectHeader.body(region);
    }

    final void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException(kind().label() + " '" + name() + "' is closed in this process");
        }
    }

    /** Removes the name now; processes already attached keep working. */
    final void unlinkName() {
        platform().unlinkRegion(name());
        context.forgetCreated(name());
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            releaseAttachment();
            wakeWaiters();
            if (createdHere && unlinkOnCreatorClose()) {
                unlinkName();
            }
        } finally {
            context.unregisterHandle(this);
            region.close();
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + name() + (isClosed() ? ", closed" : "") + "]";
    }
}
