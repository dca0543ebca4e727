package dev.multiproc;

import dev.multiproc.internal.pool.MapResults;
import dev.multiproc.internal.pool.PoolDispatcher;
import dev.multiproc.internal.pool.StartWord;
import dev.multiproc.internal.pool.WorkCache;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A pool of worker JVMs that never hangs: Python's {@code multiprocessing.Pool} as an
 * {@link ExecutorService}. Tasks (serialisable functions and their arguments, a {@code map} in
 * chunks) travel to the workers over shared-memory pipes; the pool sends each task to the worker
 * with the fewest unanswered, up to {@value PoolDispatcher#MAX_IN_FLIGHT} ahead, as many as fit its pipe, so a
 * worker that finishes one starts the next at once, with no thread of this process in between.
 * What a busy worker has not started is taken back for a worker that runs out of work, so no
 * chunk waits behind a long one while a worker idles ({@link StartWord}). A map's chunks are
 * queued as they are encoded: the first runs while the caller encodes the next.
 * A collector thread of the pool reads the results (the workers signal it through one shared
 * semaphore, whatever their number), completes the futures and sends the next tasks; a caller
 * waiting for a {@code map} wakes once, when it is done. A function goes to each worker once
 * ({@link WorkCache}). Collector and workers wait as {@link PoolOptions#waitStrategy()} says.
 *
 * <p>A task that throws fails its future with that exception as the cause (its stack trace is
 * the worker's; a suppressed exception names the worker and its pid). A worker that dies —
 * exits, crashes, is killed — fails only the task it had started (each worker records the task
 * it starts in shared memory before running it, where the pool also marks what it takes back), with {@link WorkerDiedException} naming its
 * exit code; tasks sent to it that it had not started go to other workers; the pool starts a
 * replacement and every other task completes. A worker reaching {@code maxTasksPerChild} is
 * sent no more, exits, and is replaced.
 *
 * <p>{@link #shutdown()} [close] lets submitted tasks finish; {@link #shutdownNow()} and
 * {@link #terminate()} end the workers at once and fail every task not done; {@link #close()}
 * waits for submitted work, as {@link ExecutorService#close()} does. Every way of stopping
 * completes every future.
 */
public final class ProcessPool implements ExecutorService, AutoCloseable {
    private final PoolDispatcher dispatcher;

    ProcessPool(Multiproc context, PoolOptions options) {
        this.dispatcher = new PoolDispatcher(context, options, options.waitStrategyOn(Multiproc.cpuCount()));
    }

    /** The processes of the workers now (they change as workers are replaced). */
    public List<JvmProcess> workers() {
        return dispatcher.workers();
    }

    /**
     * The pool's numbers now. A pool lives in the process that made it, so these are this
     * process's counts (tasks here are what the pool sends to a worker at once: a single task,
     * or a chunk of a map).
     */
    public PoolMetrics metrics() {
        return dispatcher.metrics();
    }

    /** Runs {@code function(argument)} in a worker [apply_async]; callbacks come with the future. */
    public <T, R> CompletableFuture<R> applyAsync(SerializableFunction<T, R> function, T argument) {
        Objects.requireNonNull(function, "function");
        List<T> items = new ArrayList<>(1);
        items.add(argument);
        return dispatcher.submitChunks(function, items, 1, "applyAsync(" + function.getClass().getName() + ")", null).getFirst().thenApply(List::getFirst);
    }

    /** {@link #applyAsync} and wait [apply]. @throws TaskFailedException if the task threw */
    public <T, R> R apply(SerializableFunction<T, R> function, T argument) throws InterruptedException {
        return await(applyAsync(function, argument));
    }

    /** Python's default chunk size: the items spread over four chunks per worker. */
    private int defaultChunkSize(int items) {
        int chunks = dispatcher.workerCount() * 4;
        return Math.max(1, items / chunks + (items % chunks == 0 ? 0 : 1));
    }

    /** The items as a list (a list as it is: its chunks are encoded before the call returns). */
    private static <T> List<T> listOf(Iterable<T> items) {
        if (items instanceof List<T> list) {
            return list;
        }
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
        List<T> list = listOf(items);
        Object[] results = new Object[list.size()];
        List<CompletableFuture<List<R>>> chunks = dispatcher.submitChunks(function, list, chunkSize, "map", results);
        return CompletableFuture.allOf(chunks.toArray(CompletableFuture[]::new)).thenApply(done -> new MapResults<>(results));
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
        List<CompletableFuture<List<R>>> chunks = dispatcher.submitChunks(function, listOf(items), chunkSize, "imap", null);
        Iterator<CompletableFuture<List<R>>> inOrder = chunks.iterator();
        return new ChunkResults<>(chunks.size(), inOrder::next);
    }

    /** [imap] with chunks of one. */
    public <T, R> Iterator<R> imap(SerializableFunction<T, R> function, Iterable<T> items) {
        return imap(function, items, 1);
    }

    /** Results as they are done, in any order [imap_unordered]. */
    public <T, R> Iterator<R> imapUnordered(SerializableFunction<T, R> function, Iterable<T> items, int chunkSize) {
        List<CompletableFuture<List<R>>> chunks = dispatcher.submitChunks(function, listOf(items), chunkSize, "imapUnordered", null);
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
        dispatcher.submitOne(work, "task " + task.getClass().getName(), result -> {
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
        dispatcher.shutdown();
    }

    /**
     * Ends the workers at once and fails every task not done ({@link CancellationException});
     * returns the tasks that never started, runnable here.
     */
    @Override
    public List<Runnable> shutdownNow() {
        return dispatcher.shutdownNow();
    }

    /** {@link #shutdownNow()} [terminate]. */
    public void terminate() {
        shutdownNow();
    }

    @Override
    public boolean isShutdown() {
        return dispatcher.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return dispatcher.isTerminated();
    }

    /** Waits for the pool to end after a shutdown [join]. */
    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return dispatcher.awaitTermination(timeout, unit);
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

}
