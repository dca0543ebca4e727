package dev.multiproc.internal.objects;

import dev.multiproc.IncompatibleSharedObjectException;
import dev.multiproc.internal.admin.ObjectNames;
import dev.multiproc.internal.shm.header.ObjectHeader;
import dev.multiproc.internal.shm.header.ObjectKind;
import dev.multiproc.internal.shm.wait.Waiters;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NativePlatform;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * One shared object mapped into this JVM, and what every handle on it here shares: the mapping,
 * the protocol objects over it (wait points, rings, a queue's intent entries, a barrier's place
 * in its participant table) and this process's token. However many handles a process opens on
 * an object — a target captured a thousand times, a handle received in every message — it maps
 * the object once and takes part in it once.
 *
 * <p>The attachment lives from its first handle to its last: when the last one here closes (or
 * is garbage-collected), the kind's shared state lets go of what it holds in the object, the
 * memory is unmapped, and, if the object's creator has retired it meanwhile or has died, its name
 * is removed unless another process still uses it (then that process does so when it lets go).
 *
 * <p>Attachments are found by name. A name removed and made again names a new object: an
 * attachment is reused only while the name still points to the object it mapped, or to nothing.
 */
public final class Attachment {

    /**
     * What a kind keeps once per attachment besides the protocol object itself: this process's
     * place in the object, let go of when the last handle here closes.
     */
    public interface Shared extends Waiters {
        /** The last handle here is closing: let go of what this process holds in the object. */
        default void detach() {
        }

        /** The object's name has just been removed for good: remove what hangs off it. */
        default void nameRemoved(NativePlatform platform) {
        }
    }

    /** Attachments by object name; guarded by itself. */
    private static final Map<String, Attachment> BY_NAME = new HashMap<>();

    public final NativePlatform platform;
    public final MappedRegion region;
    public final ObjectKind kind;
    /** Handles open on this attachment; guarded by {@link #BY_NAME}. */
    private int handles = 1;
    /** The kind's protocol object over the mapping (a {@link Shared} if the process holds a place in it); guarded by this. */
    private Waiters shared;

    private Attachment(NativePlatform platform, MappedRegion region, ObjectKind kind) {
        this.platform = platform;
        this.region = region;
        this.kind = kind;
    }

    /** The attachment of an object this process has just created (one handle on it). */
    static Attachment created(NativePlatform platform, MappedRegion region, ObjectKind kind) {
        Attachment attachment = new Attachment(platform, region, kind);
        synchronized (BY_NAME) {
            BY_NAME.put(region.name(), attachment);
        }
        return attachment;
    }

    /**
     * A handle's worth of the attachment of {@code name}: the existing one if this JVM has it
     * mapped (and the name still means it), else a new mapping.
     *
     * @throws SharedObjectNotFoundException     if there is no such object
     * @throws IncompatibleSharedObjectException if it is not a {@code kind}
     */
    public static Attachment open(NativePlatform platform, String name, ObjectKind kind) {
        Attachment reused = reuse(name, kind, 0);
        if (reused != null) {
            return reused;
        }
        MappedRegion region = ObjectHeader.open(platform, name, kind);
        Attachment raced = reuse(name, kind, region.fileId());
        if (raced != null) {
            region.close();
            return raced;
        }
        Attachment attachment = new Attachment(platform, region, kind);
        synchronized (BY_NAME) {
            BY_NAME.put(name, attachment);
        }
        return attachment;
    }

    /**
     * The mapped attachment of {@code name} with one more handle, if there is one that still
     * stands for the name ({@code fileId} 0: ask the platform what the name means now).
     */
    private static Attachment reuse(String name, ObjectKind kind, long fileId) {
        synchronized (BY_NAME) {
            Attachment cached = BY_NAME.get(name);
            if (cached == null || cached.handles == 0) {
                return null;
            }
            if (fileId == 0) {
                OptionalLong now = cached.platform.regionId(name);
                if (now.isPresent() && now.getAsLong() != cached.region.fileId()) {
                    return null;
                }
            } else if (fileId != cached.region.fileId()) {
                return null;
            }
            if (cached.kind != kind) {
                throw new IncompatibleSharedObjectException(name, "'" + name + "' cannot be opened as a " + kind.label()
                        + ": it is a " + cached.kind.label());
            }
            cached.handles++;
            return cached;
        }
    }

    public String name() {
        return region.name();
    }

    /** This process's liveness token among the users of the object. */
    public long token() {
        return region.liveness().currentToken();
    }

    /**
     * The kind's shared state, made by {@code factory} on first use.
     *
     * @throws IncompatibleSharedObjectException if another type of handle made it (a name reused for another kind)
     */
    public synchronized <T extends Waiters> T shared(Class<T> type, Function<Attachment, T> factory) {
        if (shared == null) {
            shared = factory.apply(this);
        }
        if (!type.isInstance(shared)) {
            throw new IncompatibleSharedObjectException(name(), "'" + name() + "' is attached here as "
                    + shared.getClass().getSimpleName() + ", not " + type.getSimpleName());
        }
        return type.cast(shared);
    }

    private synchronized Waiters sharedOrNull() {
        return shared;
    }

    /** Threads of all processes asleep on the object now (0 for kinds nobody waits on). */
    public int sleepers() {
        Waiters current = sharedOrNull();
        return current == null ? 0 : current.sleepers();
    }

    /** Wakes this process's waiters on the object (a handle closed: its waiters must notice). */
    public void wakeAll() {
        Waiters current = sharedOrNull();
        if (current != null) {
            current.wakeAll();
        }
    }

    /** A handle let go; the last one detaches. */
    public void release() {
        synchronized (BY_NAME) {
            if (--handles > 0) {
                return;
            }
            if (BY_NAME.get(name()) == this) {
                BY_NAME.remove(name());
            }
        }
        detach();
    }

    private void detach() {
        Shared current = sharedOrNull() instanceof Shared kept ? kept : null;
        boolean orphaned;
        try {
            if (current != null) {
                current.detach();
            }
        } finally {
            orphaned = isOrphaned();
            region.close();
        }
        if (orphaned && platform.unlinkRegionIfUnused(name()) && current != null) {
            current.nameRemoved(platform);
        }
    }

    /**
     * Whether nobody will remove the object's name but its last user: its creator retired it, or
     * the process that created it (with its context) has died.
     */
    private boolean isOrphaned() {
        if (ObjectHeader.isRetired(region)) {
            return true;
        }
        long creator = ObjectHeader.creatorOf(region);
        return creator != 0 && ObjectNames.contextIdOf(name()).isPresent() && !region.liveness().isAlive(creator);
    }

    @Override
    public String toString() {
        return "Attachment[" + name() + ", " + kind.label() + "]";
    }
}
