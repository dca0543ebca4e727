package dev.multiproc.bench;

import dev.multiproc.bench.report.Reports;
import dev.multiproc.bench.run.Measurement;
import dev.multiproc.bench.run.OperationsBench;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The text tables of a bench run, and the ratios the project's goals are stated in. */
final class Tables {

    private Tables() {
    }

    static String render(List<Measurement> measurements, List<OperationsBench.Figure> figures) {
        StringBuilder out = new StringBuilder();
        latencyTable(out, "Round-trip latency (µs)", measurements, "round trip");
        latencyTable(out, "One-way latency at a fixed offered rate (µs, from the intended send time)", measurements, "one-way");
        Table throughput = new Table("TRANSPORT", "SCENARIO", "SIZE", "MSG/S", "MB/S", "NOTE");
        for (Measurement m : measurements) {
            if (m.scenario().startsWith("throughput")) {
                throughput.row(m.transport(), m.scenario(), Reports.bytes(m.size()),
                        m.failed() ? "-" : Reports.rate(m.messagesPerSecond()),
                        m.failed() ? "-" : String.format(Locale.ROOT, "%.1f", m.megabytesPerSecond()), m.failed() ? m.note() : "");
            }
        }
        out.append("Throughput\n").append(throughput).append('\n');
        if (!figures.isEmpty()) {
            Table operations = new Table("ROW", "WHAT", "VALUE", "UNIT");
            for (OperationsBench.Figure figure : figures) {
                operations.row(figure.name(), figure.what(), figure.unit().isEmpty() ? "-"
                        : figure.unit().equals("s") ? String.format(Locale.ROOT, "%.3f", figure.value()) : Reports.rate(figure.value()),
                        figure.unit().isEmpty() ? figure.note() : figure.unit());
            }
            out.append("Shared map and pool\n").append(operations).append('\n');
        }
        out.append(ratios(measurements, figures));
        out.append("\nTransports\n");
        measurements.stream().filter(m -> !m.failed()).map(m -> m.transport() + ": " + m.note()).distinct()
                .forEach(line -> out.append("  ").append(line).append('\n'));
        return out.toString();
    }

    private static void latencyTable(StringBuilder out, String title, List<Measurement> measurements, String scenarioPrefix) {
        Table table = new Table("TRANSPORT", "SCENARIO", "SIZE", "p50", "p90", "p99", "p99.9", "max", "SAMPLES");
        for (Measurement m : measurements) {
            if (!m.scenario().startsWith(scenarioPrefix)) {
                continue;
            }
            if (m.failed()) {
                table.row(m.transport(), m.scenario(), Reports.bytes(m.size()), "-", "-", "-", "-", "-", m.note());
            } else {
                table.row(m.transport(), m.scenario(), Reports.bytes(m.size()), Reports.micros(m.at(50)), Reports.micros(m.at(90)),
                        Reports.micros(m.at(99)), Reports.micros(m.at(99.9)), Reports.micros(m.at(100)), m.messages());
            }
        }
        out.append(title).append('\n').append(table).append('\n');
    }

    private static Optional<Measurement> find(List<Measurement> measurements, String transport, String scenarioPrefix, int size) {
        return measurements.stream().filter(m -> !m.failed() && m.transport().equals(transport)
                && m.scenario().startsWith(scenarioPrefix) && m.size() == size).findFirst();
    }

