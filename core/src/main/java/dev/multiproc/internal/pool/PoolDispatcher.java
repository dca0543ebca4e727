package dev.multiproc.internal.pool;

import dev.multiproc.BufferTooShortException;
import dev.multiproc.Connection;
import dev.multiproc.JvmProcess;
import dev.multiproc.Multiproc;
import dev.multiproc.MultiprocException;
import dev.multiproc.Pipe;
import dev.multiproc.PipeOptions;
import dev.multiproc.PoolMetrics;
import dev.multiproc.PoolOptions;
import dev.multiproc.SerializableFunction;
import dev.multiproc.SharedLongArray;
import dev.multiproc.SharedSemaphore;
import dev.multiproc.TaskFailedException;
import dev.multiproc.WaitStrategy;
import dev.multiproc.WorkerDiedException;
import dev.multiproc.codec.Codec;
import dev.multiproc.internal.pool.PoolWorker;
import dev.multiproc.internal.pool.TaskCodec;
import dev.multiproc.internal.pool.WorkCache;
import dev.multiproc.internal.process.TargetBytes;
import dev.multiproc.jfr.EventGate;
import dev.multiproc.jfr.PoolWorkerDiedEvent;

import java.io.EOFException;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The machinery behind a {@code ProcessPool}: its worker JVMs (started, watched, replaced when
 * they die or reach {@code maxTasksPerChild}), the queue of tasks, and the collector thread that
 * sends each worker the tasks it has room for, reads the results and completes the futures. The
 * pool's public surface ({@code dev.multiproc.ProcessPool}) delegates here. The queue, the workers'
 * in-flight tasks and the submission state are guarded by this object's monitor, as they were by
 * the pool's; the counters are atomic and the state flags volatile.
 */
public final class PoolDispatcher {
    private static final AtomicInteger WORKER_NUMBERS = new AtomicInteger();
    private static final Duration WORKER_EXIT_GRACE = Duration.ofSeconds(10);
    /** Workers in a row whose initializer threw before the pool gives up and fails the work waiting for them. */
    public static final int INITIALIZER_ATTEMPTS = 3;
    private static final long FIRST_RESTART_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /**
     * Tasks sent to a worker and not yet answered, at most: the one it runs and those waiting in
     * its pipe. Enough that a map's chunks (four per worker, as in Python) go out at once; those
     * behind a long task are taken back for a worker that runs out of work.
     */
    public static final int MAX_IN_FLIGHT = 8;
    /** A worker's result buffer at first; it grows to the largest result, up to {@link #MAX_KEPT_RESULT_BUFFER_BYTES}. */
    private static final int FIRST_RESULT_BUFFER_BYTES = 16 << 10;
    /** Results longer than this are received into an array of their own, so that one large result does not stay held. */
    private static final int MAX_KEPT_RESULT_BUFFER_BYTES = 1 << 20;
    /** How often the collector looks for ended workers when nothing signals it. */
    private static final long COLLECTOR_SLICE_MILLIS = 200;

    private enum State { RUNNING, SHUTDOWN, STOPPED }

    /** Held by the thread sending tasks to workers (the collector, or a submitting thread): a worker's pipe has one writer at a time. */
    private final java.util.concurrent.locks.ReentrantLock sending = new java.util.concurrent.locks.ReentrantLock();

    /** A function as the workers get it: serialised once, under an id the workers remember it by. */
    private record Work(long id, byte[] serialised) {
    }

    /** A task waiting for, or sent to, a worker. */
    private static final class PendingTask {
        final long id;
        final Work work;
        final Serializable function;
        final List<?> items;
        /** The items as the message carries them, encoded when the task was submitted (null for a call). */
        final byte[] encodedItems;
        final String description;
        /** Where its values are read into: its chunk's place in the array of a map's results (null: an array of their own). */
        final ResultSlice resultsInto;
        final Consumer<PoolWorker.Result> onResult;
        final Consumer<Throwable> onFailure;
        /** Its place in the order of the tasks sent to the worker it was sent to last ({@link StartWord}); guarded by the pool. */
        long ordinal;

