package dev.multiproc.bench;

import dev.multiproc.bench.report.Reports;
import dev.multiproc.bench.run.Measurement;
import dev.multiproc.bench.run.OperationsBench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tables of a bench run, and the ratios the project's goals are stated in (each marked met
 * or not), built once and written as text or as HTML.
 */
final class Tables {
    /** A goal the ratio table can check: a comparison and a number ("&gt;= 0.8x ...", "&lt; 1"). */
    private static final Pattern CHECKABLE_GOAL = Pattern.compile("^(>=|<=|<|>)\\s*([0-9]+(?:\\.[0-9]+)?)");

    /** One titled table of the run. */
    record Section(String title, Table table) {
    }

    private final List<Section> sections = new ArrayList<>();
    private final List<String> transports;

    Tables(List<Measurement> measurements, List<OperationsBench.Figure> figures) {
        sections.add(latencyTable("Round-trip latency (µs)", measurements, "round trip"));
        sections.add(latencyTable("One-way latency at a fixed offered rate (µs, from the intended send time)", measurements, "one-way"));
        Table throughput = new Table("TRANSPORT", "SCENARIO", "SIZE", "MSG/S", "MB/S", "NOTE");
        for (Measurement m : measurements) {
            if (m.scenario().startsWith("throughput")) {
                throughput.row(m.transport(), m.scenario(), Reports.bytes(m.size()),
                        m.failed() ? "-" : Reports.rate(m.messagesPerSecond()),
                        m.failed() ? "-" : String.format(Locale.ROOT, "%.1f", m.megabytesPerSecond()), m.failed() ? m.note() : "");
            }
        }
        sections.add(new Section("Throughput", throughput));
        if (!figures.isEmpty()) {
            Table operations = new Table("ROW", "WHAT", "VALUE", "UNIT");
            for (OperationsBench.Figure figure : figures) {
                operations.row(figure.name(), figure.what(), figure.unit().isEmpty() ? "-"
                        : figure.unit().equals("s") ? String.format(Locale.ROOT, "%.3f", figure.value()) : Reports.rate(figure.value()),
                        figure.unit().isEmpty() ? figure.note() : figure.unit());
            }
            sections.add(new Section("Shared map and pool", operations));
        }
        sections.add(new Section("Ratios (same run)", ratios(measurements, figures)));
        transports = measurements.stream().filter(m -> !m.failed()).map(m -> m.transport() + ": " + m.note()).distinct().toList();
    }

    /** The run as text, for the terminal. */
    String text() {
        StringBuilder out = new StringBuilder();
        for (Section section : sections) {
            out.append(section.title()).append('\n').append(section.table()).append('\n');
        }
        out.append("Transports\n");
        transports.forEach(line -> out.append("  ").append(line).append('\n'));
        return out.toString();
    }

    /** The run as HTML tables (sortable by a click on a column's head), for the report. */
    String html() {
        StringBuilder out = new StringBuilder();
        for (Section section : sections) {
            out.append("<h3>").append(Reports.html(section.title())).append("</h3>\n").append(section.table().html());
        }
        out.append("<h3>Transports</h3>\n<ul>\n");
        transports.forEach(line -> out.append("<li>").append(Reports.html(line)).append("</li>\n"));
        return out.append("</ul>\n").toString();
    }

    private static Section latencyTable(String title, List<Measurement> measurements, String scenarioPrefix) {
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
        return new Section(title, table);
    }

    private static Optional<Measurement> find(List<Measurement> measurements, String transport, String scenarioPrefix, int size) {
        return measurements.stream().filter(m -> !m.failed() && m.transport().equals(transport)
                && m.scenario().startsWith(scenarioPrefix) && m.size() == size).findFirst();
    }