    /** The comparisons the project's goals name, where both sides were measured. */
    private static String ratios(List<Measurement> measurements, List<OperationsBench.Figure> figures) {
        Table table = new Table("COMPARISON", "RATIO", "GOAL");
        latencyRatio(table, measurements, "mp-lock-handoff", 8, "futex-floor", 8, "round trip p50", "<= 1.5x the floor");
        latencyRatio(table, measurements, "mp-pipe-spin", 64, "spin-floor", 8, "round trip p50", "<= 2x the floor");
        latencyRatio(table, measurements, "mp-pipe-block", 64, "futex-floor", 8, "round trip p50", "<= 1.3x the floor");
        latencyRatio(table, measurements, "mp-connect-spin", 64, "mp-pipe-spin", 64, "round trip p50", "~1x (a connection is a pipe)");
        figures.stream().filter(f -> f.name().equals("mp-connect") && !f.unit().isEmpty()).findFirst().ifPresent(connect ->
                table.row("mp-connect, " + connect.what() + " (median) / 1 ms", String.format(Locale.ROOT, "%.2f", connect.value() / 1000),
                        "< 1"));
        latencyRatio(table, measurements, "uds", 64, "mp-pipe-spin", 64, "round trip p50", ">= 10x slower than mp-pipe-spin");
        latencyRatio(table, measurements, "tcp", 64, "mp-pipe-spin", 64, "round trip p50", ">= 20x slower than mp-pipe-spin");
        latencyRatio(table, measurements, "python-pipe", 64, "mp-pipe-spin", 64, "round trip p50", "(reported)");
        throughputRatio(table, measurements, "mp-queue-spin", "agrona-m2o", "throughput 1->1", ">= 1.0x Agrona ManyToOneRingBuffer");
        throughputRatio(table, measurements, "mp-queue-spin", "agrona-m2o", "throughput 2->1", ">= 1.0x Agrona ManyToOneRingBuffer");
        throughputRatio(table, measurements, "mp-queue-spsc-spin", "agrona-o2o", "throughput 1->1", ">= 0.8x Agrona OneToOneRingBuffer");
        latencyRatio(table, measurements, "mp-queue-spin", 64, "agrona-o2o", 64, "round trip p50", "<= 1.3x Agrona OneToOneRingBuffer");
        latencyRatio(table, measurements, "mp-queue-spin", 64, "agrona-o2o", 64, 99.9, "round trip p99.9", "<= 1.3x Agrona OneToOneRingBuffer");
        throughputRatio(table, measurements, "mp-queue-spin", "python-queue", "throughput 1->1", ">= 100x Python's Queue");
        throughputRatio(table, measurements, "mp-pipe-spin", "python-pipe", "throughput 1->1", "(reported)");
        figureRatio(table, figures, "mp-map", "python-manager-dict", "put+get", ">= 1000x Python's Manager().dict()", false);
        figureRatio(table, figures, "mp-pool", "python-pool", "map of", ">= 3x Python's Pool.map", false);
        figureGoal(table, figures, "mp-pool", "efficiency, map of", 100, ">= 0.8");
        figureGoal(table, figures, "mp-pool", "efficiency, 1000 tasks", 100, ">= 0.95");
        figures.stream().filter(f -> f.name().equals("mp-pool") && f.what().contains("in one chunk") && f.value() > 0).findFirst()
                .ifPresent(oneChunk -> table.row("mp-pool, ns an item, map in one chunk, 1 worker / 30 ns",
                        String.format(Locale.ROOT, "%.2f", 1e9 / oneChunk.value() / 30), "<= 1"));
        figureRatio(table, figures, "mp-pool", "python-pool", "creation to first result", "(reported; < 1 is faster)", true);
        return "Ratios (same run)\n" + table;
    }

    /** A figure against a goal stated for it alone: its value over {@code scale} (a percentage as a fraction). */
    private static void figureGoal(Table table, List<OperationsBench.Figure> figures, String name, String what, double scale, String goal) {
        figures.stream().filter(f -> f.name().equals(name) && f.what().startsWith(what) && !f.unit().isEmpty()).findFirst()
                .ifPresent(figure -> table.row(name + ", " + figure.what(), String.format(Locale.ROOT, "%.2f", figure.value() / scale), goal));
    }

    private static void figureRatio(Table table, List<OperationsBench.Figure> figures, String name, String reference, String what,
                                    String goal, boolean seconds) {
        Optional<OperationsBench.Figure> mine = figures.stream().filter(f -> f.name().equals(name) && f.what().startsWith(what)
                && !f.unit().isEmpty()).findFirst();
        Optional<OperationsBench.Figure> theirs = figures.stream().filter(f -> f.name().equals(reference) && f.what().startsWith(what)
                && !f.unit().isEmpty()).findFirst();
        if (mine.isPresent() && theirs.isPresent() && theirs.get().value() > 0) {
            table.row(name + " / " + reference + ", " + mine.get().what() + (seconds ? " (time)" : " (rate)"),
                    String.format(Locale.ROOT, "%.2f", mine.get().value() / theirs.get().value()), goal);
        }
    }

    private static void latencyRatio(Table table, List<Measurement> measurements, String transport, int size, String reference,
                                     int referenceSize, String what, String goal) {
        latencyRatio(table, measurements, transport, size, reference, referenceSize, 50, what, goal);
    }

    private static void latencyRatio(Table table, List<Measurement> measurements, String transport, int size, String reference,
                                     int referenceSize, double percentile, String what, String goal) {
        Optional<Measurement> m = find(measurements, transport, "round trip", size);
        Optional<Measurement> r = find(measurements, reference, "round trip", referenceSize);
        if (m.isPresent() && r.isPresent() && r.get().at(percentile) > 0) {
            table.row(transport + " " + Reports.bytes(size) + " / " + reference + " " + Reports.bytes(referenceSize) + ", " + what,
                    String.format(Locale.ROOT, "%.2f", (double) m.get().at(percentile) / r.get().at(percentile)), goal);
        }
    }

    private static void throughputRatio(Table table, List<Measurement> measurements, String transport, String reference,
                                        String scenario, String goal) {
        int size = 64;
        Optional<Measurement> m = find(measurements, transport, scenario, size);
        Optional<Measurement> r = find(measurements, reference, scenario, size);
        if (m.isPresent() && r.isPresent() && r.get().messagesPerSecond() > 0) {
            table.row(transport + " / " + reference + ", " + scenario + " msg/s, 64 B",
                    String.format(Locale.ROOT, "%.2f", m.get().messagesPerSecond() / r.get().messagesPerSecond()), goal);
        }
    }
}
