package dev.multiproc;

import java.util.List;
import java.util.Objects;

/**
 * How a {@link ProcessPool} runs [Pool(processes, initializer, maxtasksperchild)].
 *
 * @param workers          worker JVMs
 * @param initializer      run once in each worker before its first task (null: none)
 * @param maxTasksPerChild a worker exits and is replaced after this many tasks (0: never)
 * @param jvmOptions       extra JVM options for the workers, after those they inherit
 *                         ({@link JvmProcess#setJvmOptions}); workers run the serial collector
 *                         unless these or this JVM's options choose one — a worker runs one task
 *                         at a time, and stays near 180 MB resident where G1 grew it to 600 MB
 * @param waitStrategy     how the workers wait for tasks and the pool for results; null (the
 *                         default): {@link WaitStrategy#BLOCKING} when the workers are as many as
 *                         the cores or more — a waiter that spins or yields there takes the CPU
 *                         a worker needs — else {@link WaitStrategy#BACKOFF}
 * @param commandPrefix    a program the workers' {@code java} runs under ({@link
 *                         JvmProcess#setCommandPrefix}): {@code taskset -c 1-3} keeps them off
 *                         core 0, {@code nice -n 10} behind interactive work; empty: none
 */
public record PoolOptions(int workers, SerializableRunnable initializer, int maxTasksPerChild, List<String> jvmOptions,
                          WaitStrategy waitStrategy, List<String> commandPrefix) {

    public PoolOptions {
        if (workers <= 0) {
            throw new IllegalArgumentException("a pool needs at least one worker, got " + workers);
        }
        if (maxTasksPerChild < 0) {
            throw new IllegalArgumentException("maxTasksPerChild must not be negative, got " + maxTasksPerChild);
        }
        jvmOptions = List.copyOf(Objects.requireNonNull(jvmOptions, "jvmOptions"));
        commandPrefix = List.copyOf(Objects.requireNonNull(commandPrefix, "commandPrefix"));
    }

    /** {@code workers} workers, no initializer, workers never retired. */
    public static PoolOptions of(int workers) {
        return new PoolOptions(workers, null, 0, List.of(), null, List.of());
    }

    public PoolOptions withInitializer(SerializableRunnable initializer) {
        return new PoolOptions(workers, initializer, maxTasksPerChild, jvmOptions, waitStrategy, commandPrefix);
    }

    public PoolOptions withMaxTasksPerChild(int tasks) {
        return new PoolOptions(workers, initializer, tasks, jvmOptions, waitStrategy, commandPrefix);
    }

    public PoolOptions withJvmOptions(List<String> options) {
        return new PoolOptions(workers, initializer, maxTasksPerChild, options, waitStrategy, commandPrefix);
    }

    /** These options with {@code strategy} for the workers and the pool (null: chosen by the pool). */
    public PoolOptions withWaitStrategy(WaitStrategy strategy) {
        return new PoolOptions(workers, initializer, maxTasksPerChild, jvmOptions, strategy, commandPrefix);
    }

    /** These options with the workers started under {@code prefix} (see {@link #commandPrefix}). */
    public PoolOptions withCommandPrefix(List<String> prefix) {
        return new PoolOptions(workers, initializer, maxTasksPerChild, jvmOptions, waitStrategy, prefix);
    }

    /** The strategy a pool of these options waits with on a machine of {@code cores} cores. */
    WaitStrategy waitStrategyOn(int cores) {
        if (waitStrategy != null) {
            return waitStrategy;
        }
        return workers >= cores ? WaitStrategy.BLOCKING : WaitStrategy.BACKOFF;
    }
}
