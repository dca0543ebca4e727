package dev.multiproc;

import dev.multiproc.internal.objects.Attachment;
import dev.multiproc.internal.objects.ClaimedOnce;
import dev.multiproc.internal.shm.header.ObjectKind;
import dev.multiproc.internal.shm.semaphore.SemaphoreState;
import dev.multiproc.internal.shm.table.ParticipantTable;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A counting semaphore shared by processes: Python's {@code Semaphore} and
 * {@code BoundedSemaphore}, with {@link java.util.concurrent.Semaphore}'s method names.
 * A bounded semaphore refuses a release above its initial permits with
 * {@link IllegalStateException}.
 *
 * <p>Memory effects: what a process wrote before {@link #release()} is visible to the process
 * whose acquire takes that permit.
 *
 * <p>A process that dies holding permits: a <em>bounded</em> semaphore is a resource limit, so
 * it records how many permits each process holds (acquired minus released) and its waiters
 * give a dead process's permits back by themselves, before sleeping and every 50 ms (or at
 * once with {@link #recoverPermitsOfDeadProcesses()}); permits a process still holds when it
 * ends, however it ends, come back. A <em>plain</em> semaphore may be a signal that one process
 * acquires and another releases, so "held" means nothing: it records nothing, and a dead
 * process's permits are lost, as with Python's and POSIX semaphores (and it costs two atomic
 * operations less per acquire/release pair). See {@code spec/semaphore.md}.
 */
public final class SharedSemaphore extends SharedObject {
    @java.io.Serial
    private static final long serialVersionUID = 1L;

    /** The semaphore's state in one attachment, with this process's slot in its holder table. */
    static final class SemaphoreShared implements Attachment.Shared {
        final SemaphoreState state;
        /** This process's slot in the holder table (none if the table is full or nothing is recorded). */
        private final ClaimedOnce slot;

        SemaphoreShared(Attachment attachment) {
            this.state = new SemaphoreState(attachment.platform, attachment.region);
            this.slot = new ClaimedOnce(() -> state.recoversDeadHolders() ? state.claimSlot(attachment.token()) : ParticipantTable.NO_SLOT);
        }

        int slot() {
            return slot.get();
        }

        @Override
        public void wakeAll() {
            state.wakeAll();
        }

        @Override
        public int sleepers() {
            return state.sleepers();
        }
    }

    private final transient SemaphoreState state;
    private final transient SemaphoreShared shared;
    private transient volatile WaitStrategy waitStrategy = WaitStrategy.BACKOFF;

    SharedSemaphore(Multiproc context, Attachment attachment, boolean createdHere) {
        super(context, attachment, createdHere);
        this.shared = attachment.shared(SemaphoreShared.class, SemaphoreShared::new);
        this.state = shared.state;
    }

    @Override
    ObjectKind kind() {
        return ObjectKind.SEMAPHORE;
    }

    public void setWaitStrategy(WaitStrategy waitStrategy) {
        this.waitStrategy = Objects.requireNonNull(waitStrategy);
    }

    private int slot() {
        return shared.slot();
    }

    private static int checkPermits(int permits) {
        if (permits <= 0) {
            throw new IllegalArgumentException("permits must be positive, got " + permits);
        }
        return permits;
    }

    public void acquire() throws InterruptedException {
        acquire(1);
    }

    public void acquire(int permits) throws InterruptedException {
        ensureOpen();
        state.acquire(checkPermits(permits), slot(), -1, waitStrategy.policy(), whileOpen());
    }

    /** Takes a permit, waiting without giving way to interrupts (the interrupt status is kept). */
    public void acquireUninterruptibly() {
        acquireUninterruptibly(1);
    }

    /** Takes {@code permits} at once, waiting without giving way to interrupts (the interrupt status is kept). */
    public void acquireUninterruptibly(int permits) {
        checkPermits(permits);
        boolean interrupted = false;
        while (true) {
            try {
                acquire(permits);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean tryAcquire() {
        return tryAcquire(1);
    }

    public boolean tryAcquire(int permits) {
        ensureOpen();
        return state.tryAcquire(checkPermits(permits), slot());
    }

    public boolean tryAcquire(long timeout, TimeUnit unit) throws InterruptedException {
        return tryAcquire(1, timeout, unit);
    }

    public boolean tryAcquire(int permits, long timeout, TimeUnit unit) throws InterruptedException {
        ensureOpen();
        return state.acquire(checkPermits(permits), slot(), Math.max(0, unit.toNanos(timeout)), waitStrategy.policy(), whileOpen());
    }

    public boolean tryAcquire(Duration timeout) throws InterruptedException {
        return tryAcquire(1, timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    public void release() {
        release(1);
    }

    /**
     * @throws IllegalStateException if a bounded semaphore would exceed its initial permits
     */
    public void release(int permits) {
        ensureOpen();
        if (state.release(checkPermits(permits), slot()) == SemaphoreState.Released.OVER_BOUND) {
            throw new IllegalStateException("semaphore '" + name() + "' released too many times: it is bounded to "
                    + state.bound() + " permits and " + state.available() + " are free");
        }
    }

    public int availablePermits() {
        ensureOpen();
        return state.available();
    }

    /** Takes every free permit; returns how many. */
    public int drainPermits() {
        ensureOpen();
        return state.drain(slot());
    }

    /** Whether releases above the initial permits are refused. */
    public boolean isBounded() {
        return state.bound() > 0;
    }

    /** Permits this process holds now, for a bounded semaphore (acquired minus released); 0 for a plain one. */
    public long heldByThisProcess() {
        ensureOpen();
        int own = slot();
        return own == ParticipantTable.NO_SLOT ? 0 : state.held(own);
    }

    /** Gives back the permits held by processes that have ended (bounded semaphores); returns how many came back. */
    public int recoverPermitsOfDeadProcesses() {
        ensureOpen();
        return state.recoverDeadHolders();
    }

}
