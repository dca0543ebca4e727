package dev.multiproc.internal.shm.wait;

import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NativePlatform;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static dev.multiproc.internal.shm.Words.INT;
import static dev.multiproc.internal.shm.wait.WaitPointLayout.ARMED;
import static dev.multiproc.internal.shm.wait.WaitPointLayout.SEQUENCE_OFFSET;
import static dev.multiproc.internal.shm.wait.WaitPointLayout.SEQUENCE_STEP;
import static dev.multiproc.internal.shm.wait.WaitPointLayout.SLEEPERS_OFFSET;

/**
 * Blocks threads of any process until a condition on shared memory holds, and wakes them when
 * another process changes it: an event count on the two words of {@link WaitPointLayout}.
 *
 * <p>Memory effects: a waiter increments {@code sleepers} (a full fence) before it reads the
 * sequence and then its condition; a waker changes the shared state, issues a full fence, then
 * reads {@code sleepers}. So either the waker sees the sleeper and bumps the sequence (the
 * waiter's arming CAS then fails and it re-checks, or it armed first and the waker, finding the
 * bit, wakes it), or the waiter's re-check sees the new state. No wake-up is lost, and a waker that finds nobody
 * asleep makes no system call.
 *
 * <p>A waiter about to sleep sets the sequence's {@link WaitPointLayout#ARMED} bit with a CAS from
 * the value it read; {@link #wakeAll()} clears it as it bumps the sequence and makes the wake
 * system call only if it was set. Between a wake and the woken thread running again (tens of
 * microseconds on a busy machine) its sleeper count stays raised, and without the bit every
 * state change in that time — each message a producer writes — would pay a wake system call
 * that finds nobody left asleep. {@link #wakeOne()} leaves the bit set, since the sleepers it did
 * not wake still need a later wake, until a wake finds nobody asleep in the kernel.
 *
 * <p>A point made with {@link #fencedBySleepers} lets its wakers skip their fence: a publish that
 * is a release store followed by the read of {@code sleepers} ({@link #wakeOneAfterReleaseWrite()}),
 * as a queue's producer does per message. Such a waker may read {@code sleepers} before its store
 * is visible, miss a sleeper that announced itself meanwhile, and leave it asleep. So a sleeper on
 * such a point sleeps at most {@link #UNFENCED_SLEEP_NANOS} at first; if its condition still does
 * not hold, it fences every process that skips fences ({@link NativePlatform#fenceRemoteThreads()},
 * {@code membarrier} on Linux) and checks again: each waker then either has its store visible or
 * reads {@code sleepers} after it, and the protocol above holds from there on. A wake missed before
 * that costs the sleeper at most that first short sleep; a process that cannot issue the fence
 * looks at its condition every {@link #UNFENCED_SLEEP_NANOS} for as long as it sleeps.
 *
 * <p>Sleeps are cut into slices of {@link #SLICE_NANOS}: a thread blocked in the kernel does not
 * see {@link Thread#interrupt()}, and structures use the slice to look for dead peers. A virtual
 * thread sleeps through {@link CarrierRelease}, its carrier free for other virtual threads.
 */