    /** The comparisons the project's goals name, where both sides were measured. */
    private static Table ratios(List<Measurement> measurements, List<OperationsBench.Figure> figures) {
        Table table = new Table("COMPARISON", "RATIO", "GOAL", "MET");
        latencyRatio(table, measurements, "mp-lock-handoff", 8, "futex-floor", 8, "round trip p50", "<= 1.5x the floor");
        latencyRatio(table, measurements, "mp-pipe-spin", 64, "spin-floor", 8, "round trip p50", "<= 2x the floor");
        latencyRatio(table, measurements, "mp-pipe-block", 64, "futex-floor", 8, "round trip p50", "<= 1.3x the floor");
        latencyRatio(table, measurements, "mp-connect-spin", 64, "mp-pipe-spin", 64, "round trip p50", "~1x (a connection is a pipe)");
        figures.stream().filter(f -> f.name().equals("mp-connect") && !f.unit().isEmpty()).findFirst().ifPresent(connect ->
                ratioRow(table, "mp-connect, " + connect.what() + " (median) / 1 ms", connect.value() / 1000, "< 1"));
        latencyRatio(table, measurements, "uds", 64, "mp-pipe-spin", 64, "round trip p50", ">= 10x slower than mp-pipe-spin");
        latencyRatio(table, measurements, "tcp", 64, "mp-pipe-spin", 64, "round trip p50", ">= 20x slower than mp-pipe-spin");
        latencyRatio(table, measurements, "python-pipe", 64, "mp-pipe-spin", 64, "round trip p50", "(reported)");
        latencyRatio(table, measurements, "mp-remote", 64, "tcp", 64, "round trip p50", "<= 0.5x JDK TCP, same hosts");
        throughputRatio(table, measurements, "mp-remote", "tcp", "throughput 1->1", ">= 5x JDK TCP, same hosts");
        latencyRatio(table, measurements, "aeron-udp", 64, "tcp", 64, "round trip p50", "(reported: Aeron itself)");
        throughputRatio(table, measurements, "aeron-udp", "tcp", "throughput 1->1", "(reported: Aeron itself)");
        latencyRatio(table, measurements, "mp-remote", 64, "aeron-udp", 64, "round trip p50", "(reported: cost over Aeron)");
        throughputRatio(table, measurements, "mp-remote", "aeron-udp", "throughput 1->1", "(reported: cost over Aeron)");
        throughputRatio(table, measurements, "mp-queue-spin", "agrona-m2o", "throughput 1->1", ">= 1.0x Agrona ManyToOneRingBuffer");
        throughputRatio(table, measurements, "mp-queue-spin", "agrona-m2o", "throughput 2->1", ">= 1.0x Agrona ManyToOneRingBuffer");
        throughputRatio(table, measurements, "mp-queue-mpsc-spin", "agrona-m2o", "throughput 2->1", ">= 1.0x Agrona ManyToOneRingBuffer");
        throughputRatio(table, measurements, "mp-queue-spsc-spin", "agrona-o2o", "throughput 1->1", ">= 0.8x Agrona OneToOneRingBuffer");
        latencyRatio(table, measurements, "mp-queue-spin", 64, "agrona-o2o", 64, "round trip p50", "<= 1.3x Agrona OneToOneRingBuffer");
        latencyRatio(table, measurements, "mp-queue-spin", 64, "agrona-o2o", 64, 99.9, "round trip p99.9", "<= 1.3x Agrona OneToOneRingBuffer");
        latencyRatio(table, measurements, "mp-queue-spsc-spin", 64, "agrona-o2o", 64, "round trip p50", "<= 1.3x Agrona OneToOneRingBuffer");
        latencyRatio(table, measurements, "mp-queue-spsc-spin", 64, "agrona-o2o", 64, 99.9, "round trip p99.9", "<= 1.3x Agrona OneToOneRingBuffer");
        throughputRatio(table, measurements, "mp-queue-spin", "python-queue", "throughput 1->1", ">= 100x Python's Queue");
        throughputRatio(table, measurements, "mp-pipe-spin", "python-pipe", "throughput 1->1", "(reported)");
        figureRatio(table, figures, "mp-map", "python-manager-dict", "put+get", ">= 1000x Python's Manager().dict()", "rate");
        figureRatio(table, figures, "mp-pool", "python-pool", "map of", ">= 3x Python's Pool.map", "rate");
        figureGoal(table, figures, "mp-pool", "efficiency, map of", 100, ">= 0.8");
        figureGoal(table, figures, "mp-pool", "efficiency, 1000 tasks", 100, ">= 0.95");
        figureRatio(table, figures, "mp-pool", "python-pool", "efficiency, uneven chunks", "(reported; Python's workers pull their chunks)",
                "efficiency");
        figures.stream().filter(f -> f.name().equals("mp-pool") && f.what().contains("in one chunk") && f.value() > 0).findFirst()
                .ifPresent(oneChunk -> ratioRow(table, "mp-pool, ns an item, map in one chunk, 1 worker / 30 ns",
                        1e9 / oneChunk.value() / 30, "<= 1"));
        figureRatio(table, figures, "mp-pool", "python-pool", "creation to first result", "(reported; < 1 is faster)", "time");
        figureRatio(table, figures, "mp-pool", "bare-jvm", "cold creation to first result", "<= 2x a bare JVM's start", "time");
        figureRatio(table, figures, "mp-pool", "python-pool", "worker resident memory", "(reported; < 1 is smaller)", "memory");
        return table;
    }

