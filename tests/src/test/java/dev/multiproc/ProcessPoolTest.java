package dev.multiproc;

import dev.multiproc.codec.Codec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;

import static dev.multiproc.Children.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** ProcessPool with real worker JVMs: results, failures, dead workers, shutdown. */
@Timeout(300)
class ProcessPoolTest extends ContextPerTest {
    private static List<Integer> range(int count) {
        return IntStream.range(0, count).boxed().toList();
    }

    static int slowSquare(int x) {
        sleep(30);
        return x * x;
    }

    @Test
    void mapImapAndApplyGiveTheSequentialResults() throws Exception {
        try (ProcessPool pool = mp.pool(2)) {
            List<Integer> items = range(10_000);
            List<Long> expected = items.stream().map(x -> (long) x * x + 1).toList();
            assertEquals(expected, pool.map(x -> (long) x * x + 1, items));
            assertEquals(expected, pool.map(x -> (long) x * x + 1, items, 7));
            assertEquals(expected, pool.mapAsync(x -> (long) x * x + 1, items).get(60, TimeUnit.SECONDS));

            List<Integer> ordered = new ArrayList<>();
            pool.imap(ProcessPoolTest::slowSquare, range(20), 3).forEachRemaining(ordered::add);
            assertEquals(range(20).stream().map(x -> x * x).toList(), ordered, "imap keeps order");

            Set<Integer> unordered = new HashSet<>();
            Iterator<Integer> any = pool.imapUnordered(ProcessPoolTest::slowSquare, range(20));
            any.forEachRemaining(unordered::add);
            assertEquals(new HashSet<>(range(20).stream().map(x -> x * x).toList()), unordered, "imapUnordered returns them all");

            assertEquals("HELLO", pool.apply(String::toUpperCase, "hello"));
            assertEquals(42, pool.submit((SerializableCallable<Integer>) () -> 6 * 7).get(60, TimeUnit.SECONDS));
            List<Future<Integer>> all = pool.invokeAll(List.of((SerializableCallable<Integer>) () -> 1, (SerializableCallable<Integer>) () -> 2));
            assertEquals(3, all.get(0).get() + all.get(1).get());
            assertEquals(5, pool.invokeAny(List.of((SerializableCallable<Integer>) () -> 5)));
        }
    }

    @Test
    void resultsLongerAndShorterThanTheLastOnesComeBackWhole() throws Exception {
        // the collector receives a worker's results into one buffer it keeps: results past its first size, past the
        // size it keeps at most (1 MiB) and short ones after each must each come back whole and as they were
        List<Integer> lengths = List.of(10, 20_000, 3, 70_000, 5, 3_000_000, 40_000, 1, 0, 25_000);
        try (ProcessPool pool = mp.pool(1)) {
            List<String> results = pool.map(length -> String.valueOf((char) ('a' + length % 26)).repeat(length), lengths, 1);
            assertEquals(lengths.size(), results.size());
            for (int i = 0; i < lengths.size(); i++) {
                int length = lengths.get(i);
                assertEquals(String.valueOf((char) ('a' + length % 26)).repeat(length), results.get(i), "result " + i + " of " + length + " chars");
            }
            assertEquals(List.of(4, 9), pool.map(x -> x * x, List.of(2, 3)), "the pool goes on after them");
        }
    }

    @LinuxOnly
    @Test
    void workersRunUnderTheCommandPrefixOfTheirOptions() throws Exception {
        // env sets the variable and replaces itself with the worker's java command
        PoolOptions options = PoolOptions.of(2).withCommandPrefix(List.of("env", "MULTIPROC_TEST_POOL=prefixed"));
        try (ProcessPool pool = mp.pool(options)) {
            List<String> seen = pool.map(x -> System.getenv("MULTIPROC_TEST_POOL") + " " + ProcessHandle.current().pid(), range(2), 1);
            assertEquals(List.of("prefixed", "prefixed"), seen.stream().map(s -> s.split(" ")[0]).toList(), seen.toString());
            Set<Long> workerPids = new HashSet<>();
            pool.workers().forEach(worker -> workerPids.add(worker.pid().orElseThrow()));
            assertTrue(workerPids.containsAll(seen.stream().map(s -> Long.parseLong(s.split(" ")[1])).toList()),
                    "the tasks ran in the very processes the pool started: " + seen + " / " + workerPids);
        }
    }