        PendingTask(long id, Work work, Serializable function, List<?> items, byte[] encodedItems, String description,
                    ResultSlice resultsInto, Consumer<PoolWorker.Result> onResult, Consumer<Throwable> onFailure) {
            this.id = id;
            this.work = work;
            this.function = function;
            this.items = items;
            this.encodedItems = encodedItems;
            this.description = description;
            this.resultsInto = resultsInto;
            this.onResult = onResult;
            this.onFailure = onFailure;
        }
    }

    /** One worker JVM and the pool's end of its pipe. */
    private final class Worker {
        /** Its place in the pool (and in {@link #slots}). */
        final int slot;
        final JvmProcess process;
        final Connection<byte[]> connection;
        /** Tasks sent and not answered nor taken back, in the order sent (which is the order answered); guarded by the pool. */
        final Deque<PendingTask> inFlight = new ArrayDeque<>();
        /** The functions it holds (collector thread only). */
        final WorkCache works = new WorkCache();
        /** Tasks sent to it and not taken back; at maxTasksPerChild it is sent no more. */
        int sent;
        /** The ordinal of the last task sent to it, taken back or not; guarded by the pool. */
        long lastOrdinal;
        /** Results read from it (collector thread only). */
        long read;
        /** Where its results are received, reused (collector thread only); see {@link #receiveResult}. */
        byte[] resultBuffer = new byte[FIRST_RESULT_BUFFER_BYTES];
        /** What its initializer threw, if it reported that before ending. */
        Throwable initializerFailure;
        /** Once it has ended and been accounted for: when its replacement may start (after a failed initializer, later). */
        long replaceAt;
        boolean ended;

        Worker(int slot, JvmProcess process, Connection<byte[]> connection) {
            this.slot = slot;
            this.process = process;
            this.connection = connection;
        }

        boolean mayTakeMore() {
            return !ended && inFlight.size() < MAX_IN_FLIGHT && (options.maxTasksPerChild() == 0 || sent < options.maxTasksPerChild());
        }
    }

    private final Multiproc context;
    private final PoolOptions options;
    /** How the collector and the workers wait ({@link PoolOptions#waitStrategyOn}). */
    private final WaitStrategy waitStrategy;
    private final Worker[] workers;
    private final Deque<PendingTask> queue = new ArrayDeque<>();
    private final LongAdder tasksAnswered = new LongAdder();
    private final LongAdder tasksLost = new LongAdder();
    private final LongAdder workerDeaths = new LongAdder();
    private final LongAdder tasksTakenBack = new LongAdder();
    /** Released by a worker per result, and by this process for a submission, a shutdown or a worker's end. */
    private final SharedSemaphore signals;
    /**
     * Per worker slot, written by its worker: its {@link StartWord} (the pool takes tasks back there
     * too), how many results it has announced (before it sends each) and whether it is ready; see
     * {@link PoolWorker}.
     */
    private final SharedLongArray slots;
    private final AtomicLong taskIds = new AtomicLong();
    private final AtomicLong workIds = new AtomicLong();
    /** Functions already serialised, by identity (a lambda without captures is one object): a map of one again sends nothing new. */
    private final Map<Object, Work> serialisedWorks = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final Thread collector;
    private volatile State state = State.RUNNING;
    /** Workers in a row (since the last result) whose initializer threw. */
    private int initializerFailures;
    /** Submissions whose tasks are still being added (a map adds each chunk as it encodes it); guarded by the pool. */
    private int submitting;
    /** Once the pool has stopped: what tasks added since fail with; guarded by the pool. */
    private RuntimeException stoppedWith;
    /** Why the pool stopped on its own (its initializer kept failing), for later submissions. */
    private volatile Throwable brokenBy;

