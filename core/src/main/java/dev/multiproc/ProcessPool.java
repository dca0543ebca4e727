package dev.multiproc;

import dev.multiproc.codec.Codec;

import java.io.EOFException;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A pool of worker JVMs that never hangs: Python's {@code multiprocessing.Pool} as an
 * {@link ExecutorService}. Tasks (serialisable functions and their arguments) travel to the
 * workers over shared-memory pipes, one task (or {@code map} chunk) per worker at a time; results
 * come back the same way.
 *
 * <p>A task that throws fails its future with that exception as the cause (its stack trace is
 * the worker's; a suppressed exception names the worker and its pid). A worker that dies —
 * exits, crashes, is killed — fails only the task it held, with {@link WorkerDiedException}
 * naming its exit code; the pool starts a replacement and every other task completes. A
 * worker reaching {@code maxTasksPerChild} is retired and replaced between tasks.
 *
 * <p>{@link #shutdown()} [close] lets submitted tasks finish; {@link #shutdownNow()} and
 * {@link #terminate()} end the workers at once and fail what is pending; {@link #close()} waits
 * for submitted work, as {@link ExecutorService#close()} does.
 */
public final class ProcessPool implements ExecutorService, AutoCloseable {
    private static final AtomicInteger WORKER_NUMBERS = new AtomicInteger();
    private static final Duration WORKER_EXIT_GRACE = Duration.ofSeconds(10);
    /** Workers in a row whose initializer threw before the pool gives up and fails the work waiting for them. */
    static final int INITIALIZER_ATTEMPTS = 3;
    private static final long FIRST_RESTART_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private enum State { RUNNING, SHUTDOWN, STOPPED }

    /** A task waiting for, or held by, a worker. */
    private static final class PendingTask {
        final byte[] payload;
        final Serializable work;
        final List<?> items;
        final String description;
        final Consumer<PoolWorker.Result> onResult;
        final Consumer<Throwable> onFailure;

        PendingTask(byte[] payload, Serializable work, List<?> items, String description,
                    Consumer<PoolWorker.Result> onResult, Consumer<Throwable> onFailure) {
            this.payload = payload;
            this.work = work;
            this.items = items;
            this.description = description;
            this.onResult = onResult;
            this.onFailure = onFailure;
        }
    }

    /** One worker JVM and the parent's end of its pipe. */
    private final class Worker {
        final JvmProcess process;
        final Connection<byte[]> connection;
        PendingTask current;
        /** Tasks this worker has finished; at maxTasksPerChild it exits and gets no more. */
        int finished;
        /** What its initializer threw, if it reported that before ending. */
        Throwable initializerFailure;
        /** Once it has ended and been accounted for: when its replacement may start (after a failed initializer, later). */
        long replaceAt;
        boolean ended;

        Worker(JvmProcess process, Connection<byte[]> connection) {
            this.process = process;
            this.connection = connection;
        }
    }

    private final Multiproc context;
    private final PoolOptions options;
    private final Worker[] workers;
    private final Deque<PendingTask> queue = new ArrayDeque<>();
    private final Pipe<byte[]> wakeUp;
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final AtomicLong taskIds = new AtomicLong();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final Thread dispatcher;
    private volatile State state = State.RUNNING;
    /** Workers in a row (since the last result) whose initializer threw. */
    private int initializerFailures;
    /** Why the pool stopped on its own (its initializer kept failing), for later submissions. */
    private volatile Throwable brokenBy;

    ProcessPool(Multiproc context, PoolOptions options) {
        this.context = context;
        this.options = options;
        if (options.initializer() != null) {
            JvmProcess.serialise(options.initializer(), "the pool's initializer");
        }
        this.wakeUp = context.pipe(Codec.bytes(), false, 4096);
        this.workers = new Worker[options.workers()];
        for (int index = 0; index < workers.length; index++) {
            workers[index] = startWorker();
        }
        this.dispatcher = new Thread(this::dispatch, "multiproc-pool-dispatcher");
        dispatcher.setDaemon(true);
        dispatcher.start();
    }

    private Worker startWorker() {
        Pipe<byte[]> pipe = context.pipe(Codec.bytes());
        String pipeName = pipe.first().name();
        SerializableRunnable initializer = options.initializer();
        int maxTasks = options.maxTasksPerChild();
        JvmProcess process = context.process(() -> PoolWorker.run(pipeName, initializer, maxTasks));
        process.setName("PoolWorker-" + WORKER_NUMBERS.incrementAndGet());
        process.setDaemon(true);
        process.setJvmOptions(options.jvmOptions());
        process.start();
        process.onExit().whenComplete((ended, error) -> wake());
        return new Worker(process, pipe.first());
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
        if (wakePending.compareAndSet(false, true) && state != State.STOPPED) {
            try {
                wakeUp.second().sendBytes(new byte[1]);
            } catch (IllegalStateException closed) {
                // the pool is gone; nobody to wake
            }
        }
    }

    /** A task ready to queue: {@code serialisedWork} is {@code work} serialised (once for all chunks of a map). */
    private PendingTask pendingTask(Serializable work, byte[] serialisedWork, List<?> items, String description,
                                    Consumer<PoolWorker.Result> onResult, Consumer<Throwable> onFailure) {
        byte[] payload = TaskCodec.encodeTask(taskIds.incrementAndGet(), serialisedWork, items);
        return new PendingTask(payload, work, items, description, onResult, onFailure);
    }

    /** Queues {@code tasks} (those of one {@code what}), all or none, and wakes the dispatcher once. */
    private void enqueue(List<PendingTask> tasks, String what) {
        synchronized (this) {
            if (state != State.RUNNING) {
                throw new RejectedExecutionException("the pool is shut down: " + what + " was not accepted"
                        + (brokenBy == null ? "" : " (its initializer failed in " + INITIALIZER_ATTEMPTS + " workers in a row: " + brokenBy + ")"),
                        brokenBy);
            }
            queue.addAll(tasks);
        }
        if (!tasks.isEmpty()) {
            wake();
        }
    }

    private void enqueue(Serializable work, List<?> items, String description, Consumer<PoolWorker.Result> onResult,
                         Consumer<Throwable> onFailure) {
        enqueue(List.of(pendingTask(work, JvmProcess.serialise(work, description), items, description, onResult, onFailure)),
                description);
    }

    /**
     * Runs {@code function} on each chunk of {@code items} in the workers; each future gets its
     * chunk's results in order. {@code items} is the pool's own copy: chunks are views of it.
     */
    private <T, R> List<CompletableFuture<List<R>>> submitChunks(SerializableFunction<T, R> function, List<T> items, int chunkSize,
                                                               String what) {
        Objects.requireNonNull(function, "function");
        if (chunkSize <= 0) {
            throw new IllegalArgumentException("chunk size must be positive, got " + chunkSize);
        }
        byte[] work = JvmProcess.serialise(function, what);
        List<CompletableFuture<List<R>>> futures = new ArrayList<>();
        List<PendingTask> tasks = new ArrayList<>();
        for (int from = 0; from < items.size(); from += chunkSize) {
            int to = Math.min(items.size(), from + chunkSize);
            String description = items.size() == 1 ? what : what + " chunk of items " + from + ".." + (to - 1);
            CompletableFuture<List<R>> future = new CompletableFuture<>();
            tasks.add(pendingTask(function, work, items.subList(from, to), description,
                    result -> complete(future, result), future::completeExceptionally));
            futures.add(future);
        }
        enqueue(tasks, what);
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

    /** Runs {@code function(argument)} in a worker [apply_async]; callbacks come with the future. */
    public <T, R> CompletableFuture<R> applyAsync(SerializableFunction<T, R> function, T argument) {
        Objects.requireNonNull(function, "function");
        List<T> items = new ArrayList<>(1);
        items.add(argument);
        return submitChunks(function, items, 1, "applyAsync(" + function.getClass().getName() + ")").getFirst().thenApply(List::getFirst);
    }

    /** {@link #applyAsync} and wait [apply]. @throws TaskFailedException if the task threw */
    public <T, R> R apply(SerializableFunction<T, R> function, T argument) throws InterruptedException {
        return await(applyAsync(function, argument));
    }

    /** Python's default chunk size: the items spread over four chunks per worker. */
    private int defaultChunkSize(int items) {
        int chunks = workers.length * 4;
        return Math.max(1, items / chunks + (items % chunks == 0 ? 0 : 1));
    }

    private static <T> List<T> listOf(Iterable<T> items) {
        List<T> list = new ArrayList<>();
        items.forEach(list::add);
        return list;
    }

    /** Applies {@code function} to every item in the workers, results in order [map_async]. */
    public <T, R> CompletableFuture<List<R>> mapAsync(SerializableFunction<T, R> function, Iterable<T> items) {
        List<T> list = listOf(items);
        return mapAsync(function, list, defaultChunkSize(list.size()));
    }

    /** {@link #mapAsync} with an explicit chunk size. */
    public <T, R> CompletableFuture<List<R>> mapAsync(SerializableFunction<T, R> function, Iterable<T> items, int chunkSize) {
        List<CompletableFuture<List<R>>> chunks = submitChunks(function, listOf(items), chunkSize, "map");
        return CompletableFuture.allOf(chunks.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<R> results = new ArrayList<>();
            chunks.forEach(chunk -> results.addAll(chunk.join()));
            return results;
        });
    }

    /** [map] @throws TaskFailedException (or {@link WorkerDiedException}) for the first task that failed */
    public <T, R> List<R> map(SerializableFunction<T, R> function, Iterable<T> items) throws InterruptedException {
        return await(mapAsync(function, items));
    }

    /** [map] with an explicit chunk size. */
    public <T, R> List<R> map(SerializableFunction<T, R> function, Iterable<T> items, int chunkSize) throws InterruptedException {
        return await(mapAsync(function, items, chunkSize));
    }

    /** Results in order, each as soon as it and those before it are done [imap]. */
    public <T, R> Iterator<R> imap(SerializableFunction<T, R> function, Iterable<T> items, int chunkSize) {
        List<CompletableFuture<List<R>>> chunks = submitChunks(function, listOf(items), chunkSize, "imap");
        Iterator<CompletableFuture<List<R>>> inOrder = chunks.iterator();
        return new ChunkResults<>(chunks.size(), inOrder::next);
    }

    /** [imap] with chunks of one. */
    public <T, R> Iterator<R> imap(SerializableFunction<T, R> function, Iterable<T> items) {
        return imap(function, items, 1);
    }

    /** Results as they are done, in any order [imap_unordered]. */
    public <T, R> Iterator<R> imapUnordered(SerializableFunction<T, R> function, Iterable<T> items, int chunkSize) {
        List<CompletableFuture<List<R>>> chunks = submitChunks(function, listOf(items), chunkSize, "imapUnordered");
        BlockingQueue<CompletableFuture<List<R>>> done = new LinkedBlockingQueue<>();
        chunks.forEach(chunk -> chunk.whenComplete((values, error) -> done.add(chunk)));
        return new ChunkResults<>(chunks.size(), done::take);
    }

    /** The next chunk's future, in the order an iterator hands chunks out. */
    private interface NextChunk<R> {
        CompletableFuture<List<R>> next() throws InterruptedException;
    }

    /** The items of {@code count} chunks, chunk after chunk as {@code next} gives them. */
    private static final class ChunkResults<R> implements Iterator<R> {
        private final int count;
        private final NextChunk<R> next;
        private int taken;
        private Iterator<R> current = java.util.Collections.emptyIterator();

        ChunkResults(int count, NextChunk<R> next) {
            this.count = count;
            this.next = next;
        }

        @Override
        public boolean hasNext() {
            while (!current.hasNext() && taken < count) {
                try {
                    current = awaitUninterruptibly(next.next()).iterator();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CancellationException("interrupted while waiting for results");
                }
                taken++;
            }
            return current.hasNext();
        }

        @Override
        public R next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return current.next();
        }
    }

    /** [imap_unordered] with chunks of one. */
    public <T, R> Iterator<R> imapUnordered(SerializableFunction<T, R> function, Iterable<T> items) {
        return imapUnordered(function, items, 1);
    }

    private static <R> R await(CompletableFuture<R> future) throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        }
    }

    private static <R> R awaitUninterruptibly(CompletableFuture<R> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            throw unwrap(e.getCause());
        }
    }

    private static RuntimeException unwrap(Throwable failure) {
        if (failure instanceof MultiprocException known) {
            return known;
        }
        return new TaskFailedException("a pool task failed: " + failure, failure);
    }

    // ------------------------------------------------------------------ ExecutorService

    private static Serializable sendable(Object task, String kind) {
        Objects.requireNonNull(task, kind);
        if (!(task instanceof Serializable serializable)) {
            throw new IllegalArgumentException("a " + kind + " sent to a ProcessPool must be serialisable (use SerializableCallable "
                    + "or SerializableRunnable): " + task.getClass().getName() + " is not");
        }
        return serializable;
    }

    @Override
    public <T> CompletableFuture<T> submit(Callable<T> task) {
        Serializable work = sendable(task, "Callable");
        CompletableFuture<T> future = new CompletableFuture<>();
        enqueue(work, null, "task " + task.getClass().getName(), result -> {
            if (result.failure() == null) {
                @SuppressWarnings("unchecked")
                T value = (T) result.values().getFirst();
                future.complete(value);
            } else {
                future.completeExceptionally(result.failure());
            }
        }, future::completeExceptionally);
        return future;
    }

    @Override
    public <T> CompletableFuture<T> submit(Runnable task, T result) {
        SerializableRunnable runnable = asSerializable(task);
        return submit((SerializableCallable<T>) () -> {
            runnable.run();
            return result;
        });
    }

    @Override
    public CompletableFuture<?> submit(Runnable task) {
        return submit(task, null);
    }

    @Override
    public void execute(Runnable command) {
        submit(command);
    }

    private static SerializableRunnable asSerializable(Runnable task) {
        sendable(task, "Runnable");
        if (task instanceof SerializableRunnable serializable) {
            return serializable;
        }
        Serializable work = (Serializable) task;
        return () -> ((Runnable) work).run();
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
        List<Future<T>> futures = new ArrayList<>();
        for (Callable<T> task : tasks) {
            futures.add(submit(task));
        }
        for (Future<T> future : futures) {
            try {
                future.get();
            } catch (ExecutionException | CancellationException failed) {
                // reported by the future itself
            }
        }
        return futures;
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        List<Future<T>> futures = new ArrayList<>();
        for (Callable<T> task : tasks) {
            futures.add(submit(task));
        }
        for (Future<T> future : futures) {
            try {
                future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException | CancellationException failed) {
                // reported by the future itself
            } catch (TimeoutException late) {
                futures.forEach(f -> f.cancel(true));
                break;
            }
        }
        return futures;
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        try {
            return invokeAny(tasks, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
        } catch (TimeoutException impossible) {
            throw new AssertionError(impossible);
        }
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("invokeAny needs at least one task");
        }
        BlockingQueue<CompletableFuture<T>> done = new LinkedBlockingQueue<>();
        List<CompletableFuture<T>> futures = new ArrayList<>();
        for (Callable<T> task : tasks) {
            CompletableFuture<T> future = submit(task);
            future.whenComplete((value, error) -> done.add(future));
            futures.add(future);
        }
        long deadline = unit.toNanos(timeout) == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + unit.toNanos(timeout);
        ExecutionException last = null;
        try {
            for (int finished = 0; finished < futures.size(); finished++) {
                CompletableFuture<T> next = deadline == Long.MAX_VALUE ? done.take()
                        : done.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (next == null) {
                    throw new TimeoutException("no task of invokeAny succeeded in time");
                }
                try {
                    return next.get();
                } catch (ExecutionException failed) {
                    last = failed;
                }
            }
            throw last;
        } finally {
            futures.forEach(future -> future.cancel(true));
        }
    }

    /** Accepts no more tasks; those submitted still run [close]. */
    @Override
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
    @Override
    public List<Runnable> shutdownNow() {
        List<PendingTask> never;
        List<Worker> busy = new ArrayList<>();
        synchronized (this) {
            state = State.STOPPED;
            never = new ArrayList<>(queue);
            queue.clear();
            for (Worker worker : workers) {
                if (worker.current != null) {
                    busy.add(worker);
                }
            }
        }
        for (Worker worker : workers) {
            worker.process.terminate();
        }
        CancellationException cancelled = new CancellationException("the pool was terminated");
        for (Worker worker : busy) {
            PendingTask task = worker.current;
            if (task != null) {
                task.onFailure.accept(cancelled);
            }
        }
        List<Runnable> unstarted = new ArrayList<>();
        for (PendingTask task : never) {
            task.onFailure.accept(cancelled);
            unstarted.add(() -> runHere(task));
        }
        dispatcher.interrupt();
        return unstarted;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void runHere(PendingTask task) {
        try {
            if (task.items == null) {
                ((Callable<?>) task.work).call();
            } else {
                task.items.forEach(((SerializableFunction) task.work)::apply);
            }
        } catch (Exception e) {
            throw new TaskFailedException(task.description + " failed when run here: " + e, e);
        }
    }

    /** {@link #shutdownNow()} [terminate]. */
    public void terminate() {
        shutdownNow();
    }

    @Override
    public boolean isShutdown() {
        return state != State.RUNNING;
    }

    @Override
    public boolean isTerminated() {
        return terminated.isDone();
    }

    /** Waits for the pool to end after a shutdown [join]. */
    @Override
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

    /** Shuts down and waits for the submitted tasks, as {@link ExecutorService#close()} does. */
    @Override
    public void close() {
        shutdown();
        boolean interrupted = false;
        while (!isTerminated()) {
            try {
                awaitTermination(1, TimeUnit.DAYS);
            } catch (InterruptedException e) {
                if (!interrupted) {
                    interrupted = true;
                    shutdownNow();
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ the dispatcher

    private void dispatch() {
        try {
            while (true) {
                boolean busy = assignTasks();
                State now = state;
                if (now == State.STOPPED || now == State.SHUTDOWN && !busy && queueEmpty()) {
                    break;
                }
                List<Connection<?>> connections = new ArrayList<>();
                connections.add(wakeUp.first());
                for (Worker worker : snapshotWorkers()) {
                    if (worker.current != null) {
                        connections.add(worker.connection);
                    }
                }
                for (Connection<?> ready : Connection.waitAny(connections, Duration.ofMillis(200))) {
                    if (ready == wakeUp.first()) {
                        drainWakeUps();
                    }
                }
                collectResults();
                replaceEndedWorkers();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable e) {
            // an Error too: no caller may be left waiting on a future the dispatcher will never complete
            failEverything(new MultiprocException("the pool's dispatcher failed: " + e, e));
            if (e instanceof Error error) {
                throw error;
            }
        } finally {
            endWorkers();
            wakeUp.close();
            terminated.complete(null);
        }
    }

    private synchronized boolean queueEmpty() {
        return queue.isEmpty();
    }

    private synchronized List<Worker> snapshotWorkers() {
        return List.of(workers);
    }

    /** Gives each idle, live worker the next task; returns whether any worker holds one. */
    private boolean assignTasks() {
        boolean busy = false;
        for (Worker worker : snapshotWorkers()) {
            boolean retiring = options.maxTasksPerChild() > 0 && worker.finished >= options.maxTasksPerChild();
            if (worker.current == null && !retiring && worker.process.isAlive()) {
                PendingTask task;
                synchronized (this) {
                    task = queue.pollFirst();
                }
                if (task != null) {
                    worker.current = task;
                    try {
                        worker.connection.sendBytes(task.payload);
                    } catch (IllegalStateException ended) {
                        // the worker ended meanwhile: replaceEndedWorkers fails its task
                    }
                }
            }
            busy |= worker.current != null;
        }
        return busy;
    }

    /**
     * Reads the wake-up signals, then lets submitters signal again. In that order: a submitter
     * that finds the flag still set sent nothing, and its task is picked up by the queue scan
     * that follows; one that signals after the reset is read next time.
     */
    private void drainWakeUps() throws InterruptedException {
        Connection<byte[]> signals = wakeUp.first();
        try {
            while (signals.poll()) {
                signals.recvBytes();
            }
        } catch (EOFException impossible) {
            // the pool holds the other end until it ends
        }
        wakePending.set(false);
    }

    private void collectResults() throws InterruptedException {
        for (Worker worker : snapshotWorkers()) {
            if (worker.current != null) {
                readResults(worker);
            }
        }
    }

    /**
     * Reads what the worker has sent (without waiting); false at end-of-file. A result that cannot
     * be read fails only its task.
     */
    private boolean readResults(Worker worker) throws InterruptedException {
        try {
            while (worker.connection.poll()) {
                byte[] message = worker.connection.recvBytes();
                PoolWorker.Result result;
                try {
                    result = TaskCodec.decodeResult(message);
                } catch (VirtualMachineError fatal) {
                    throw fatal;
                } catch (RuntimeException | Error unreadable) {
                    finish(worker, task -> task.onFailure.accept(new TaskFailedException("the result of " + task.description
                            + " from pool worker '" + worker.process.name() + "' could not be read: " + unreadable, unreadable)));
                    continue;
                }
                if (result.id() == PoolWorker.INITIALIZER_FAILED) {
                    worker.initializerFailure = result.failure();
                    continue;
                }
                initializerFailures = 0;
                finish(worker, task -> {
                    if (result.failure() != null) {
                        result.failure().addSuppressed(new MultiprocException("raised in pool worker '" + worker.process.name()
                                + "' (pid " + worker.process.pid().orElse(-1) + ") running " + task.description
                                + (task.items != null && task.items.size() > 1 ? ", at its item " + result.failedItem() : "")));
                    }
                    task.onResult.accept(result);
                });
            }
            return true;
        } catch (EOFException ended) {
            return false;
        } catch (IllegalStateException detached) {
            return false;
        }
    }

    /** The worker's current task is over: {@code outcome} completes its future. */
    private void finish(Worker worker, Consumer<PendingTask> outcome) {
        PendingTask task = worker.current;
        if (task == null) {
            return;
        }
        worker.current = null;
        worker.finished++;
        outcome.accept(task);
    }

    /**
     * A worker that ended: its task fails (unless its result came first), and a new worker takes
     * its place. A worker whose initializer threw never started its task: the task goes back to
     * the front of the queue, and the replacement starts after a delay that doubles with each such
     * worker in a row; after {@link #INITIALIZER_ATTEMPTS} the pool stops and fails the work
     * waiting for it with the initializer's exception.
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
                Worker replacement = startWorker();
                synchronized (this) {
                    workers[index] = replacement;
                }
            }
        }
    }

    private void accountForEnd(Worker worker) throws InterruptedException {
        worker.ended = true;
        readResults(worker);
        PendingTask lost = worker.current;
        worker.current = null;
        worker.connection.close();
        worker.replaceAt = System.nanoTime();
        if (worker.initializerFailure == null) {
            if (lost != null) {
                lost.onFailure.accept(new WorkerDiedException(worker.process.name(), worker.process.pid().orElse(-1),
                        worker.process.exitCode().orElse(-1)));
            }
            return;
        }
        if (lost != null) {
            synchronized (this) {
                queue.addFirst(lost);
            }
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
            pending = new ArrayList<>(queue);
            queue.clear();
        }
        pending.forEach(task -> task.onFailure.accept(failure));
        for (Worker worker : workers) {
            if (worker.current != null) {
                worker.current.onFailure.accept(failure);
            }
        }
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
