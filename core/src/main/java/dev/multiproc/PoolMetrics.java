package dev.multiproc;

/**
 * A {@link ProcessPool}'s numbers at one moment ({@link ProcessPool#metrics()}). A task here is
 * what the pool hands a worker at once: one submitted task, or one chunk of a map.
 *
 * @param workers      the pool's size
 * @param workersAlive workers whose JVM runs now (a dead one is being replaced)
 * @param submitted    tasks given to the pool since it was made
 * @param answered     tasks a worker answered, with a value or with the exception the task threw
 * @param lost         tasks that failed without an answer: their worker died, or the pool was stopped or broken
 * @param workerDeaths workers that ended unasked (a non-zero exit, or tasks left unanswered)
 * @param queued       tasks waiting for a worker
 * @param inFlight     tasks sent to workers and not yet answered
 * @param takenBack    tasks taken back, unstarted, from a busy worker for one that had run out of work (a task can
 *                     count more than once)
 */
public record PoolMetrics(int workers, int workersAlive, long submitted, long answered, long lost, long workerDeaths,
                          int queued, int inFlight, long takenBack) {
}