    /** Starts the pool's workers and its collector thread; {@code waitStrategy} is how they wait. */
    public PoolDispatcher(Multiproc context, PoolOptions options, WaitStrategy waitStrategy) {
        this.context = context;
        this.options = options;
        if (options.initializer() != null) {
            TargetBytes.serialise(options.initializer(), "the pool's initializer");
        }
        this.signals = context.semaphore(0);
        this.waitStrategy = waitStrategy;
        signals.setWaitStrategy(waitStrategy);
        this.slots = context.sharedLongArray(PoolWorker.SLOT_LONGS * options.workers());
        this.workers = new Worker[options.workers()];
        for (int index = 0; index < workers.length; index++) {
            workers[index] = startWorker(index);
        }
        this.collector = new Thread(this::collect, "multiproc-pool-collector");
        collector.setDaemon(true);
        collector.start();
    }

    /**
     * Ring bytes per direction of each worker's pipe: room for a map's chunks to go ahead whole
     * (a 1 MiB ring took a 2-worker map of 100,000 from 44 to 65-71 M tasks/s here), shrinking
     * with many workers so that the pool's pipes stay near 32 MiB in all.
     */
    static int pipeBytes(int workers) {
        return Math.clamp(PIPES_TOTAL_BYTES / 2 / workers, PipeOptions.DEFAULT_CAPACITY_BYTES, MAX_PIPE_BYTES);
    }

    private static final int MAX_PIPE_BYTES = 1 << 20;
    private static final int PIPES_TOTAL_BYTES = 32 << 20;

    private Worker startWorker(int slot) {
        Pipe<byte[]> pipe = context.pipe(Codec.bytes(), PipeOptions.duplexPipe().withCapacityBytes(pipeBytes(options.workers())));
        slots.set(PoolWorker.startedAt(slot), 0);
        slots.set(PoolWorker.announcedAt(slot), 0);
        slots.set(PoolWorker.readyAt(slot), 0);
        JvmProcess process = context.process(PoolWorker.target(pipe.first().name(), signals, slots, slot, options.initializer(),
                options.maxTasksPerChild(), waitStrategy));
        process.setName("PoolWorker-" + WORKER_NUMBERS.incrementAndGet());
        process.setDaemon(true);
        process.setJvmOptions(options.jvmOptions());
        process.setCommandPrefix(options.commandPrefix());
        process.start();
        process.onExit().whenComplete((ended, error) -> wake());
        return new Worker(slot, process, pipe.first());
    }

    /** The processes of the workers now (they change as workers are replaced). */
    public List<JvmProcess> workers() {
        synchronized (this) {
            List<JvmProcess> processes = new ArrayList<>();
            for (Worker worker : workers) {
                processes.add(worker.process);
            }
            return processes;
        }
    }

    // ------------------------------------------------------------------ submitting

    private void wake() {
        try {
            signals.release();
        } catch (IllegalStateException closed) {
            // the pool is gone; nobody to wake
        }
    }

    /** {@code function} as the workers get it: serialised once per function object. */
    private Work work(Serializable function, String description) {
        Work known = serialisedWorks.get(function);
        if (known != null) {
            return known;
        }
        Work work = new Work(workIds.incrementAndGet(), TargetBytes.serialise(function, description));
        serialisedWorks.put(function, work);
        return work;
    }

    private PendingTask pendingTask(Serializable function, Work work, List<?> items, byte[] encodedItems, String description,
                                    ResultSlice resultsInto, Consumer<PoolWorker.Result> onResult, Consumer<Throwable> onFailure) {
        return new PendingTask(taskIds.incrementAndGet(), work, function, items, encodedItems, description, resultsInto, result -> {
            tasksAnswered.increment();
            onResult.accept(result);
        }, failure -> {
            tasksLost.increment();
            onFailure.accept(failure);
        });
    }

