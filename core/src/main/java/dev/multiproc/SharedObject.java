package dev.multiproc;

import dev.multiproc.internal.objects.Attachment;
import dev.multiproc.internal.shm.header.ObjectHeader;
import dev.multiproc.internal.shm.header.ObjectKind;
import dev.multiproc.internal.shm.wait.WaitPoint;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NativePlatform;

import java.io.Serial;
import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A handle on a named object in shared memory. Every shared type extends it, which gives them
 * all the same life cycle and the same way of travelling between processes:
 *
 * <ul>
 *   <li>Serialising a handle (a target's captured value, a queued message) writes only its kind
 *       and name ({@link SharedObjectReference}); deserialising it in another JVM attaches to
 *       the same memory there. All the handles of one JVM on one object share one attachment
 *       (one mapping, one place in the object): receiving a handle again costs a lookup.</li>
 *   <li>{@link #close()} closes this handle: its threads waiting on the object wake with
 *       {@link IllegalStateException} within one wait slice, and the mapping goes with the last
 *       handle of the process. A handle nobody references any more is closed when the garbage
 *       collector finds it.</li>
 *   <li>Closing the handle that created an object (or its context) retires it: its name is
 *       removed as soon as no process uses it — at once if nobody else has it mapped, else by the
 *       last process to let go ({@link SharedMemory} keeps its name until
 *       {@link SharedMemory#unlink()}, as in Python).</li>
 * </ul>
 */
public abstract class SharedObject implements AutoCloseable, Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
    private static final Cleaner CLEANER = Cleaner.create();

    final transient Multiproc context;
    final transient Attachment attachment;
    final transient MappedRegion region;
    final transient boolean createdHere;
    private final transient HandleState handle;
    private final transient Cleaner.Cleanable cleanable;
    private final transient WaitPoint.SliceCheck openCheck;

    /**
     * This handle's part: closed flag and what closing does. It never refers to the handle object
     * itself, so that it can close a handle that the garbage collector has found unreachable.
     */
    static final class HandleState implements Runnable {
        private final Multiproc context;
        private final Attachment attachment;
        private final AtomicBoolean closed = new AtomicBoolean();
        private volatile boolean retireOnClose;
        private volatile Runnable onClose;

        HandleState(Multiproc context, Attachment attachment, boolean retireOnClose) {
            this.context = context;
            this.attachment = attachment;
            this.retireOnClose = retireOnClose;
        }

        boolean isClosed() {
            return closed.get();
        }

        @Override
        public void run() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            try {
                Runnable release = onClose;
                if (release != null) {
                    release.run();
                }
                attachment.wakeAll();
                if (retireOnClose) {
                    ObjectHeader.retire(attachment.region);
                    context.forgetCreated(attachment.name());
                }
            } finally {
                context.forgetHandle(this);
                attachment.release();
            }
        }
    }

    SharedObject(Multiproc context, Attachment attachment, boolean createdHere) {
        this.context = context;
        this.attachment = attachment;
        this.region = attachment.region;
        this.createdHere = createdHere;
        this.handle = new HandleState(context, attachment, createdHere);
        context.trackHandle(this.handle, createdHere ? this : null);
        this.cleanable = CLEANER.register(this, handle);
        this.openCheck = this::ensureOpen;
    }

    /** The object's name, valid in every process on this machine until it is removed. */
    public String name() {
        return region.name();
    }

    /** Threads of all processes asleep on the object now (for listings and tests). */
    int sleepers() {
        return attachment.sleepers();
    }

    /** Whether this handle has been closed. */
    public boolean isClosed() {
        return handle.isClosed();
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

    /** Closing this creator's handle leaves the name in place (shared memory blocks and pipe ends decide themselves). */
    final void keepNameOnClose() {
        handle.retireOnClose = false;
    }

    /**
     * What closing this handle does besides letting go of the attachment. The action runs once,
     * also when the handle is closed because nothing references it: it must not refer to the handle.
     */
    final void onClose(Runnable release) {
        handle.onClose = release;
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
        if (handle.isClosed()) {
            throw new IllegalStateException(kind().label() + " '" + name() + "' is closed in this process");
        }
    }

    /** {@code check} (run once per wait slice), after making sure this handle is still open. */
    final WaitPoint.SliceCheck whileOpen(WaitPoint.SliceCheck check) {
        return () -> {
            ensureOpen();
            check.check();
        };
    }

    /** A slice check that only ends the wait when this handle is closed (made once: a wait allocates nothing for it). */
    final WaitPoint.SliceCheck whileOpen() {
        return openCheck;
    }

    /** Removes the name now (processes already attached keep working). */
    final void unlinkName() {
        platform().unlinkRegion(name());
        context.forgetCreated(name());
    }

    @Override
    public void close() {
        cleanable.clean();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + name() + (isClosed() ? ", closed" : "") + "]";
    }
}
