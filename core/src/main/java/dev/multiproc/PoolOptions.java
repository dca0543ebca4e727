package dev.multiproc;

import java.util.List;
import java.util.Objects;

/**
 * How a {@link ProcessPool} runs [Pool(processes, initializer, maxtasksperchild)].
 *
 * @param workers          worker JVMs
 * @param initializer      run once in each worker before its first task (null: none)
 * @param maxTasksPerChild a worker exits and is replaced after this many tasks (0: never)
 * @param jvmOptions       extra JVM options for the workers
 */
public record PoolOptions(int workers, SerializableRunnable initializer, int maxTasksPerChild, List<String> jvmOptions) {

    public PoolOptions {
        if (workers <= 0) {
            throw new IllegalArgumentException("a pool needs at least one worker, got " + workers);
        }
        if (maxTasksPerChild < 0) {
            throw new IllegalArgumentException("maxTasksPerChild must not be negative, got " + maxTasksPerChild);
        }
        jvmOptions = List.copyOf(Objects.requireNonNull(jvmOptions, "jvmOptions"));
    }

    /** {@code workers} workers, no initializer, workers never retired. */
    public static PoolOptions of(int workers) {
        return new PoolOptions(workers, null, 0, List.of());
    }

    public PoolOptions withInitializer(SerializableRunnable initializer) {
        return new PoolOptions(workers, initializer, maxTasksPerChild, jvmOptions);
    }

    public PoolOptions withMaxTasksPerChild(int tasks) {
        return new PoolOptions(workers, initializer, tasks, jvmOptions);
    }

    public PoolOptions withJvmOptions(List<String> options) {
        return new PoolOptions(workers, initializer, maxTasksPerChild, options);
    }
}
