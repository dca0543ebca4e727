package dev.multiproc.bench.report;

import dev.multiproc.bench.run.Measurement;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Formatting shared by the text table, the JSON and the HTML report. */
public final class Reports {

    private Reports() {
    }

    /** Nanoseconds as microseconds with a sensible precision. */
    public static String micros(long nanos) {
        double micros = nanos / 1000.0;
        if (micros < 10) {
            return String.format(Locale.ROOT, "%.2f", micros);
        }
        if (micros < 1000) {
            return String.format(Locale.ROOT, "%.1f", micros);
        }
        return String.format(Locale.ROOT, "%,.0f", micros);
    }

    public static String rate(double perSecond) {
        if (perSecond >= 1e6) {
            return String.format(Locale.ROOT, "%.2f M", perSecond / 1e6);
        }
        if (perSecond >= 1e3) {
            return String.format(Locale.ROOT, "%.1f k", perSecond / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", perSecond);
    }

    public static String bytes(int size) {
        return size >= 1024 ? (size / 1024) + " KiB" : size + " B";
    }

    /** Measurements grouped by (scenario, size), in the order they first appear. */
    public static Map<String, List<Measurement>> byScenarioAndSize(List<Measurement> measurements) {
        Map<String, List<Measurement>> groups = new LinkedHashMap<>();
        for (Measurement measurement : measurements) {
            groups.computeIfAbsent(measurement.scenario() + ", " + bytes(measurement.size()), k -> new ArrayList<>()).add(measurement);
        }
        return groups;
    }

    /** {@code text} as HTML text or attribute value. */
    public static String html(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    public static String json(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** The figures as JSON: run information and one object per measurement. */
    public static String toJson(Map<String, String> run, List<Measurement> measurements) {
        StringBuilder out = new StringBuilder("{\n  \"run\": {");
        boolean first = true;
        for (Map.Entry<String, String> entry : run.entrySet()) {
            out.append(first ? "\n" : ",\n").append("    ").append(json(entry.getKey())).append(": ").append(json(entry.getValue()));
            first = false;
        }
        out.append("\n  },\n  \"measurements\": [");
        for (int i = 0; i < measurements.size(); i++) {
            Measurement m = measurements.get(i);
            out.append(i == 0 ? "\n" : ",\n").append("    {\"transport\": ").append(json(m.transport()))
                    .append(", \"scenario\": ").append(json(m.scenario()))
                    .append(", \"size\": ").append(m.size())
                    .append(", \"failed\": ").append(m.failed());
            if (m.isLatency()) {
                out.append(", \"latencyNanos\": {");
                for (int p = 0; p < m.latency().size(); p++) {
                    Measurement.Percentile percentile = m.latency().get(p);
                    out.append(p == 0 ? "" : ", ").append(json(String.valueOf(percentile.percentile()))).append(": ").append(percentile.nanos());
                }
                out.append("}, \"samples\": ").append(m.messages());
            } else if (!m.failed()) {
                out.append(", \"messages\": ").append(m.messages()).append(", \"nanos\": ").append(m.nanos())
                        .append(", \"messagesPerSecond\": ").append(String.format(Locale.ROOT, "%.1f", m.messagesPerSecond()))
                        .append(", \"megabytesPerSecond\": ").append(String.format(Locale.ROOT, "%.2f", m.megabytesPerSecond()));
            }
            out.append(", \"note\": ").append(json(m.note())).append('}');
        }
        return out.append("\n  ]\n}\n").toString();
    }
}