public final class WaitPoint {
    /** Longest uninterrupted sleep; bounds interrupt latency and dead-peer detection. */
    public static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** How long {@link WaitPolicy#SPIN_THEN_SLEEP} spins before it yields. */
    public static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(20);
    /** How long {@link WaitPolicy#SPIN_THEN_SLEEP} yields, after spinning, before it sleeps. */
    public static final long YIELD_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    private static final int BUSY_CHECK_INTERVAL = 1 << 12;
    /** What {@link #arm} returns when the sequence moved on: no armed value has its bit clear. */
    public static final int NOT_ARMED = 0;
    /**
     * The longest sleep on a {@link #fencedBySleepers} point before its sleeper fences the wakers:
     * the most a wake missed in that window delays it. A sleeper woken sooner never pays the fence
     * (about 50 µs here, an interrupt to each processor running a process that skips fences). Not
     * shorter: a sleep whose timeout was under 2 ms woke more slowly here (a blocking round trip
     * 23 → 28 µs with 1 ms, → 45 µs with 50 µs).
     */
    public static final long UNFENCED_SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final NativePlatform platform;
    private final MappedRegion region;
    private final MemorySegment segment;
    private final long sequenceOffset;
    private final long sleepersOffset;
    /** Whether wakers may skip their fence, and sleepers fence them instead (see the class comment). */
    private final boolean fencedBySleepers;

    /** A wait point at {@code offset} (4-byte aligned) of {@code region}. */
    public WaitPoint(NativePlatform platform, MappedRegion region, long offset) {
        this(platform, region, offset, false);
    }

    private WaitPoint(NativePlatform platform, MappedRegion region, long offset, boolean fencedBySleepers) {
        this.platform = platform;
        this.region = region;
        this.segment = region.segment();
        this.sequenceOffset = offset + SEQUENCE_OFFSET;
        this.sleepersOffset = offset + SLEEPERS_OFFSET;
        this.fencedBySleepers = fencedBySleepers;
    }

    /**
     * A wait point whose wakers may publish with a release store and wake with
     * {@link #wakeOneAfterReleaseWrite()}: its sleepers fence them (see the class comment).
     */
    public static WaitPoint fencedBySleepers(NativePlatform platform, MappedRegion region, long offset) {
        return new WaitPoint(platform, region, offset, true);
    }

    /** Called once per slice while a thread waits; throws to end the wait (peer died, object broken). */
    @FunctionalInterface
    public interface SliceCheck {
        void check() throws InterruptedException;
    }

    /** A slice check that checks nothing. */
    public static final SliceCheck NO_CHECK = () -> { };

    /**
     * Waits until {@code condition} holds or {@code timeoutNanos} passes (negative: forever).
     *
     * @return whether the condition holds; false only on timeout
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public boolean await(BooleanSupplier condition, long timeoutNanos, WaitPolicy policy, SliceCheck sliceCheck)
            throws InterruptedException {
        return await(condition, timeoutNanos, policy, sliceCheck, NO_CHECK);
    }

    /**
     * {@link #await(BooleanSupplier, long, WaitPolicy, SliceCheck)} with two slice checks, the
     * caller's then the structure's own, run one after the other: a structure that adds its own
     * check (looking for dead peers) allocates nothing per wait to join them.
     */
    public boolean await(BooleanSupplier condition, long timeoutNanos, WaitPolicy policy, SliceCheck callerCheck, SliceCheck ownCheck)
            throws InterruptedException {
        if (condition.getAsBoolean()) {
            return true;
        }
        long start = System.nanoTime();
        boolean forever = timeoutNanos < 0;
        if (policy == WaitPolicy.SPIN) {
            return spinUntil(condition, start, forever, timeoutNanos, callerCheck, ownCheck);
        }
        if (policy == WaitPolicy.SPIN_THEN_SLEEP) {
            long elapsed;
            while ((elapsed = System.nanoTime() - start) < SPIN_NANOS + YIELD_NANOS) {
                if (!forever && elapsed >= timeoutNanos) {
                    return false;
                }
                if (elapsed < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
                if (condition.getAsBoolean()) {
                    return true;
                }
            }
        }
        return sleepUntil(List.of(this), condition, start, forever ? -1 : timeoutNanos, callerCheck, ownCheck);
    }

    private static boolean spinUntil(BooleanSupplier condition, long start, boolean forever, long timeoutNanos,
                                     SliceCheck callerCheck, SliceCheck ownCheck) throws InterruptedException {
        long lastSlice = start;
        for (int i = 1; ; i++) {
            Thread.onSpinWait();
            if (condition.getAsBoolean()) {
                return true;
            }
            if ((i & (BUSY_CHECK_INTERVAL - 1)) == 0) {
                // where spinners outnumber the cores, the thread this one waits for may be queued behind it
                Thread.yield();
                long now = System.nanoTime();
                if (!forever && now - start >= timeoutNanos) {
                    return false;
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                if (now - lastSlice >= SLICE_NANOS) {
                    lastSlice = now;
                    callerCheck.check();
                    ownCheck.check();
                }
            }
        }
    }

    /**
     * Waits until {@code condition} holds, sleeping on all of {@code points} at once (woken by a
     * wake of any of them); the same protocol as {@link #await}, with every point's sleeper count
     * raised while sleeping; {@code sliceCheck} runs once per slice of elapsed time. Negative
     * timeout: forever.
     *
     * @return whether the condition holds; false only on timeout
     */
    public static boolean awaitAny(List<WaitPoint> points, BooleanSupplier condition, long timeoutNanos, SliceCheck sliceCheck)
            throws InterruptedException {
        if (condition.getAsBoolean()) {
            return true;
        }
        return sleepUntil(points, condition, System.nanoTime(), timeoutNanos, sliceCheck, NO_CHECK);
    }

    /**
     * The sleeping half of every wait: raise each point's sleeper count (a full fence), then
     * until the condition holds read each sequence, check the condition, and sleep in the kernel
     * on the sequences read. Slice checks run by elapsed time, not after a whole slice slept, so
     * that steady wake-ups cannot put them off. The whole of it, sleeper counts included, is
     * announced to the mappings it uses, which are then not unmapped under it; a mapping that
     * starts closing ends the wait with {@link IllegalStateException}, the sleeper counts
     * restored.
     */
    private static boolean sleepUntil(List<WaitPoint> points, BooleanSupplier condition, long start, long timeoutNanos,
                                      SliceCheck callerCheck, SliceCheck ownCheck) throws InterruptedException {
        int count = points.size();
        long[] offsets = new long[count];
        int[] sequences = new int[count];
        List<MappedRegion> regions = new ArrayList<>(count);
        for (WaitPoint point : points) {
            regions.add(point.region);
        }
        int entered = 0;
        try {
            for (MappedRegion region : regions) {
                if (!region.enterBlockingCall()) {
                    throw closed(region);
                }
                entered++;
            }
            for (int i = 0; i < count; i++) {
                WaitPoint point = points.get(i);
                offsets[i] = point.sequenceOffset;
                INT.getAndAdd(point.segment, point.sleepersOffset, 1);
            }
            try {
                return sleepAnnounced(points, regions, offsets, sequences, condition, start, timeoutNanos, callerCheck, ownCheck);
            } finally {
                for (WaitPoint point : points) {
                    INT.getAndAdd(point.segment, point.sleepersOffset, -1);
                }
            }
        } finally {
            for (int i = 0; i < entered; i++) {
                regions.get(i).exitBlockingCall();
            }
        }
    }

    private static boolean sleepAnnounced(List<WaitPoint> points, List<MappedRegion> regions, long[] offsets, int[] sequences,
                                          BooleanSupplier condition, long start, long timeoutNanos, SliceCheck callerCheck,
                                          SliceCheck ownCheck) throws InterruptedException {
        int count = points.size();
        NativePlatform platform = points.getFirst().platform;
        long lastCheck = start;
        boolean fencePending = false;
        for (WaitPoint point : points) {
            fencePending |= point.fencedBySleepers;
        }
        boolean fenceRefused = false;
        long fenceAt = System.nanoTime() + UNFENCED_SLEEP_NANOS;
        while (true) {
            for (int i = 0; i < count; i++) {
                sequences[i] = (int) INT.getVolatile(points.get(i).segment, offsets[i]);
            }
            if (condition.getAsBoolean()) {
                return true;
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            for (MappedRegion region : regions) {
                if (region.isClosing()) {
                    throw closed(region);
                }
            }
            long now = System.nanoTime();
            if (now - lastCheck >= SLICE_NANOS) {
                lastCheck = now;
                callerCheck.check();
                ownCheck.check();
                continue;
            }
            if (fencePending && now - fenceAt >= 0) {
                fencePending = false;
                fenceRefused = !platform.fenceRemoteThreads();
                // every waker that skipped its fence now has its publish visible or sees this sleeper
                continue;
            }
            long untilCheck = SLICE_NANOS - (now - lastCheck);
            long remaining = timeoutNanos >= 0 ? timeoutNanos - (now - start) : Long.MAX_VALUE;
            if (remaining <= 0) {
                return false;
            }
            long slice = Math.min(untilCheck, remaining);
            long sleep = fencePending ? Math.min(slice, fenceAt - now)
                    : fenceRefused ? Math.min(slice, UNFENCED_SLEEP_NANOS) : slice;
            if (!armAll(points, sequences)) {
                continue;
            }
            if (count == 1) {
                CarrierRelease.run(() -> platform.await(regions.getFirst(), offsets[0], sequences[0], sleep));
            } else {
                CarrierRelease.run(() -> platform.awaitAny(regions, offsets, sequences, sleep));
            }
        }
    }

    /**
     * Arms each point for a sleep on the sequence read before the condition's check (the arming
     * CAS from that value sets the bit in {@code sequences} too); false if a sequence moved on
     * since, so that the condition must be checked again.
     */
    private static boolean armAll(List<WaitPoint> points, int[] sequences) {
        for (int i = 0; i < sequences.length; i++) {
            int armed = points.get(i).arm(sequences[i]);
            if (armed == NOT_ARMED) {
                return false;
            }
            sequences[i] = armed;
        }
        return true;
    }

    /**
     * Sets the {@link WaitPointLayout#ARMED} bit of the sequence if it still reads {@code observed}
     * (step 3 of spec/wait-point.md's wait); returns the value to sleep on, or {@link #NOT_ARMED}
     * if the sequence moved on (a wake came: check the condition again).
     */
    public int arm(int observed) {
        if ((observed & ARMED) != 0) {
            return observed;
        }
        int armed = observed | ARMED;
        return INT.compareAndSet(segment, sequenceOffset, observed, armed) ? armed : NOT_ARMED;
    }

    private static IllegalStateException closed(MappedRegion region) {
        return new IllegalStateException("'" + region.name() + "' is closed in this process");
    }

    /** Wakes every sleeper; call after the state change they wait for. */
    public void wakeAll() {
        VarHandle.fullFence();
        wakeAllIfSleeping();
    }

    /**
     * Wakes one sleeper; only for conditions that one woken thread fully consumes (a free lock, a
     * free slot, a message), and where a woken thread that leaves without consuming passes the
     * wake on.
     */
    public void wakeOne() {
        VarHandle.fullFence();
        wakeOneIfSleeping();
    }

    /**
     * {@link #wakeAll()} for a caller whose state change was itself a volatile write or a CAS,
     * which already orders it before the read of the sleeper count: saves a fence on hot paths.
     */
    public void wakeAllAfterVolatileWrite() {
        wakeAllIfSleeping();
    }

    /**
     * {@link #wakeOne()} for a caller whose state change was a release store, with no fence after
     * it; only on a point made with {@link #fencedBySleepers}, whose sleepers fence such callers
     * before they trust a check of their condition.
     */
    public void wakeOneAfterReleaseWrite() {
        if (!fencedBySleepers) {
            throw new IllegalStateException("a wake without a fence on a point whose sleepers do not fence its wakers");
        }
        wakeOneIfSleeping();
    }

    /** {@link #wakeOne()} for a caller whose state change was a volatile write or a CAS. */
    public void wakeOneAfterVolatileWrite() {
        wakeOneIfSleeping();
    }

    /**
     * Bumps the sequence, clearing {@link WaitPointLayout#ARMED} (every sleeper is woken: one
     * that sleeps again arms again), and makes the system call only if the bit was set.
     */
    private void wakeAllIfSleeping() {
        if ((int) INT.getVolatile(segment, sleepersOffset) > 0) {
            int sequence = (int) INT.getVolatile(segment, sequenceOffset);
            while (!INT.compareAndSet(segment, sequenceOffset, sequence, (sequence & ~ARMED) + SEQUENCE_STEP)) {
                sequence = (int) INT.getVolatile(segment, sequenceOffset);
            }
            if ((sequence & ARMED) != 0) {
                platform.wake(region, sequenceOffset, Integer.MAX_VALUE);
            }
        }
    }

    /**
     * With one sleeper, {@link #wakeAllIfSleeping}. With more: bumps the sequence, the
     * {@link WaitPointLayout#ARMED} bit kept for the sleepers not woken, and if it was set wakes
     * one. If the kernel had nobody to wake (every thread that armed is awake already), clears the
     * bit with a CAS from the bumped value, so that the wakes that follow make no system call until
     * a thread arms again, and then wakes all: a thread that found the bit set needed no arming
     * CAS, and may have gone to sleep on the bumped value between the first wake and the CAS —
     * with the bit clear nobody may stay asleep. A thread not yet asleep finds the word changed
     * and checks again.
     */
    private void wakeOneIfSleeping() {
        int sleepers = (int) INT.getVolatile(segment, sleepersOffset);
        if (sleepers == 1) {
            wakeAllIfSleeping();
        } else if (sleepers > 1) {
            int sequence = (int) INT.getAndAdd(segment, sequenceOffset, SEQUENCE_STEP);
            if ((sequence & ARMED) != 0 && platform.wake(region, sequenceOffset, 1) == 0) {
                int bumped = sequence + SEQUENCE_STEP;
                if (INT.compareAndSet(segment, sequenceOffset, bumped, bumped & ~ARMED)) {
                    platform.wake(region, sequenceOffset, Integer.MAX_VALUE);
                }
            }
        }
    }

    /** How many threads sleep here now (for listings and tests). */
    public int sleepers() {
        return (int) INT.getVolatile(segment, sleepersOffset);
    }
}