    static int failOnSeven(int x) {
        if (x == 7) {
            throw new IllegalArgumentException("seven is not allowed (test)");
        }
        return x;
    }

    @Test
    void aTasksExceptionReachesTheCallerWithTheWorkersTrace() throws Exception {
        try (ProcessPool pool = mp.pool(1)) {
            CompletableFuture<Integer> future = pool.applyAsync(ProcessPoolTest::failOnSeven, 7);
            ExecutionException failed = assertThrows(ExecutionException.class, () -> future.get(60, TimeUnit.SECONDS));
            Throwable cause = failed.getCause();
            assertInstanceOf(IllegalArgumentException.class, cause);
            assertEquals("seven is not allowed (test)", cause.getMessage());
            assertTrue(List.of(cause.getStackTrace()).stream().anyMatch(frame -> frame.getMethodName().equals("failOnSeven")),
                    "the stack trace is the worker's");
            long workerPid = pool.workers().getFirst().pid().orElseThrow();
            assertTrue(cause.getSuppressed().length == 1 && cause.getSuppressed()[0].getMessage().contains("pid " + workerPid),
                    "names the worker and its pid: " + List.of(cause.getSuppressed()));
            TaskFailedException mapFailed = assertThrows(TaskFailedException.class, () -> pool.map(ProcessPoolTest::failOnSeven, range(10)));
            assertInstanceOf(IllegalArgumentException.class, mapFailed.getCause());
            assertEquals(3, pool.apply(ProcessPoolTest::failOnSeven, 3), "the worker goes on after a failed task");
        }
    }

    @Test
    void theInitializerRunsOncePerWorkerAndMaxTasksPerChildReplacesWorkers() throws Exception {
        try (SharedLong initialised = mp.sharedLong(0)) {
            try (ProcessPool pool = mp.pool(PoolOptions.of(2).withInitializer(initialised::incrementAndGet))) {
                pool.map(x -> x + 1, range(100), 10);
            }
            assertEquals(2, initialised.get(), "once per worker");
        }
        try (ProcessPool pool = mp.pool(PoolOptions.of(1).withMaxTasksPerChild(2))) {
            Set<Long> pids = new HashSet<>();
            for (int i = 0; i < 6; i++) {
                pids.add(pool.apply(x -> JvmProcess.current().pid().orElseThrow(), i));
            }
            assertEquals(3, pids.size(), "a new worker every two tasks: " + pids);
        }
    }

    @LinuxOnly
    @Test
    void aWorkerKilledMidTaskFailsOnlyThatTaskAndThePoolGoesOn() throws Exception {
        int tasks = 12;
        try (ProcessPool pool = mp.pool(2); SharedLongArray runningIn = mp.sharedLongArray(tasks)) {
            pool.map(x -> x, range(4), 1);
            for (int round = 0; round < 10; round++) {
                for (int task = 0; task < tasks; task++) {
                    runningIn.set(task, 0);
                }
                List<CompletableFuture<Integer>> futures = new ArrayList<>();
                for (int task = 0; task < tasks; task++) {
                    futures.add(pool.applyAsync(x -> {
                        runningIn.set(x, JvmProcess.current().pid().orElseThrow());
                        sleep(150);
                        return x * x;
                    }, task));
                }
                int killed = killAWorkerMidTask(pool, runningIn, futures);
                for (int task = 0; task < futures.size(); task++) {
                    if (task == killed) {
                        int victim = task;
                        ExecutionException e = assertThrows(ExecutionException.class, () -> futures.get(victim).get(120, TimeUnit.SECONDS));
                        WorkerDiedException died = assertInstanceOf(WorkerDiedException.class, e.getCause(), "round " + round);
                        assertEquals(-9, died.exitCode());
                    } else {
                        assertEquals(task * task, futures.get(task).get(120, TimeUnit.SECONDS), "round " + round + ": task " + task);
                    }
                }
            }
            assertEquals(2, pool.workers().stream().filter(JvmProcess::isAlive).count(), "killed workers were replaced");
        }
    }

