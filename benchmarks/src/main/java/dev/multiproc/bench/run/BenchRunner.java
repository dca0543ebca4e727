package dev.multiproc.bench.run;

import dev.multiproc.JvmProcess;
import dev.multiproc.Multiproc;
import dev.multiproc.SharedBarrier;
import dev.multiproc.bench.transport.Link;
import dev.multiproc.bench.transport.Transport;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * Runs the steps of one transport in two child JVMs (responder and initiator; each in its
 * network namespace where the transport's {@link Transport#hosts()} name one) and collects their
 * figures. A transport that fails or hangs gets failure rows; the run goes on.
 */
public final class BenchRunner {
    private static final long STARTUP_ALLOWANCE_NANOS = TimeUnit.SECONDS.toNanos(90);

    private BenchRunner() {
    }

    /**
     * The steps a transport can run: the floors only ping-pong their 8-byte word (at 8 bytes
     * whatever the sizes asked), N->1 needs a transport that takes several producers. Empty if
     * nothing would be measured.
     */
    public static List<Step> applicable(Transport transport, List<Step> steps) {
        int max = transport.maxMessageSize();
        boolean floor = max <= Long.BYTES;
        List<Step> kept = new ArrayList<>();
        for (Step step : steps) {
            boolean fits = step.size() <= max;
            switch (step.scenario()) {
                case WARM_UP -> kept.add(step.withSize(Math.min(step.size(), max)));
                case WARM_UP_FLAT_OUT -> {
                    if (fits && !floor) {
                        kept.add(step);
                    }
                }
                case PING_PONG -> {
                    if (fits) {
                        kept.add(step);
                    }
                }
                case ONE_WAY, THROUGHPUT -> {
                    if (fits && !floor) {
                        kept.add(step);
                    }
                }
                case MANY_TO_ONE -> {
                    if (fits && transport.manyToOne()) {
                        kept.add(step);
                    }
                }
            }
        }
        if (floor && kept.stream().noneMatch(step -> step.scenario() == Step.Scenario.PING_PONG)) {
            steps.stream().filter(step -> step.scenario() == Step.Scenario.PING_PONG).findFirst()
                    .ifPresent(step -> kept.add(step.withSize(Long.BYTES)));
        }
        return kept.stream().anyMatch(step -> !step.scenario().isWarmUp()) ? kept : List.of();
    }

    /**
     * Runs {@code steps} of {@code transport}; {@code progress} hears each finished step.
     */
    public static List<Measurement> run(Transport transport, List<Step> steps, LongConsumer progress) {
        List<Measurement> measurements = new ArrayList<>();
        if (steps.isEmpty()) {
            return measurements;
        }
        List<Integer> sizes = steps.stream().map(Step::size).distinct().sorted().toList();
        int producers = steps.stream().mapToInt(Step::producers).max().orElse(1);
        long budget = STARTUP_ALLOWANCE_NANOS;
        for (Step step : steps) {
            budget += 3 * (step.durationNanos() + step.warmupNanos());
        }
        Link link = null;
        try (Multiproc mp = Multiproc.create()) {
            link = transport.open(mp, sizes, producers);
            ResultStore results = new ResultStore(mp.sharedMemory(ResultStore.sizeFor(steps.size())));
            SharedBarrier barrier = mp.barrier(2);
            Link shared = link;
            List<String> options = transport.jvmOptions();
            JvmProcess responder = mp.process(() -> Peer.responder(shared, steps, barrier, results));
            responder.setName(transport.name() + "-responder");
            responder.setJvmOptions(options);
            responder.setCommandPrefix(transport.hosts().responderPrefix());
            responder.start();
            JvmProcess initiator = mp.process(() -> Peer.initiator(shared, steps, barrier, results, options));
            initiator.setName(transport.name() + "-initiator");
            initiator.setJvmOptions(options);
            initiator.setCommandPrefix(transport.hosts().initiatorPrefix());
            initiator.start();
            String failure = awaitBoth(responder, initiator, budget, results, progress);
            long finished = results.finishedSteps();
            for (int index = 0; index < steps.size(); index++) {
                Step step = steps.get(index);
                if (step.scenario().isWarmUp()) {
                    continue;
                }
                if (index >= finished) {
                    measurements.add(Measurement.failure(transport.name(), label(step), step.size(),
                            failure == null ? "step did not finish" : failure));
                    continue;
                }
                measurements.add(measurement(transport, step, index, results));
            }
        } catch (Exception | LinkageError e) {
            for (Step step : steps) {
                measurements.add(Measurement.failure(transport.name(), label(step), step.size(), "could not run: " + e));
            }
        } finally {
            if (link != null) {
                try {
                    link.cleanUp();
                } catch (RuntimeException | LinkageError e) {
                    System.err.println("cleaning up after " + transport.name() + " failed: " + e);
                }
            }
        }
        return measurements;
    }

    private static String awaitBoth(JvmProcess responder, JvmProcess initiator, long budgetNanos, ResultStore results,
                                    LongConsumer progress) throws InterruptedException {
        long deadline = System.nanoTime() + budgetNanos;
        long reported = 0;
        while (responder.isAlive() || initiator.isAlive()) {
            long finished = results.finishedSteps();
            if (finished > reported) {
                progress.accept(finished - reported);
                reported = finished;
            }
            boolean oneFailed = exitedBadly(responder) || exitedBadly(initiator);
            if (System.nanoTime() > deadline || oneFailed) {
                responder.kill();
                initiator.kill();
                responder.join(Duration.ofSeconds(10));
                initiator.join(Duration.ofSeconds(10));
                return oneFailed ? "a peer process failed (exit codes " + responder.exitCode() + ", " + initiator.exitCode() + ")"
                        : "timed out";
            }
            Thread.sleep(50);
        }
        long finished = results.finishedSteps();
        if (finished > reported) {
            progress.accept(finished - reported);
        }
        if (responder.exitCode().orElse(-1) != 0 || initiator.exitCode().orElse(-1) != 0) {
            return "a peer process failed (exit codes " + responder.exitCode().orElse(-1) + ", " + initiator.exitCode().orElse(-1) + ")";
        }
        return null;
    }

    private static boolean exitedBadly(JvmProcess process) {
        return !process.isAlive() && process.exitCode().orElse(0) != 0;
    }

    public static String label(Step step) {
        return switch (step.scenario()) {
            case PING_PONG -> "round trip";
            case ONE_WAY -> "one-way @" + step.rate() + "/s";
            case THROUGHPUT -> "throughput 1->1";
            case MANY_TO_ONE -> "throughput " + step.producers() + "->1";
            case WARM_UP, WARM_UP_FLAT_OUT -> "warm-up";
        };
    }

    private static Measurement measurement(Transport transport, Step step, int index, ResultStore results) {
        String label = label(step);
        return switch (step.scenario()) {
            case PING_PONG, ONE_WAY -> {
                Histogram histogram = results.histogram(index);
                yield histogram == null || histogram.getTotalCount() == 0
                        ? Measurement.failure(transport.name(), label, step.size(), "no latency recorded")
                        : Measurement.latency(transport.name(), label, step.size(), histogram, transport.description());
            }
            case THROUGHPUT, MANY_TO_ONE -> Measurement.throughput(transport.name(), label, step.size(), results.count(index),
                    results.nanos(index), transport.description());
            case WARM_UP, WARM_UP_FLAT_OUT -> throw new IllegalArgumentException("a warm-up step has no figures");
        };
    }
}