    /** A ratio against its goal, with whether it is met: "yes", "no", or "" for a goal that is only reported. */
    private static void ratioRow(Table table, String comparison, double ratio, String goal) {
        String rounded = String.format(Locale.ROOT, "%.2f", ratio);
        table.row(comparison, rounded, goal, met(Double.parseDouble(rounded), goal));
    }

    static String met(double ratio, String goal) {
        Matcher checkable = CHECKABLE_GOAL.matcher(goal);
        if (!checkable.find()) {
            return "";
        }
        double bound = Double.parseDouble(checkable.group(2));
        boolean met = switch (checkable.group(1)) {
            case ">=" -> ratio >= bound;
            case "<=" -> ratio <= bound;
            case "<" -> ratio < bound;
            default -> ratio > bound;
        };
        return met ? "yes" : "no";
    }

    /** A figure against a goal stated for it alone: its value over {@code scale} (a percentage as a fraction). */
    private static void figureGoal(Table table, List<OperationsBench.Figure> figures, String name, String what, double scale, String goal) {
        figures.stream().filter(f -> f.name().equals(name) && f.what().startsWith(what) && !f.unit().isEmpty()).findFirst()
                .ifPresent(figure -> ratioRow(table, name + ", " + figure.what(), figure.value() / scale, goal));
    }

    private static void figureRatio(Table table, List<OperationsBench.Figure> figures, String name, String reference, String what,
                                    String goal, String measure) {
        Optional<OperationsBench.Figure> mine = figures.stream().filter(f -> f.name().equals(name) && f.what().startsWith(what)
                && !f.unit().isEmpty()).findFirst();
        Optional<OperationsBench.Figure> theirs = figures.stream().filter(f -> f.name().equals(reference) && f.what().startsWith(what)
                && !f.unit().isEmpty()).findFirst();
        if (mine.isPresent() && theirs.isPresent() && theirs.get().value() > 0) {
            ratioRow(table, name + " / " + reference + ", " + mine.get().what() + " (" + measure + ")",
                    mine.get().value() / theirs.get().value(), goal);
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
            ratioRow(table, transport + " " + Reports.bytes(size) + " / " + reference + " " + Reports.bytes(referenceSize) + ", " + what,
                    (double) m.get().at(percentile) / r.get().at(percentile), goal);
        }
    }

    private static void throughputRatio(Table table, List<Measurement> measurements, String transport, String reference,
                                        String scenario, String goal) {
        int size = 64;
        Optional<Measurement> m = find(measurements, transport, scenario, size);
        Optional<Measurement> r = find(measurements, reference, scenario, size);
        if (m.isPresent() && r.isPresent() && r.get().messagesPerSecond() > 0) {
            ratioRow(table, transport + " / " + reference + ", " + scenario + " msg/s, 64 B",
                    m.get().messagesPerSecond() / r.get().messagesPerSecond(), goal);
        }
    }
}
