package dev.multiproc.bench.run;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Combines the rounds of a bench run into one figure per row: the median round of each row
 * (per percentile for latencies), so that one round disturbed by a neighbour on a shared machine
 * does not decide a ratio.
 */
public final class Rounds {

    private Rounds() {
    }

    /** One measurement per (transport, scenario, size), in first-seen order: the median of its rounds. */
    public static List<Measurement> medianMeasurements(List<List<Measurement>> rounds) {
        Map<String, List<Measurement>> rows = new LinkedHashMap<>();
        for (List<Measurement> round : rounds) {
            for (Measurement measurement : round) {
                rows.computeIfAbsent(measurement.transport() + '\0' + measurement.scenario() + '\0' + measurement.size(),
                        key -> new ArrayList<>()).add(measurement);
            }
        }
        List<Measurement> combined = new ArrayList<>();
        for (List<Measurement> row : rows.values()) {
            combined.add(median(row));
        }
        return combined;
    }

    /** The median of the rounds that succeeded; a row fails only if every round failed. */
    private static Measurement median(List<Measurement> row) {
        List<Measurement> succeeded = row.stream().filter(m -> !m.failed()).toList();
        if (succeeded.isEmpty()) {
            return row.getFirst();
        }
        Measurement first = succeeded.getFirst();
        if (first.isLatency()) {
            List<Measurement.Percentile> percentiles = new ArrayList<>();
            for (double percentile : Measurement.PERCENTILES) {
                percentiles.add(new Measurement.Percentile(percentile, (long) medianOf(succeeded, m -> m.at(percentile))));
            }
            long samples = (long) medianOf(succeeded, Measurement::messages);
            return new Measurement(first.transport(), first.scenario(), first.size(), List.copyOf(percentiles), samples, 0,
                    first.note(), false);
        }
        return middleOf(succeeded, Measurement::messagesPerSecond);
    }

    /** One figure per (name, what), in first-seen order: the median of its rounds. */
    public static List<OperationsBench.Figure> medianFigures(List<List<OperationsBench.Figure>> rounds) {
        Map<String, List<OperationsBench.Figure>> rows = new LinkedHashMap<>();
        for (List<OperationsBench.Figure> round : rounds) {
            for (OperationsBench.Figure figure : round) {
                rows.computeIfAbsent(figure.name() + '\0' + figure.what(), key -> new ArrayList<>()).add(figure);
            }
        }
        List<OperationsBench.Figure> combined = new ArrayList<>();
        for (List<OperationsBench.Figure> row : rows.values()) {
            combined.add(middleOf(row, OperationsBench.Figure::value));
        }
        return combined;
    }

    private static <T> double medianOf(List<T> values, ToDoubleFunction<T> value) {
        return value.applyAsDouble(middleOf(values, value));
    }

    /** The element at the middle of {@code values} ordered by {@code value} (the lower middle for an even count). */
    private static <T> T middleOf(List<T> values, ToDoubleFunction<T> value) {
        List<T> sorted = new ArrayList<>(values);
        sorted.sort(Comparator.comparingDouble(value));
        return sorted.get((sorted.size() - 1) / 2);
    }
}