    /** Waits until some task runs in a worker, kills that worker, returns the task. */
    private static int killAWorkerMidTask(ProcessPool pool, SharedLongArray runningIn, List<CompletableFuture<Integer>> futures)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            for (int task = 0; task < futures.size(); task++) {
                long pid = runningIn.get(task);
                if (pid != 0 && !futures.get(task).isDone()) {
                    for (JvmProcess worker : pool.workers()) {
                        if (worker.pid().orElse(-1) == pid) {
                            worker.kill();
                            return task;
                        }
                    }
                }
            }
            Thread.sleep(1);
        }
        throw new AssertionError("no task was seen running");
    }

    @Test
    void terminateEndsTheWorkersAndFailsWhatIsPending() throws Exception {
        ProcessPool pool = mp.pool(2);
        List<JvmProcess> workers = pool.workers();
        List<CompletableFuture<Integer>> futures = new ArrayList<>();
        for (int task = 0; task < 10; task++) {
            futures.add(pool.applyAsync(x -> {
                sleep(60_000);
                return x;
            }, task));
        }
        Thread.sleep(300);
        pool.terminate();
        assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        for (CompletableFuture<Integer> future : futures) {
            ExecutionException failed = assertThrows(ExecutionException.class, () -> future.get(30, TimeUnit.SECONDS));
            assertInstanceOf(CancellationException.class, failed.getCause());
        }
        for (JvmProcess worker : workers) {
            assertTrue(worker.join(java.time.Duration.ofSeconds(30)), "worker ended");
        }
        assertThrows(RejectedExecutionException.class, () -> pool.applyAsync(x -> x, 1));
    }

    @Test
    void closeWaitsForSubmittedWorkAndLeavesNoProcessBehind() throws Exception {
        List<JvmProcess> workers;
        List<CompletableFuture<Integer>> futures = new ArrayList<>();
        ProcessPool closed;
        try (ProcessPool pool = mp.pool(2)) {
            closed = pool;
            workers = pool.workers();
            for (int task = 0; task < 8; task++) {
                futures.add(pool.applyAsync(ProcessPoolTest::slowSquare, task));
            }
        }
        for (int task = 0; task < futures.size(); task++) {
            assertTrue(futures.get(task).isDone(), "close waited for task " + task);
            assertEquals(task * task, futures.get(task).get());
        }
        assertTrue(closed.isTerminated());
        for (JvmProcess worker : workers) {
            assertFalse(worker.isAlive(), "no worker left after try-with-resources");
        }
        assertTrue(mp.activeChildren().isEmpty());
        assertThrows(RejectedExecutionException.class, () -> closed.submit((SerializableCallable<Integer>) () -> 1));
    }

    /** Not serialisable on purpose. */
    static final class Unsendable {
    }

    @Test
    void everyWayOfStoppingCompletesEveryFuture() throws Exception {
        for (int round = 0; round < 6; round++) {
            ProcessPool pool = mp.pool(2);
            List<CompletableFuture<Integer>> futures = new ArrayList<>();
            for (int task = 0; task < 60; task++) {
                futures.add(pool.applyAsync(ProcessPoolTest::slowSquare, task));
            }
            Thread.sleep(round * 40L);
            switch (round % 3) {
                case 0 -> pool.shutdownNow();
                case 1 -> pool.terminate();
                default -> pool.close();
            }
            assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS), "round " + round);
            for (CompletableFuture<Integer> future : futures) {
                try {
                    future.get(10, TimeUnit.SECONDS);
                } catch (ExecutionException | CancellationException stopped) {
                    assertTrue(round % 3 != 2, "close lets every task finish: " + stopped);
                }
            }
        }
    }

    /** The pid of the worker that runs it, after a pause that keeps the worker busy while the others are sent theirs. */
    static long pidOfWorker(int item) {
        sleep(20);
        return ProcessHandle.current().pid();
    }

    @Test
    void aMapsChunksSpreadOverTheWorkersInsteadOfFillingTheFirstOnesPipe() throws Exception {
        try (ProcessPool pool = mp.pool(2); SharedBarrier bothRunning = mp.barrier(2)) {
            // A worker still booting has the tasks sent ahead to it taken back by a ready one, so both must be ready first.
            assertEquals(List.of(true, true), pool.map(item -> awaitAtMost20Seconds(bothRunning), range(2), 1));
            List<Long> pids = pool.map(ProcessPoolTest::pidOfWorker, range(8), 1);
            Set<Long> workers = new HashSet<>();
            pool.workers().forEach(worker -> workers.add(worker.pid().orElseThrow()));
            assertEquals(workers, new HashSet<>(pids), "both workers ran chunks: " + pids);
            for (long pid : workers) {
                assertTrue(java.util.Collections.frequency(pids, pid) >= 2, "8 chunks sent at once go 4 and 4: " + pids);
            }
        }
    }

    /**
     * Eight tasks on two workers, sent four and four ahead; task 0 waits (at most 20 s) for
     * {@code release}, so its worker holds three tasks behind it. Returns the eight futures once
     * tasks 1 to 7 are done — before task 0 gives up waiting, as the tasks behind it were taken
     * back for the other worker: each gives the pid of its worker (task 0: 0 if never released).
     */
    private static List<CompletableFuture<Long>> sevenDoneWhileTaskZeroWaits(ProcessPool pool, SharedEvent release) throws Exception {
        pool.map(x -> x, range(4), 1);
        List<CompletableFuture<Long>> futures = new ArrayList<>();
        for (int task = 0; task < 8; task++) {
            futures.add(pool.applyAsync(item -> item == 0 && !awaitAtMost(release, 20) ? 0L : ProcessHandle.current().pid(), task));
        }
        for (int task = 1; task < 8; task++) {
            futures.get(task).get(60, TimeUnit.SECONDS);
        }
        assertFalse(futures.getFirst().isDone(), "tasks 1-7 were done while task 0 still waited, not after it");
        assertTrue(pool.metrics().takenBack() >= 3, pool.metrics().toString());
        return futures;
    }

    private static boolean awaitAtMost(SharedEvent event, int seconds) {
        try {
            return event.await(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean awaitAtMost20Seconds(SharedBarrier barrier) {
        try {
            barrier.await(20, TimeUnit.SECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (BrokenBarrierException | TimeoutException notBothCame) {
            return false;
        }
    }

    @Test
    void tasksSentAheadToABusyWorkerRunInTheWorkerThatRunsOutOfWork() throws Exception {
        try (ProcessPool pool = mp.pool(2); SharedEvent release = mp.event()) {
            List<CompletableFuture<Long>> futures = sevenDoneWhileTaskZeroWaits(pool, release);
            Set<Long> ranThem = new HashSet<>();
            for (int task = 1; task < 8; task++) {
                ranThem.add(futures.get(task).get());
            }
            assertEquals(1, ranThem.size(), "tasks 1-7 ran in the other worker: " + ranThem);
            release.set();
            long zeroRanIn = futures.getFirst().get(60, TimeUnit.SECONDS);
            assertNotEquals(0L, zeroRanIn, "task 0 was released");
            assertFalse(ranThem.contains(zeroRanIn), "and ran in its own worker");
            PoolMetrics metrics = pool.metrics();
            assertEquals(metrics.submitted(), metrics.answered(), "every task answered once: " + metrics);
            assertEquals(List.of(0, 1, 4, 9), pool.map(x -> x * x, range(4), 1), "workers whose tasks were taken back go on");
        }
    }

    @LinuxOnly
    @Test
    void aWorkerKilledAfterItsTasksWereTakenBackFailsOnlyTheTaskItRan() throws Exception {
        try (ProcessPool pool = mp.pool(2); SharedEvent release = mp.event()) {
            List<CompletableFuture<Long>> futures = sevenDoneWhileTaskZeroWaits(pool, release);
            long idle = futures.get(1).get();
            JvmProcess busy = pool.workers().stream().filter(worker -> worker.pid().orElseThrow() != idle).findFirst().orElseThrow();
            busy.kill();
            ExecutionException died = assertThrows(ExecutionException.class, () -> futures.getFirst().get(60, TimeUnit.SECONDS));
            assertInstanceOf(WorkerDiedException.class, died.getCause());
            PoolMetrics metrics = pool.metrics();
            assertEquals(1, metrics.lost(), "only the task it ran: " + metrics);
            assertEquals(metrics.submitted() - 1, metrics.answered(), metrics.toString());
            assertEquals(List.of(0, 1, 4, 9), pool.map(x -> x * x, range(4), 1), "the pool goes on");
        }
    }

    @Test
    void tasksTakenBackDoNotCountTowardsAWorkersMaxTasks() throws Exception {
        try (ProcessPool pool = mp.pool(PoolOptions.of(2).withMaxTasksPerChild(6)); SharedEvent release = mp.event()) {
            List<CompletableFuture<Long>> futures = sevenDoneWhileTaskZeroWaits(pool, release);
            release.set();
            long zeroRanIn = futures.getFirst().get(60, TimeUnit.SECONDS);
            assertNotEquals(0L, zeroRanIn, "task 0 was released and ran");
            // its worker had run 3 of its 6 (two of the warm-up's and task 0), whatever was sent to it and taken back:
            // the pool sends it 3 more and it retires, instead of being kept waiting for tasks it was counted as sent
            for (int map = 0; map < 20 && pool.workers().stream().anyMatch(worker -> worker.pid().orElseThrow() == zeroRanIn); map++) {
                assertEquals(List.of(0, 1, 4, 9), pool.map(x -> x * x, range(4), 1));
            }
            assertTrue(pool.workers().stream().noneMatch(worker -> worker.pid().orElseThrow() == zeroRanIn),
                    "the worker that ran task 0 retired after its sixth task: " + pool.metrics());
            PoolMetrics metrics = pool.metrics();
            assertEquals(metrics.submitted(), metrics.answered(), metrics.toString());
        }
    }

    /** An item that takes 30 ms to serialise: a map of them is still encoding its later chunks while the first run. */
    static final class SlowToSend implements java.io.Serializable {
        @java.io.Serial
        private static final long serialVersionUID = 1;
        final int value;

        SlowToSend(int value) {
            this.value = value;
        }

        @java.io.Serial
        private void writeObject(java.io.ObjectOutputStream out) throws java.io.IOException {
            sleep(30);
            out.defaultWriteObject();
        }
    }

    /** Starts a map of ten slow-to-send items, chunks of one, and returns once its first chunk is queued. */
    private static CompletableFuture<CompletableFuture<List<Integer>>> mapStillEncoding(ProcessPool pool) throws InterruptedException {
        List<SlowToSend> items = range(10).stream().map(SlowToSend::new).toList();
        CompletableFuture<CompletableFuture<List<Integer>>> submitted = CompletableFuture.supplyAsync(
                () -> pool.mapAsync(item -> item.value * 2, items, 1));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (pool.metrics().submitted() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertFalse(submitted.isDone(), "the map is still encoding its chunks");
        return submitted;
    }

    @Test
    void aMapAcceptedBeforeAShutdownRunsWholeAndOneStoppedMidSubmissionFailsItsFuture() throws Exception {
        ProcessPool pool = mp.pool(2);
        CompletableFuture<CompletableFuture<List<Integer>>> accepted = mapStillEncoding(pool);
        pool.shutdown();
        assertThrows(RejectedExecutionException.class, () -> pool.apply(x -> x, 1), "the pool takes nothing new");
        assertEquals(range(10).stream().map(x -> x * 2).toList(), accepted.get(60, TimeUnit.SECONDS).get(60, TimeUnit.SECONDS),
                "every chunk ran, those queued after the shutdown too");
        assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));

        ProcessPool stopped = mp.pool(2);
        CompletableFuture<CompletableFuture<List<Integer>>> cut = mapStillEncoding(stopped);
        stopped.shutdownNow();
        ExecutionException failed = assertThrows(ExecutionException.class, () -> cut.get(60, TimeUnit.SECONDS).get(60, TimeUnit.SECONDS),
                "chunks added after shutdownNow fail at once instead of waiting for a pool that is gone");
        assertInstanceOf(CancellationException.class, failed.getCause());
        assertTrue(stopped.awaitTermination(60, TimeUnit.SECONDS));
    }

    @Test
    void thePoolWaitsWithoutSpinningWhenItsWorkersFillTheCores() {
        int cores = Multiproc.cpuCount();
        assertEquals(WaitStrategy.BLOCKING, PoolOptions.of(cores).waitStrategyOn(cores));
        assertEquals(WaitStrategy.BLOCKING, PoolOptions.of(2 * cores).waitStrategyOn(cores));
        assertEquals(WaitStrategy.BACKOFF, PoolOptions.of(3).waitStrategyOn(8));
        assertEquals(WaitStrategy.BUSY_SPIN, PoolOptions.of(8).withWaitStrategy(WaitStrategy.BUSY_SPIN).waitStrategyOn(2),
                "a strategy set is kept");
    }

    /** A function that counts, in the process that deserialises it, how often that happens. */
    record CountedIncrement(SharedLong deserialised) implements SerializableFunction<Integer, Integer> {
        @java.io.Serial
        private Object readResolve() {
            deserialised.incrementAndGet();
            return this;
        }

        @Override
        public Integer apply(Integer x) {
            return x + 1;
        }
    }

    @Test
    void aMapsFunctionGoesToEachWorkerOnceAndNotAgainForTheNextMap() throws Exception {
        try (ProcessPool pool = mp.pool(2); SharedLong deserialised = mp.sharedLong(0)) {
            CountedIncrement increment = new CountedIncrement(deserialised);
            List<Integer> items = range(1_000);
            assertEquals(1_000, pool.map(increment, items, 10).getLast());
            assertEquals(1_000, pool.map(increment, items, 10).getLast());
            assertTrue(deserialised.get() <= 2, "100 chunks, twice, on 2 workers: deserialised " + deserialised.get() + " times");
        }
    }

    /**
     * More workers than one kernel multi-wait watches (Linux's {@code futex_waitv}: 128) run at
     * once: each of 130 tasks records its worker and waits until all 130 are running, so the map
     * ends only if every worker holds one. Small workers (~60 MB each here, 27 s on 2 cores); a
     * machine without ~13 GB free skips it, saying so.
     */
    @Test
    @Timeout(600)
    void aPoolOfMoreWorkersThanOneKernelMultiWaitWatchesRunsThemAllAtOnce() throws Exception {
        int workers = 130;
        long freeBytes = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getFreeMemorySize();
        assumeTrue(freeBytes >= workers * (100L << 20), "130 worker JVMs need ~13 GB of free memory; this machine has "
                + (freeBytes >> 20) + " MB free");
        PoolOptions small = PoolOptions.of(workers).withJvmOptions(List.of("-Xmx32m", "-XX:TieredStopAtLevel=1"));
        try (SharedMap<Long, Integer> running = mp.map(Codec.longs(), Codec.ints(), 2 * workers);
             SharedEvent allRunning = mp.event();
             ProcessPool pool = mp.pool(small)) {
            CompletableFuture<List<Long>> pids = pool.mapAsync(item -> {
                running.put(ProcessHandle.current().pid(), item);
                return awaitAtMost(allRunning, 300) ? ProcessHandle.current().pid() : 0L;
            }, range(workers), 1);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
            while (running.size() < workers) {
                assertTrue(System.nanoTime() < deadline, running.size() + " of " + workers + " workers running a task");
                Thread.sleep(50);
            }
            allRunning.set();
            List<Long> answered = pids.get(60, TimeUnit.SECONDS);
            assertFalse(answered.contains(0L), "a task gave up waiting for the others");
            assertEquals(workers, new HashSet<>(answered).size(), "each task ran in a worker of its own, all at once");
            assertEquals(0, pool.metrics().lost(), pool.metrics().toString());
        }
    }

    @Test
    void unsendableWorkIsRefusedAtSubmissionNamingTheCulprit() {
        try (ProcessPool pool = mp.pool(1)) {
            Unsendable unsendable = new Unsendable();
            IllegalArgumentException captured = assertThrows(IllegalArgumentException.class,
                    () -> pool.applyAsync(x -> unsendable.hashCode() + x, 1));
            assertTrue(captured.getMessage().contains(Unsendable.class.getName()), captured.getMessage());
            IllegalArgumentException plain = assertThrows(IllegalArgumentException.class, () -> pool.submit(() -> 1));
            assertTrue(plain.getMessage().contains("serialisable"), plain.getMessage());
        }
    }
}