    /**
     * The pool's numbers now. A pool lives in the process that made it, so these are this
     * process's counts (tasks here are what the pool sends to a worker at once: a single task,
     * or a chunk of a map).
     */
    public PoolMetrics metrics() {
        synchronized (this) {
            int alive = 0;
            int inFlight = 0;
            for (Worker worker : workers) {
                alive += worker.process.isAlive() ? 1 : 0;
                inFlight += worker.inFlight.size();
            }
            return new PoolMetrics(workers.length, alive, taskIds.get(), tasksAnswered.sum(), tasksLost.sum(), workerDeaths.sum(),
                    queue.size(), inFlight, tasksTakenBack.sum());
        }
    }

    /**
     * Starts a submission ({@code what}): refused unless the pool runs. Its tasks then go in
     * through {@link #add}, even past a shutdown — a submission accepted runs whole — until
     * {@link #endSubmission}; the collector does not count the pool idle meanwhile.
     */
    private synchronized void beginSubmission(String what) {
        if (state != State.RUNNING) {
            throw new RejectedExecutionException("the pool is shut down: " + what + " was not accepted"
                    + (brokenBy == null ? "" : " (its initializer failed in " + INITIALIZER_ATTEMPTS + " workers in a row: " + brokenBy + ")"),
                    brokenBy);
        }
        submitting++;
    }

    /** Queues a task of a submission begun, and wakes the collector; a pool stopped meanwhile fails it instead. */
    private void add(PendingTask task) {
        RuntimeException stopped;
        synchronized (this) {
            stopped = stoppedWith;
            if (stopped == null) {
                queue.addLast(task);
            }
        }
        if (stopped == null) {
            // the submitting thread sends what the workers have room for itself: waiting for the
            // collector to wake first put a thread hand-off (tens of µs here) before every first chunk
            if (!sendTasksIfNobodyIs()) {
                wake();
            }
        } else {
            task.onFailure.accept(stopped);
        }
    }

    /**
     * Sends queued tasks unless another thread is sending; whether the queue is empty after
     * (nothing left for the collector to send: the workers' results wake it).
     */
    private boolean sendTasksIfNobodyIs() {
        if (!sending.tryLock()) {
            return false;
        }
        try {
            sendTasks();
        } finally {
            sending.unlock();
        }
        synchronized (this) {
            return queue.isEmpty();
        }
    }

    private void endSubmission() {
        boolean shutDown;
        synchronized (this) {
            submitting--;
            shutDown = state != State.RUNNING;
        }
        if (shutDown) {
            wake();
        }
    }

    /** Queues one task (a call): {@code onResult} or {@code onFailure} runs once it ends. */
    public void submitOne(Serializable function, String description, Consumer<PoolWorker.Result> onResult, Consumer<Throwable> onFailure) {
        Work work = work(function, description);
        beginSubmission(description);
        try {
            add(pendingTask(function, work, null, TaskCodec.encodeItems(null, 0, 0), description, null, onResult, onFailure));
        } finally {
            endSubmission();
        }
    }

    /**
     * Runs {@code function} on each chunk of {@code items} in the workers; each future gets its
     * chunk's results in order. Chunks are views of {@code items}, each encoded here and queued
     * at once — the first runs while the next is encoded — all before this returns; an item
     * that cannot be sent fails the call, and chunks queued before it still run.
     *
     * @param results where the collector reads every chunk's results, at its items' places (an
     *                array as long as {@code items}: a map's whole result, filled as chunks come
     *                back, so that nothing is copied together after the last); null: each chunk's
     *                results in an array of its own
     */
    public <T, R> List<CompletableFuture<List<R>>> submitChunks(SerializableFunction<T, R> function, List<T> items, int chunkSize,
                                                               String what, Object[] results) {
        Objects.requireNonNull(function, "function");
        if (chunkSize <= 0) {
            throw new IllegalArgumentException("chunk size must be positive, got " + chunkSize);
        }
        Work work = work(function, what);
        List<CompletableFuture<List<R>>> futures = new ArrayList<>();
        // one copy of the references for every chunk: a view's own toArray copies item by item
        Object[] all = items.toArray();
        if (results != null && results.length != all.length) {
            throw new IllegalArgumentException("room for " + results.length + " results of " + all.length + " items");
        }
        beginSubmission(what);
        try {
            for (int from = 0; from < all.length; from += chunkSize) {
                int to = Math.min(all.length, from + chunkSize);
                String description = all.length == 1 ? what : what + " chunk of items " + from + ".." + (to - 1);
                CompletableFuture<List<R>> future = new CompletableFuture<>();
                add(pendingTask(function, work, items.subList(from, to), TaskCodec.encodeItems(all, from, to), description,
                        results == null ? null : new ResultSlice(results, from, to), result -> complete(future, result),
                        future::completeExceptionally));
                futures.add(future);
            }
        } finally {
            endSubmission();
        }
        return futures;
    }

