package dev.multiproc.bench.run;

import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;

/**
 * The figures of one step of one transport.
 *
 * @param transport   the transport's name
 * @param scenario    what was measured ("round trip", "one-way", "throughput", "N->1")
 * @param size        bytes per message
 * @param latency     percentile → nanoseconds, for latency scenarios (else empty)
 * @param messages    messages counted, for throughput scenarios
 * @param nanos       the time they took
 * @param note        how it was measured, or why it failed
 * @param failed      whether the step failed
 */
public record Measurement(String transport, String scenario, int size, List<Percentile> latency, long messages, long nanos,
                          String note, boolean failed) {

    /** A latency at a percentile. */
    public record Percentile(double percentile, long nanos) {
    }

    /** The percentiles reported in tables and plots. */
    public static final double[] PERCENTILES = {0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999, 100};

    public static Measurement latency(String transport, String scenario, int size, Histogram histogram, String note) {
        List<Percentile> percentiles = new ArrayList<>();
        for (double percentile : PERCENTILES) {
            percentiles.add(new Percentile(percentile, percentile == 100 ? histogram.getMaxValue()
                    : histogram.getValueAtPercentile(percentile)));
        }
        return new Measurement(transport, scenario, size, List.copyOf(percentiles), histogram.getTotalCount(), 0, note, false);
    }

    public static Measurement throughput(String transport, String scenario, int size, long messages, long nanos, String note) {
        return new Measurement(transport, scenario, size, List.of(), messages, nanos, note, false);
    }

    public static Measurement failure(String transport, String scenario, int size, String why) {
        return new Measurement(transport, scenario, size, List.of(), 0, 0, why, true);
    }

    public boolean isLatency() {
        return !latency.isEmpty();
    }

    /** Latency at {@code percentile} (one of {@link #PERCENTILES}), in nanoseconds. */
    public long at(double percentile) {
        for (Percentile p : latency) {
            if (p.percentile() == percentile) {
                return p.nanos();
            }
        }
        throw new IllegalArgumentException("no latency recorded at " + percentile);
    }

    public double messagesPerSecond() {
        return nanos == 0 ? 0 : messages * 1e9 / nanos;
    }

    public double megabytesPerSecond() {
        return messagesPerSecond() * size / (1024 * 1024);
    }
}
