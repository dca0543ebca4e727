package dev.multiproc.bench.run;

import dev.multiproc.JvmProcess;
import dev.multiproc.Multiproc;
import dev.multiproc.SharedBarrier;
import dev.multiproc.bench.transport.Endpoint;
import dev.multiproc.bench.transport.Link;
import dev.multiproc.bench.transport.Messages;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * What the two child JVMs of a transport run: the initiator drives every step (sends pings,
 * paced or flat-out messages, then the stop mark), the responder answers or receives. They
 * start and end each step together on a shared barrier; figures go to the {@link ResultStore}.
 */
public final class Peer {
    /** Latencies are recorded up to an hour, at 3 significant digits. */
    private static final long HIGHEST_NANOS = TimeUnit.HOURS.toNanos(1);
    private static final long PACING_SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(50);

    private Peer() {
    }

    public static void initiator(Link link, List<Step> steps, SharedBarrier barrier, ResultStore results, List<String> jvmOptions) {
        try (Endpoint endpoint = link.initiator()) {
            if (steps.stream().anyMatch(step -> step.scenario() == Step.Scenario.MANY_TO_ONE)) {
                // the helpers' start-up cache is made for this JVM's options and theirs: once, now, not beside a measured step
                Multiproc.awaitChildStartupCache(Duration.ofSeconds(60), jvmOptions);
            }
            byte[] message = new byte[maxSize(steps)];
            for (int index = 0; index < steps.size(); index++) {
                Step step = steps.get(index);
                barrier.await();
                endpoint.beginStep(step.size());
                switch (step.scenario()) {
                    case PING_PONG -> results.putHistogram(index, pingPong(endpoint, step, message));
                    case WARM_UP -> pingPong(endpoint, step, message);
                    case ONE_WAY -> sendPaced(endpoint, step, message);
                    case THROUGHPUT, WARM_UP_FLAT_OUT -> sendFlatOut(endpoint, step, message);
                    case MANY_TO_ONE -> sendWithHelpers(endpoint, link, step, message, jvmOptions);
                }
                barrier.await();
            }
        } catch (Exception e) {
            throw new IllegalStateException("initiator failed: " + e, e);
        }
    }

    public static void responder(Link link, List<Step> steps, SharedBarrier barrier, ResultStore results) {
        try (Endpoint endpoint = link.responder()) {
            byte[] message = new byte[maxSize(steps)];
            for (int index = 0; index < steps.size(); index++) {
                Step step = steps.get(index);
                barrier.await();
                endpoint.beginStep(step.size());
                switch (step.scenario()) {
                    case PING_PONG, WARM_UP -> echo(endpoint, message);
                    case ONE_WAY -> results.putHistogram(index, receiveDelays(endpoint, step, message));
                    case THROUGHPUT, WARM_UP_FLAT_OUT -> count(endpoint, message, 1, step, index, results);
                    case MANY_TO_ONE -> count(endpoint, message, step.producers(), step, index, results);
                }
                barrier.await();
                results.stepFinished();
            }
        } catch (Exception e) {
            throw new IllegalStateException("responder failed: " + e, e);
        }
    }

    private static int maxSize(List<Step> steps) {
        return steps.stream().mapToInt(Step::size).max().orElse(8);
    }

    private static void stop(Endpoint endpoint, byte[] message) throws Exception {
        Messages.stamp(message, Messages.STOP);
        endpoint.send(message, Long.BYTES);
    }

    private static Histogram pingPong(Endpoint endpoint, Step step, byte[] message) throws Exception {
        Histogram histogram = new Histogram(HIGHEST_NANOS, 3);
        long start = System.nanoTime();
        long warmupEnd = start + step.warmupNanos();
        long end = warmupEnd + step.durationNanos();
        long now;
        while ((now = System.nanoTime()) < end) {
            Messages.stamp(message, now);
            endpoint.send(message, step.size());
            endpoint.receive(message);
            long after = System.nanoTime();
            if (now >= warmupEnd) {
                histogram.recordValue(Math.min(after - now, HIGHEST_NANOS));
            }
        }
        stop(endpoint, message);
        return histogram;
    }

    private static void echo(Endpoint endpoint, byte[] message) throws Exception {
        while (true) {
            int length = endpoint.receive(message);
            if (Messages.stampOf(message) == Messages.STOP) {
                return;
            }
            endpoint.send(message, length);
        }
    }