    @SuppressWarnings("unchecked")
    private static <R> void complete(CompletableFuture<R> future, PoolWorker.Result result) {
        if (result.failure() == null) {
            future.complete((R) result.values());
        } else {
            future.completeExceptionally(result.failure());
        }
    }


    /** How many workers the pool keeps. */
    public int workerCount() {
        return workers.length;
    }

    /** Accepts no more tasks; those submitted still run [close]. */
    public void shutdown() {
        synchronized (this) {
            if (state == State.RUNNING) {
                state = State.SHUTDOWN;
            }
        }
        wake();
    }

    /**
     * Ends the workers at once and fails every task not done ({@link CancellationException});
     * returns the tasks that never started, runnable here.
     */
    public List<Runnable> shutdownNow() {
        List<PendingTask> never;
        List<PendingTask> sent;
        CancellationException cancelled = new CancellationException("the pool was terminated");
        synchronized (this) {
            state = State.STOPPED;
            stoppedWith = cancelled;
            never = new ArrayList<>(queue);
            queue.clear();
            sent = takeInFlight();
        }
        for (Worker worker : workers) {
            worker.process.terminate();
        }
        sent.forEach(task -> task.onFailure.accept(cancelled));
        List<Runnable> unstarted = new ArrayList<>();
        for (PendingTask task : never) {
            task.onFailure.accept(cancelled);
            unstarted.add(() -> runHere(task));
        }
        wake();
        collector.interrupt();
        return unstarted;
    }

    /** Every task sent to a worker and not answered, taken from the workers; the caller holds the pool's lock. */
    private List<PendingTask> takeInFlight() {
        List<PendingTask> sent = new ArrayList<>();
        for (Worker worker : workers) {
            sent.addAll(worker.inFlight);
            worker.inFlight.clear();
        }
        return sent;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void runHere(PendingTask task) {
        try {
            if (task.items == null) {
                ((Callable<?>) task.function).call();
            } else {
                task.items.forEach(((SerializableFunction) task.function)::apply);
            }
        } catch (Exception e) {
            throw new TaskFailedException(task.description + " failed when run here: " + e, e);
        }
    }


    public boolean isShutdown() {
        return state != State.RUNNING;
    }

    public boolean isTerminated() {
        return terminated.isDone();
    }

    /** Waits for the pool to end after a shutdown [join]. */
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        try {
            terminated.get(timeout, unit);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true;
        }
    }

    // ------------------------------------------------------------------ the collector

