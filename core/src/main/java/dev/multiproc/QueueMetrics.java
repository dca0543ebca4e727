package dev.multiproc;

import java.time.Duration;

/**
 * A {@link SharedQueue}'s numbers at one moment ({@link SharedQueue#metrics()}), read from
 * shared memory: every process that has the queue sees the same, and so does
 * {@code multiproc ls}. Counts are since the queue was made, summed over all processes; each is
 * read once, so counts that move meanwhile may be a few messages apart.
 *
 * @param depth            messages in the queue now
 * @param capacity         the most it holds
 * @param put              messages put (positions claimed by producers and not skipped)
 * @param taken            messages taken by consumers
 * @param skipped          positions skipped: claimed by a producer that died or whose writer threw, holding nothing
 * @param spills           messages too big for a slot, passed through a spill object
 * @param producerWaits    puts that found the queue full and waited (past a brief spin: a put or
 *                         take without a timeout that gets its turn within 64 re-checks, about a
 *                         microsecond, is not counted, unless the strategy is {@link WaitStrategy#BLOCKING})
 * @param consumerWaits    takes that found the queue empty and waited (likewise)
 * @param waited           how long those waits took together
 * @param producersWaiting threads asleep waiting for room now
 * @param consumersWaiting threads asleep waiting for a message now
 * @param unfinished       a joinable queue's tasks not yet done (0 for a plain queue)
 */
public record QueueMetrics(long depth, int capacity, long put, long taken, long skipped, long spills, long producerWaits,
                           long consumerWaits, Duration waited, int producersWaiting, int consumersWaiting, long unfinished) {
    QueueMetrics(long depth, int capacity, long put, long taken, long skipped, long spills, long producerWaits,
                 long consumerWaits, long waitedNanos, int producersWaiting, int consumersWaiting, long unfinished) {
        this(depth, capacity, put, taken, skipped, spills, producerWaits, consumerWaits, Duration.ofNanos(waitedNanos),
                producersWaiting, consumersWaiting, unfinished);
    }
}
