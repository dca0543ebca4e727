package dev.multiproc;

import dev.multiproc.internal.objects.Attachment;
import dev.multiproc.internal.shm.header.ObjectHeader;
import dev.multiproc.internal.shm.header.ObjectKind;

import java.lang.foreign.MemorySegment;

/**
 * A block of memory that every process on the machine can map by name: Python's
 * {@code shared_memory.SharedMemory}. The bytes are zero when created; what is written through
 * {@link #segment()} is visible to every process that maps the name, with the ordering the
 * writer chooses (plain writes need the reader to synchronise through some other shared object;
 * use {@code VarHandle} acquire/release accesses on the segment to publish data directly).
 *
 * <p>{@link #close()} unmaps this process's view; {@link #unlink()} removes the name (processes
 * that have it mapped keep their view). The context that created the block unlinks it when
 * the context closes, and at JVM exit.
 */
public final class SharedMemory extends SharedObject {
    @java.io.Serial
    private static final long serialVersionUID = 1L;

    private final transient MemorySegment userSegment;

    SharedMemory(Multiproc context, Attachment attachment, boolean createdHere) {
        super(context, attachment, createdHere);
        keepNameOnClose();
        this.userSegment = ObjectHeader.body(region);
    }

    /**
     * Maps the block named {@code name}, created by any process on this machine.
     *
     * @throws SharedObjectNotFoundException       if there is no such name
     * @throws IncompatibleSharedObjectException if the name is not a multiproc shared-memory block
     */
    public static SharedMemory attach(String name) {
        return Multiproc.context().attachSharedMemory(name);
    }

    /** The usable bytes, 64-byte aligned; valid until {@link #close()}. */
    public MemorySegment segment() {
        ensureOpen();
        return userSegment;
    }

    /** The usable size in bytes, as given at creation. */
    public long size() {
        return userSegment.byteSize();
    }

    /** Removes the name. Mappings already made stay valid; new attaches fail. */
    public void unlink() {
        if (!platform().unlinkRegion(name())) {
            throw new SharedObjectNotFoundException(name(), "cannot unlink '" + name() + "': it was already unlinked");
        }
        context.forgetCreated(name());
    }

    @Override
    ObjectKind kind() {
        return ObjectKind.SHARED_MEMORY;
    }
}
