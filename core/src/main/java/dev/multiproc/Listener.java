package dev.multiproc;

import dev.multiproc.codec.Codec;
import dev.multiproc.internal.MultiprocLog;
import dev.multiproc.internal.admin.ObjectNames;
import dev.multiproc.internal.objects.Attachment;
import dev.multiproc.internal.shm.header.ObjectHeader;
import dev.multiproc.internal.shm.header.ObjectKind;
import dev.multiproc.internal.shm.listener.ListenerLayout;
import dev.multiproc.internal.shm.listener.ListenerState;
import dev.multiproc.internal.shm.wait.WaitPoint;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A named rendezvous that independent processes connect to: Python's
 * {@code multiprocessing.connection.Listener}. {@link Multiproc#listen} makes one (or takes over
 * the name of one whose process died). The listening process keeps a few duplex pipes made in
 * advance on offer; {@link Multiproc#connect}, from any process, claims one and returns at once
 * with its far end, without waiting for this process; {@link #accept()} hands this process the
 * near ends of claimed pipes in the order they were claimed, and makes new ones to offer while it
 * waits. Serve many connections from one thread with {@link Connection#waitAny}.
 *
 * <p>Death: a client that dies is end-of-file on its connection only; a listening process that
 * dies is end-of-file on every connection of its listener, accepted or not, and {@code connect}
 * to its name is refused at once ({@link ConnectionRefusedException}) until another process
 * listens there.
 *
 * <p>An address for another host ({@code aeron:udp?endpoint=host:port}, with the
 * {@code multiproc-remote} module on the path) makes a listener under a generated name that the
 * remote transport connects each admitted client to, as a local client would: {@link #accept()}
 * and {@link Connection#waitAny} are the same for both, and {@link #listenName()} is the address.
 *
 * <p>Closing the listener stops accepting: connections claimed and not yet accepted get
 * end-of-file, new connects are refused; connections it accepted stay open until they are
 * closed. The name goes with the last process that uses it.
 *
 * @param <E> the type of the messages on its connections
 */
public final class Listener<E> extends SharedObject {
    @java.io.Serial
    private static final long serialVersionUID = 1L;

    private final transient ListenerState state;
    private final transient Codec<E> codec;
    private final transient PipeOptions pipes;
    private final transient long token;
    private final transient String listenName;
    /** The near ends of the pipes this process has in the slots, by slot; guarded by {@link #accepting}. */
    private final transient Connection<E>[] offered;
    /** One thread of this process accepts at a time. */
    private final transient ReentrantLock accepting = new ReentrantLock();
    private transient volatile WaitStrategy waitStrategy = WaitStrategy.BACKOFF;
    /** A remote transport admitting clients on the listener's address (null for a local name); stopped first on close. */
    private final transient AtomicReference<AutoCloseable> remoteService = new AtomicReference<>();

    @SuppressWarnings("unchecked")
    Listener(Multiproc context, Attachment attachment, String listenName, Codec<E> codec, PipeOptions pipes) {
        super(context, attachment, false);
        this.state = shared(attachment);
        this.codec = Objects.requireNonNull(codec, "codec");
        this.pipes = pipes;
        this.token = attachment.token();
        this.listenName = listenName;
        @SuppressWarnings("unchecked") // an array of a generic type is made raw, and holds only connections of this codec
        Connection<E>[] slots = (Connection<E>[]) new Connection<?>[state.backlog()];
        this.offered = slots;
        long owner = state.takeOver(token, pipes.capacityBytes(), pipes.maxMessageBytes());
        if (owner != 0) {
            close();
            throw new SharedObjectExistsException(name(), "'" + listenName + "' already has a listener: "
                    + region.liveness().describe(owner) + " listens on it");
        }
        // a listener closed before left its name to go with its last user: it is in use again
        ObjectHeader.publish(region);
        // what closing does must not refer to this handle (it may run once the handle is unreachable)
        ListenerState listening = state;
        Connection<E>[] ends = offered;
        ReentrantLock lock = accepting;
        Multiproc owningContext = context;
        long owning = token;
        AtomicReference<AutoCloseable> service = remoteService;
        onClose(() -> {
            stopQuietly(service.getAndSet(null), listenName);
            listening.close(owning);
            // a thread of ours waiting in accept sees this handle closed within a wait slice and lets go of the lock
            listening.wakeAll();
            lock.lock();
            try {
                for (int slot = 0; slot < ends.length; slot++) {
                    recycle(owningContext, listening, ends, slot);
                }
            } finally {
                lock.unlock();
            }
            ObjectHeader.retire(attachment.region);
        });
        accepting.lock();
        try {
            for (int slot = 0; slot < offered.length; slot++) {
                // whatever a previous owner left is worthless to this one
                recycle(context, state, offered, slot);
            }
            offerSpares();
        } finally {
            accepting.unlock();
        }
    }

    /**
     * Makes closing this listener also stop {@code service}, the remote transport that admits
     * clients on its address (at once if it is already closed).
     */
    void stopOnClose(AutoCloseable service) {
        remoteService.set(service);
        if (isClosed()) {
            stopQuietly(remoteService.getAndSet(null), listenName);
        }
    }

    private static void stopQuietly(AutoCloseable service, String listenName) {
        if (service == null) {
            return;
        }
        try {
            service.close();
        } catch (Exception e) {
            MultiprocLog.get().log(System.Logger.Level.WARNING, "listener ''{0}'': stopping its remote service failed: {1}", listenName, e.toString());
        }
    }

    static ListenerState shared(Attachment attachment) {
        return attachment.shared(ListenerState.class, shared -> new ListenerState(shared.platform, shared.region));
    }

    /**
     * Empties a slot: closes the near end of its pipe if this process made it (a client holding
     * the far end reads end-of-file; an unclaimed pipe goes away whole) and frees it.
     */
    private static <E> void recycle(Multiproc context, ListenerState state, Connection<E>[] offered, int slot) {
        Connection<E> near = offered[slot];
        offered[slot] = null;
        if (near != null) {
            Connection.closeIfNeverAttached(context, near.name(), 1);
            near.close();
        }
        if (state.slotState(slot) != ListenerLayout.SLOT_FREE) {
            state.free(slot);
        }
    }

    /** Keeps {@link ListenerLayout#SPARE_PIPES} pipes on offer; the caller holds {@link #accepting}. */
    private void offerSpares() {
        for (int missing = ListenerLayout.SPARE_PIPES - state.unclaimedOffers(); missing > 0; missing--) {
            Pipe<E> pipe = context.pipe(codec, pipes);
            Connection<E> near = pipe.first();
            pipe.second().handOver();
            int slot = state.offer(near.name());
            if (slot < 0) {
                Connection.closeIfNeverAttached(context, near.name(), 1);
                near.close();
                return;
            }
            offered[slot] = near;
        }
    }

    @Override
    ObjectKind kind() {
        return ObjectKind.LISTENER;
    }

    /** The name clients connect to, as it was given to {@link Multiproc#listen}. */
    public String listenName() {
        return listenName;
    }

    /** How {@link #accept()} waits (default {@link WaitStrategy#BACKOFF}). */
    public void setWaitStrategy(WaitStrategy waitStrategy) {
        this.waitStrategy = Objects.requireNonNull(waitStrategy);
    }

    /**
     * The next client's connection, in the order clients connected; blocks until one connects.
     *
     * @throws IllegalStateException if this listener is closed (also while waiting)
     */
    public Connection<E> accept() throws InterruptedException {
        return accept(null);
    }

    /**
     * The next client's connection, or null if none connects within {@code timeout} (null: wait
     * forever). A connection whose client has died meanwhile is closed and passed over.
     */
    public Connection<E> accept(Duration timeout) throws InterruptedException {
        long deadline = deadline(timeout);
        accepting.lockInterruptibly();
        try {
            while (true) {
                ensureOpen();
                int slot = state.takeNext();
                if (slot >= 0) {
                    Connection<E> connection = acceptClaimed(slot);
                    if (connection != null) {
                        return connection;
                    }
                    continue;
                }
                for (int other = 0; other < offered.length; other++) {
                    if (state.abandoned(other)) {
                        recycle(context, state, offered, other);
                    }
                }
                offerSpares();
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return null;
                }
                state.awaitClaim(remaining, waitStrategy.policy(), whileOpen());
            }
        } finally {
            accepting.unlock();
        }
    }

    /**
     * The near end of a claimed pipe, or null if it is not one this process offered (a claim left
     * from a previous owner). A client that has ended since is no reason to pass it over: what it
     * sent is read first, then end-of-file.
     */
    private Connection<E> acceptClaimed(int slot) {
        Connection<E> near = offered[slot];
        if (near == null || !near.name().equals(state.pipeName(slot))) {
            MultiprocLog.get().log(System.Logger.Level.DEBUG, "listener ''{0}'' passed over a stale claim in slot {1}", listenName, slot);
            recycle(context, state, offered, slot);
            return null;
        }
        offered[slot] = null;
        state.free(slot);
        if (state.unclaimedOffers() == 0) {
            // the next client would find nothing to claim until this process comes back to accept()
            offerSpares();
        }
        return near;
    }

    /** Connections claimed and not yet accepted. */
    public int waitingConnections() {
        return state.waitingClaims();
    }

    // ------------------------------------------------------------------ the client side

    /** Connects to the listener {@code osName} ({@code listenName} to the user): see {@link Multiproc#connect}. */
    static <E> Connection<E> connect(Multiproc context, String listenName, String osName, Codec<E> codec, Duration timeout)
            throws InterruptedException {
        Objects.requireNonNull(codec, "codec");
        long deadline = deadline(timeout);
        Attachment attachment;
        try {
            attachment = Attachment.open(context.platform(), osName, ObjectKind.LISTENER);
        } catch (SharedObjectNotFoundException none) {
            throw new ConnectionRefusedException(listenName, "nobody listens on '" + listenName + "': there is no listener of that name");
        }
        try {
            ListenerState listener = shared(attachment);
            long token = attachment.token();
            while (true) {
                long owner = listener.owner();
                if (!listener.listening()) {
                    throw new ConnectionRefusedException(listenName, "nobody listens on '" + listenName + "': "
                            + (owner == 0 ? "its listener was closed" : "its listener (" + attachment.region.liveness().describe(owner) + ") has ended"));
                }
                int slot = listener.claim(token);
                if (slot < 0) {
                    if (System.nanoTime() - deadline >= 0) {
                        throw new ConnectionRefusedException(listenName, "the listener on '" + listenName
                                + "' offered no connection within the timeout: it has not come back to accept()");
                    }
                    listener.awaitOffer(() -> listener.unclaimedOffers() > 0 || !listener.listening(), slice(deadline), WaitStrategy.BACKOFF.policy());
                    continue;
                }
                Connection<E> far = attachFarEnd(context, listener, slot, owner, codec);
                if (far != null) {
                    listener.claimed(slot);
                    return far;
                }
                listener.withdraw(slot);
            }
        } finally {
            attachment.release();
        }
    }

    /** The far end of the pipe offered in {@code slot}, attached here; null if it is gone or not the owner's. */
    private static <E> Connection<E> attachFarEnd(Multiproc context, ListenerState listener, int slot, long owner, Codec<E> codec) {
        Connection<E> far;
        try {
            far = context.attachConnection(ObjectNames.checkStoredName(listener.name(), "pipe name", listener.pipeName(slot)), 1, codec);
        } catch (SharedObjectNotFoundException | IncompatibleSharedObjectException | CorruptSharedObjectException gone) {
            return null;
        }
        if (far.isClosed() || far.peerHolder() != owner) {
            far.close();
            return null;
        }
        return far;
    }

    /** When a wait of {@code timeout} ends (null: so far ahead that it never does; compare by difference). */
    private static long deadline(Duration timeout) {
        return System.nanoTime() + (timeout == null ? Long.MAX_VALUE / 2 : Math.max(0, Math.min(timeout.toNanos(), Long.MAX_VALUE / 2)));
    }

    /** At most one wait slice, and no later than the deadline. */
    private static long slice(long deadline) {
        return Math.max(0, Math.min(WaitPoint.SLICE_NANOS, deadline - System.nanoTime()));
    }

    @Override
    public String toString() {
        return "Listener[" + listenName + (isClosed() ? ", closed" : "") + "]";
    }
}