    /** Sends at a fixed rate; each message carries the time it was meant to go, so waiting for room counts as delay. */
    private static void sendPaced(Endpoint endpoint, Step step, byte[] message) throws Exception {
        long interval = TimeUnit.SECONDS.toNanos(1) / step.rate();
        long start = System.nanoTime();
        long end = start + step.warmupNanos() + step.durationNanos();
        for (long i = 0; ; i++) {
            long intended = start + i * interval;
            if (intended >= end) {
                break;
            }
            long wait;
            while ((wait = intended - System.nanoTime()) > 0) {
                if (wait > PACING_SPIN_NANOS) {
                    LockSupport.parkNanos(wait - PACING_SPIN_NANOS);
                } else {
                    Thread.onSpinWait();
                }
            }
            Messages.stamp(message, intended);
            endpoint.send(message, step.size());
        }
        stop(endpoint, message);
    }

    /** Records, per message, the delay from its intended send time (coordinated omission included). */
    private static Histogram receiveDelays(Endpoint endpoint, Step step, byte[] message) throws Exception {
        Histogram histogram = new Histogram(HIGHEST_NANOS, 3);
        long warmupEnd = -1;
        while (true) {
            endpoint.receive(message);
            long now = System.nanoTime();
            long intended = Messages.stampOf(message);
            if (intended == Messages.STOP) {
                return histogram;
            }
            if (warmupEnd < 0) {
                warmupEnd = intended + step.warmupNanos();
            }
            if (intended >= warmupEnd) {
                histogram.recordValue(Math.max(0, Math.min(now - intended, HIGHEST_NANOS)));
            }
        }
    }

    /** Sends as fast as the transport takes them; the stamp (refreshed every 64 messages) tells warm-up from measurement. */
    private static void sendFlatOut(Endpoint endpoint, Step step, byte[] message) throws Exception {
        long end = System.nanoTime() + step.warmupNanos() + step.durationNanos();
        long sent = 0;
        long now = System.nanoTime();
        while (now < end) {
            if ((sent & 63) == 0) {
                now = System.nanoTime();
                Messages.stamp(message, now);
            }
            endpoint.send(message, step.size());
            sent++;
        }
        stop(endpoint, message);
    }

    /** The initiator is producer 0; helpers in their own JVMs are the others. */
    private static void sendWithHelpers(Endpoint endpoint, Link link, Step step, byte[] message, List<String> jvmOptions)
            throws Exception {
        List<JvmProcess> helpers = new ArrayList<>();
        try (SharedBarrier start = Multiproc.context().barrier(step.producers())) {
            for (int index = 1; index < step.producers(); index++) {
                int helper = index;
                JvmProcess process = Multiproc.context().process(() -> {
                    try (Endpoint extra = link.extraProducer(helper)) {
                        extra.beginStep(step.size());
                        start.await();
                        sendFlatOut(extra, step, new byte[step.size()]);
                    } catch (Exception e) {
                        throw new IllegalStateException("producer " + helper + " failed: " + e, e);
                    }
                });
                process.setJvmOptions(jvmOptions);
                process.start();
                helpers.add(process);
            }
            start.await();
            sendFlatOut(endpoint, step, message);
            for (JvmProcess helper : helpers) {
                helper.join();
            }
        }
    }

    /** Messages a throughput receiver takes at most per call (where the transport reads in batches). */
    private static final int RECEIVE_BATCH = 256;

    /** Tells warm-up from measurement by each message's stamp, and counts the stop marks. */
    private static final class StampCounter implements java.util.function.LongConsumer {
        private final long warmupNanos;
        private long warmupEnd = -1;
        long measured;
        int stopped;

        StampCounter(long warmupNanos) {
            this.warmupNanos = warmupNanos;
        }

        @Override
        public void accept(long stamp) {
            if (stamp == Messages.STOP) {
                stopped++;
                return;
            }
            if (warmupEnd < 0) {
                warmupEnd = stamp + warmupNanos;
            }
            if (stamp >= warmupEnd) {
                measured++;
            }
        }
    }

    /**
     * Counts what arrives after the warm-up until every sender's stop mark: the clock is read
     * once per batch taken, and the messages of the first measured batch only start it.
     */
    private static void count(Endpoint endpoint, byte[] message, int stops, Step step, int index, ResultStore results)
            throws Exception {
        StampCounter counter = new StampCounter(step.warmupNanos());
        long first = 0;
        long last = 0;
        long countedFrom = -1;
        while (counter.stopped < stops) {
            long before = counter.measured;
            endpoint.receiveBatch(message, RECEIVE_BATCH, counter);
            if (counter.measured == before) {
                continue;
            }
            long now = System.nanoTime();
            if (countedFrom < 0) {
                countedFrom = counter.measured;
                first = now;
            }
            last = now;
        }
        results.putCount(index, countedFrom < 0 ? 0 : counter.measured - countedFrom, last - first);
    }
}
