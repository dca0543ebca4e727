package dev.multiproc.bench.report;

import dev.multiproc.bench.run.Measurement;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A self-contained HTML report: the run's facts on top (date, machine, JDK, command), a bar
 * chart of throughput per transport (inline SVG, logarithmic), the tables as HTML tables that
 * sort on a click on a column's head, the ratios with each goal met or not, and one
 * latency-percentile plot per (scenario, size), one line per transport, drawn by uPlot (inlined
 * from its webjar) with a logarithmic percentile axis and a logarithmic latency axis.
 */
public final class HtmlReport {
    private static final String UPLOT = "/META-INF/resources/webjars/uplot/1.6.30/dist/";

    private HtmlReport() {
    }

    private static String resource(String path) throws IOException {
        try (InputStream in = HtmlReport.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IOException("resource missing from the jar: " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Height of one bar of the throughput chart, and the room for labels left of the bars. */
    private static final int BAR_HEIGHT = 22;
    private static final int LABEL_WIDTH = 330;
    private static final int BARS_WIDTH = 560;

    /**
     * Throughput per transport as horizontal bars on a logarithmic scale (from 10 k to the
     * fastest rate, rounded up to a power of ten), one bar per throughput row, fastest first.
     */
    static String throughputChart(List<Measurement> measurements) {
        List<Measurement> rows = measurements.stream().filter(m -> m.scenario().startsWith("throughput") && !m.failed()
                && m.messagesPerSecond() > 0).sorted(java.util.Comparator.comparingDouble(Measurement::messagesPerSecond).reversed()).toList();
        if (rows.isEmpty()) {
            return "<p>No throughput was measured in this run.</p>\n";
        }
        double low = 1e4;
        double high = Math.pow(10, Math.ceil(Math.log10(Math.max(low * 10, rows.getFirst().messagesPerSecond()))));
        int height = rows.size() * BAR_HEIGHT + 30;
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
                "<svg class=\"throughput-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\" "
                        + "aria-label=\"throughput per transport, messages per second, logarithmic\">\n", LABEL_WIDTH + BARS_WIDTH + 90, height));
        for (double tick = low; tick <= high; tick *= 10) {
            double x = LABEL_WIDTH + scale(tick, low, high);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"0\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>\n",
                    x, x, height - 20, x, height - 6, Reports.html(Reports.rate(tick))));
        }
        for (int i = 0; i < rows.size(); i++) {
            Measurement m = rows.get(i);
            int y = i * BAR_HEIGHT;
            String label = m.transport() + ", " + m.scenario() + ", " + Reports.bytes(m.size());
            boolean ours = m.transport().startsWith("mp-");
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"end\">%s</text>"
                            + "<rect data-transport=\"%s\" data-rate=\"%.0f\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>"
                            + "<text x=\"%.1f\" y=\"%d\" font-size=\"12\">%s msg/s</text>\n",
                    LABEL_WIDTH - 6, y + 15, Reports.html(label), Reports.html(m.transport()), m.messagesPerSecond(), LABEL_WIDTH, y + 3,
                    Math.max(1, scale(m.messagesPerSecond(), low, high)), BAR_HEIGHT - 6, ours ? "#1f77b4" : "#aaa",
                    LABEL_WIDTH + Math.max(1, scale(m.messagesPerSecond(), low, high)) + 4, y + 15, Reports.html(Reports.rate(m.messagesPerSecond()))));
        }
        return svg.append("</svg>\n").toString();
    }

    private static double scale(double rate, double low, double high) {
        return BARS_WIDTH * Math.max(0, Math.log10(rate / low)) / Math.log10(high / low);
    }

    /** @param tablesHtml the run's tables, already HTML (sortable tables with numeric cells marked) */
    public static String render(Map<String, String> run, String tablesHtml, List<Measurement> measurements) throws IOException {
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>multiproc bench</title>\n<style>\n")
                .append(resource(UPLOT + "uPlot.min.css"))
                .append("\nbody{font-family:system-ui,sans-serif;margin:2em;color:#222}pre{font-size:12px;background:#f6f6f6;padding:1em;overflow-x:auto}"
                        + ".plot{display:inline-block;margin:1em 1em 2em 0;vertical-align:top}h2{margin-top:2em}"
                        + "dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:bold}"
                        + "table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:13px}th,td{border:1px solid #ddd;padding:.25em .6em}"
                        + "th{background:#f0f0f0;cursor:pointer;user-select:none}td.num{text-align:right;font-variant-numeric:tabular-nums}"
                        + "td.met-yes{background:#d8f5d8;font-weight:bold}td.met-no{background:#fadada;font-weight:bold}"
                        + "\n</style>\n<script>\n")
                .append(resource(UPLOT + "uPlot.iife.min.js"))
                .append("\n</script></head><body>\n<h1>multiproc bench</h1>\n<dl>\n");
        for (Map.Entry<String, String> entry : run.entrySet()) {
            html.append("<dt>").append(Reports.html(entry.getKey())).append("</dt><dd>").append(Reports.html(entry.getValue())).append("</dd>\n");
        }
        html.append("</dl>\n<h2>Throughput</h2>\n<p>Messages per second, logarithmic; multiproc's rows in blue.</p>\n")
                .append(throughputChart(measurements));
        html.append("<h2>Tables</h2>\n<p>Click a column's head to sort by it. In the ratio table, MET says whether each goal "
                + "with a bound is met in this run.</p>\n").append(tablesHtml);
        html.append("<h2>Latency percentiles</h2>\n<p>Each plot: one line per transport; x is the percentile "
                + "(logarithmic: 90, 99, 99.9, ... are evenly spaced), y the latency in microseconds (logarithmic).</p>\n<div id=\"plots\"></div>\n");
        html.append("<script>\n").append(TABLE_SCRIPT).append("const groups = [");
        boolean firstGroup = true;
        for (Map.Entry<String, List<Measurement>> group : Reports.byScenarioAndSize(measurements).entrySet()) {
            List<Measurement> latencies = group.getValue().stream().filter(m -> m.isLatency() && !m.failed()).toList();
            if (latencies.isEmpty()) {
                continue;
            }
            html.append(firstGroup ? "\n" : ",\n").append("{title:").append(Reports.json(group.getKey())).append(",series:[");
            firstGroup = false;
            for (int i = 0; i < latencies.size(); i++) {
                Measurement m = latencies.get(i);
                html.append(i == 0 ? "" : ",").append("{name:").append(Reports.json(m.transport())).append(",points:[");
                for (int p = 0; p < m.latency().size(); p++) {
                    Measurement.Percentile percentile = m.latency().get(p);
                    html.append(p == 0 ? "" : ",").append(String.format(Locale.ROOT, "[%s,%.3f]",
                            percentile.percentile(), Math.max(0.001, percentile.nanos() / 1000.0)));
                }
                html.append("]}");
            }
            html.append("]}");
        }
        html.append("\n];\n").append(PLOT_SCRIPT).append("</script>\n</body></html>\n");
        return html.toString();
    }

    /** Marks the MET column's cells, and sorts a table by a column when its head is clicked (numbers by data-value). */
    private static final String TABLE_SCRIPT = """
            for (const table of document.querySelectorAll('table.sortable')) {
              const heads = [...table.tHead.rows[0].cells];
              const met = heads.findIndex(th => th.textContent === 'MET');
              if (met >= 0) {
                for (const row of table.tBodies[0].rows) {
                  const cell = row.cells[met];
                  if (cell.textContent) cell.classList.add('met-' + cell.textContent);
                }
              }
              heads.forEach((th, column) => th.addEventListener('click', () => {
                const rows = [...table.tBodies[0].rows];
                const ascending = th.dataset.order !== 'asc';
                heads.forEach(other => delete other.dataset.order);
                th.dataset.order = ascending ? 'asc' : 'desc';
                const key = row => {
                  const cell = row.cells[column];
                  return cell.dataset.value !== undefined ? parseFloat(cell.dataset.value) : cell.textContent;
                };
                rows.sort((a, b) => {
                  const x = key(a), y = key(b);
                  const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
                  return ascending ? order : -order;
                });
                rows.forEach(row => table.tBodies[0].appendChild(row));
              }));
            }
            """;

    /**
     * x = -log10(1 - p/100): 0 for the median's neighbourhood ... 5 for 99.999; the maximum is
     * drawn at 6. Ticks are labelled with the percentile.
     */
    private static final String PLOT_SCRIPT = """
            const colours = ['#1f77b4','#ff7f0e','#2ca02c','#d62728','#9467bd','#8c564b','#e377c2','#7f7f7f','#bcbd22','#17becf','#393b79','#637939','#8c6d31','#843c39','#7b4173'];
            const toX = p => p >= 100 ? 6 : -Math.log10(1 - p / 100);
            const label = x => x >= 6 ? 'max' : parseFloat((100 - 100 * Math.pow(10, -x)).toFixed(4)) + '%';
            for (const group of groups) {
              const xs = [...new Set(group.series.flatMap(s => s.points.map(p => toX(p[0]))))].sort((a, b) => a - b);
              const data = [xs];
              for (const s of group.series) {
                const byX = new Map(s.points.map(p => [toX(p[0]), p[1]]));
                data.push(xs.map(x => byX.has(x) ? byX.get(x) : null));
              }
              const box = document.createElement('div');
              box.className = 'plot';
              document.getElementById('plots').appendChild(box);
              new uPlot({
                title: group.title + ' (µs)', width: 620, height: 360,
                scales: {x: {time: false}, y: {distr: 3}},
                axes: [{values: (u, splits) => splits.map(label), splits: () => [0, 1, 2, 3, 4, 5, 6]},
                       {label: 'µs', values: (u, splits) => splits.map(v => v == null ? '' : v >= 1 ? v.toFixed(0) : v.toPrecision(1))}],
                series: [{label: 'percentile', value: (u, x) => x == null ? '' : label(x)}]
                  .concat(group.series.map((s, i) => ({label: s.name, stroke: colours[i % colours.length], width: 2,
                           points: {show: true, size: 4}, value: (u, v) => v == null ? '' : v.toFixed(2) + ' µs'}))),
              }, data, box);
            }
            """;
}