    /**
     * The pool's one thread: reads every result that has come (a worker signals each), completes
     * its future, sends every worker the tasks it has room for, replaces workers that
     * ended; then sleeps until the next signal (a result, a submission, a shutdown, a worker's
     * end) or, at most, {@value #COLLECTOR_SLICE_MILLIS} ms.
     */
    private void collect() {
        try {
            while (true) {
                collectResults();
                replaceEndedWorkers();
                sending.lock();
                try {
                    sendTasks();
                    if (takeBackForAnIdleWorker()) {
                        sendTasks();
                    }
                } finally {
                    sending.unlock();
                }
                State now = state;
                if (now == State.STOPPED || now == State.SHUTDOWN && idle()) {
                    break;
                }
                if (signals.tryAcquire(COLLECTOR_SLICE_MILLIS, TimeUnit.MILLISECONDS)) {
                    signals.drainPermits();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable e) {
            // an Error too: no caller may be left waiting on a future the collector will never complete
            failEverything(new MultiprocException("the pool's collector failed: " + e, e));
            if (e instanceof Error error) {
                throw error;
            }
        } finally {
            endWorkers();
            signals.close();
            slots.close();
            terminated.complete(null);
        }
    }

    /** No submission under way, nothing queued, nothing sent and unanswered. */
    private synchronized boolean idle() {
        if (submitting > 0 || !queue.isEmpty()) {
            return false;
        }
        for (Worker worker : workers) {
            if (!worker.inFlight.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Sends queued tasks to live workers, each to the one with the fewest unanswered — a map's
     * chunks spread over the workers instead of filling the first one's pipe: an idle worker its
     * next task whatever its size, a busy one more only while it fits its pipe whole (never
     * waiting for it to read), up to {@value #MAX_IN_FLIGHT} (and never past a retiring worker's last).
     */
    private void sendTasks() {
        List<Worker> ended = new ArrayList<>();
        while (true) {
            Worker worker;
            PendingTask task;
            boolean withWork;
            synchronized (this) {
                if (state == State.STOPPED || queue.isEmpty()) {
                    return;
                }
                task = queue.peekFirst();
                worker = leastLoadedWithRoom(task, ended);
                if (worker == null) {
                    return;
                }
                withWork = !worker.works.holds(task.work.id());
                queue.pollFirst();
                task.ordinal = ++worker.lastOrdinal;
                worker.inFlight.addLast(task);
                worker.sent++;
                worker.works.sent(task.work.id());
            }
            byte[] message = TaskCodec.encodeTask(task.id, task.work.id(), task.work.serialised(), withWork, task.encodedItems);
            try {
                worker.connection.sendBytes(message);
            } catch (IllegalStateException closed) {
                // the worker ended meanwhile: accounting for its end sends this task elsewhere
                ended.add(worker);
            }
        }
    }

    /**
     * When the queue is empty and a ready worker has nothing to do, takes back the tasks another
     * worker has not started yet — all of them, from the worker with the most —
     * and queues them again, so that the next {@link #sendTasks} spreads them over the workers: a
     * map's chunks sent ahead to a worker still busy with a long one run elsewhere instead of
     * waiting (as in a pool whose workers take their tasks from one queue). Whether it took any.
     */
    private boolean takeBackForAnIdleWorker() {
        synchronized (this) {
            if (state == State.STOPPED || !queue.isEmpty() || !anIdleWorker()) {
                return false;
            }
            Worker busiest = null;
            long mostWaiting = 0;
            for (Worker worker : workers) {
                if (worker.ended) {
                    continue;
                }
                long waiting = worker.lastOrdinal - StartWord.settledThrough(slots.get(PoolWorker.startedAt(worker.slot)));
                if (waiting > mostWaiting) {
                    busiest = worker;
                    mostWaiting = waiting;
                }
            }
            if (busiest == null) {
                return false;
            }
            long settledBefore = StartWord.takeBack(slots, busiest.slot, busiest.lastOrdinal);
            int before = queue.size();
            while (!busiest.inFlight.isEmpty() && busiest.inFlight.peekLast().ordinal > settledBefore) {
                queue.addFirst(busiest.inFlight.pollLast());
            }
            int takenBack = queue.size() - before;
            busiest.sent -= takenBack;
            tasksTakenBack.add(takenBack);
            return takenBack > 0;
        }
    }

    /** A live worker, ready, with nothing sent to it; the caller holds the pool's lock. */
    private boolean anIdleWorker() {
        for (Worker worker : workers) {
            // one not ready may still be starting its JVM: tasks sent to it would wait longer than where they are
            if (!worker.ended && worker.inFlight.isEmpty() && worker.mayTakeMore() && slots.get(PoolWorker.readyAt(worker.slot)) == 1
                    && worker.process.isAlive()) {
                return true;
            }
        }
        return false;
    }

    /** The live worker, not in {@code ended}, that can take {@code task} now and has the fewest unanswered; the caller holds the pool's lock. */
    private Worker leastLoadedWithRoom(PendingTask task, List<Worker> ended) {
        Worker best = null;
        for (Worker worker : workers) {
            if (ended.contains(worker) || !worker.mayTakeMore() || best != null && worker.inFlight.size() >= best.inFlight.size()) {
                continue;
            }
            // ahead of the task it runs, a task goes only if it fits the pipe now: the worker reads it when it starts it,
            // and this thread must not wait for that
            boolean withWork = !worker.works.holds(task.work.id());
            if (worker.inFlight.isEmpty()
                    || worker.connection.canSendWithoutWaiting(TaskCodec.taskBytes(task.work.serialised(), withWork, task.encodedItems))) {
                best = worker;
            }
        }
        return best;
    }

    private synchronized List<Worker> snapshotWorkers() {
        return List.of(workers);
    }

    private void collectResults() throws InterruptedException {
        for (Worker worker : snapshotWorkers()) {
            readResults(worker);
        }
    }

    /**
     * Reads every result the worker has announced, waiting for those still on their way. A result
     * that cannot be read fails only its task.
     */
    private void readResults(Worker worker) throws InterruptedException {
        try {
            while (worker.read < slots.get(PoolWorker.announcedAt(worker.slot))) {
                int length = receiveResult(worker);
                worker.read++;
                PendingTask answering = oldestInFlight(worker);
                PoolWorker.Result result;
                try {
                    result = TaskCodec.decodeResult(worker.resultBuffer, length, answering == null ? null : answering.resultsInto);
                } catch (VirtualMachineError fatal) {
                    throw fatal;
                } catch (RuntimeException | Error unreadable) {
                    answered(worker, task -> task.onFailure.accept(new TaskFailedException("the result of " + task.description
                            + " from pool worker '" + worker.process.name() + "' could not be read: " + unreadable, unreadable)));
                    continue;
                }
                if (result.id() == PoolWorker.INITIALIZER_FAILED) {
                    worker.initializerFailure = result.failure();
                    continue;
                }
                initializerFailures = 0;
                answered(worker, task -> {
                    if (result.failure() != null) {
                        result.failure().addSuppressed(new MultiprocException("raised in pool worker '" + worker.process.name()
                                + "' (pid " + worker.process.pid().orElse(-1) + ") running " + task.description
                                + (task.items != null && task.items.size() > 1 ? ", at its item " + result.failedItem() : "")));
                    }
                    task.onResult.accept(result);
                });
            }
        } catch (EOFException | IllegalStateException ended) {
            // the worker has ended: accounting for its end deals with what it held
        }
    }

    /**
     * Receives the worker's next result into its {@code resultBuffer}; returns its length. A
     * result that does not fit is taken whole, and its array is the buffer from then on — unless
     * it is longer than {@value #MAX_KEPT_RESULT_BUFFER_BYTES} bytes: the next receive starts
     * again from a small buffer. (A new array per result was an eighth of what the collector
     * allocated in a map of small items.)
     */
    private static int receiveResult(Worker worker) throws EOFException, InterruptedException {
        if (worker.resultBuffer.length > MAX_KEPT_RESULT_BUFFER_BYTES) {
            worker.resultBuffer = new byte[FIRST_RESULT_BUFFER_BYTES];
        }
        try {
            return worker.connection.recvBytesInto(worker.resultBuffer);
        } catch (BufferTooShortException tooLong) {
            // the message stays for the next receive
            worker.resultBuffer = worker.connection.recvBytes();
            return worker.resultBuffer.length;
        }
    }

    /** The task the worker's next result answers (a worker answers in the order it was sent tasks), if it still has one. */
    private synchronized PendingTask oldestInFlight(Worker worker) {
        return worker.inFlight.peekFirst();
    }

    /** The worker's oldest task has its answer (a worker answers in the order it was sent tasks): {@code outcome} completes it. */
    private void answered(Worker worker, Consumer<PendingTask> outcome) {
        PendingTask task;
        synchronized (this) {
            task = worker.inFlight.pollFirst();
        }
        if (task != null) {
            outcome.accept(task);
        }
    }

    /**
     * A worker that ended: the task it had started fails, unless its result came first; those it
     * had not started go back to the front of the queue; a new worker takes its place. A worker whose initializer threw ran nothing: all its tasks go back, and the
     * replacement starts after a delay that doubles with each such worker in a row; after
     * {@link #INITIALIZER_ATTEMPTS} the pool stops and fails the work waiting for it with the
     * initializer's exception.
     */
    private void replaceEndedWorkers() throws InterruptedException {
        for (int index = 0; index < workers.length; index++) {
            Worker worker = workers[index];
            if (worker.process.isAlive()) {
                continue;
            }
            if (!worker.ended) {
                accountForEnd(worker);
            }
            if (state != State.STOPPED && System.nanoTime() - worker.replaceAt >= 0) {
                Worker replacement = startWorker(index);
                synchronized (this) {
                    workers[index] = replacement;
                }
            }
        }
    }

    private void accountForEnd(Worker worker) throws InterruptedException {
        readResults(worker);
        long startedThrough = StartWord.settledThrough(slots.get(PoolWorker.startedAt(worker.slot)));
        List<PendingTask> lost = new ArrayList<>();
        List<PendingTask> unstarted = new ArrayList<>();
        synchronized (this) {
            worker.ended = true;
            // what it had taken back is gone from inFlight: what is left up to the word's ordinal it had started
            for (PendingTask task : worker.inFlight) {
                (task.ordinal <= startedThrough ? lost : unstarted).add(task);
            }
            worker.inFlight.clear();
            for (PendingTask task : unstarted.reversed()) {
                queue.addFirst(task);
            }
        }
        worker.connection.close();
        worker.replaceAt = System.nanoTime();
        int exitCode = worker.process.exitCode().orElse(-1);
        if (!lost.isEmpty() || exitCode != 0) {
            workerDeaths.increment();
            EventGate.record(() -> PoolWorkerDiedEvent.record(worker.process.name(), worker.process.pid().orElse(-1), exitCode, lost.size(), unstarted.size()));
        }
        for (PendingTask task : lost) {
            task.onFailure.accept(new WorkerDiedException(worker.process.name(), worker.process.pid().orElse(-1), exitCode));
        }
        if (worker.initializerFailure == null) {
            return;
        }
        if (++initializerFailures >= INITIALIZER_ATTEMPTS) {
            brokenBy = worker.initializerFailure;
            failEverything(new MultiprocException("the pool's initializer failed in " + INITIALIZER_ATTEMPTS
                    + " workers in a row (the last: " + worker.process.name() + "); no worker can run tasks", worker.initializerFailure));
            return;
        }
        worker.replaceAt += FIRST_RESTART_DELAY_NANOS << (initializerFailures - 1);
    }

    /** Stops the pool and fails every task not done with {@code failure}. */
    private void failEverything(MultiprocException failure) {
        List<PendingTask> pending;
        synchronized (this) {
            state = State.STOPPED;
            stoppedWith = failure;
            pending = new ArrayList<>(queue);
            queue.clear();
            pending.addAll(takeInFlight());
        }
        pending.forEach(task -> task.onFailure.accept(failure));
    }

    /** Closes the workers' pipes (they exit at end-of-file) and waits for them, killing stragglers. */
    private void endWorkers() {
        for (Worker worker : workers) {
            worker.connection.close();
        }
        for (Worker worker : workers) {
            try {
                if (!worker.process.join(WORKER_EXIT_GRACE)) {
                    worker.process.kill();
                    worker.process.join(WORKER_EXIT_GRACE);
                }
            } catch (InterruptedException e) {
                worker.process.kill();
            }
        }
    }
}

