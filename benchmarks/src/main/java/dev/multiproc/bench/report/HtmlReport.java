package dev.multiproc.bench.report;

import dev.multiproc.bench.run.Measurement;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A self-contained HTML report: the run's facts, the tables, and one latency-percentile plot
 * per (scenario, size), one line per transport, drawn by uPlot (inlined from its webjar) with a
 * logarithmic percentile axis and a logarithmic latency axis.
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

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    public static String render(Map<String, String> run, String tables, List<Measurement> measurements) throws IOException {
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>multiproc bench</title>\n<style>\n")
                .append(resource(UPLOT + "uPlot.min.css"))
                .append("\nbody{font-family:system-ui,sans-serif;margin:2em;color:#222}pre{font-size:12px;background:#f6f6f6;padding:1em;overflow-x:auto}"
                        + ".plot{display:inline-block;margin:1em 1em 2em 0;vertical-align:top}h2{margin-top:2em}"
                        + "dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:bold}\n</style>\n<script>\n")
                .append(resource(UPLOT + "uPlot.iife.min.js"))
                .append("\n</script></head><body>\n<h1>multiproc bench</h1>\n<dl>\n");
        for (Map.Entry<String, String> entry : run.entrySet()) {
            html.append("<dt>").append(escape(entry.getKey())).append("</dt><dd>").append(escape(entry.getValue())).append("</dd>\n");
        }
        html.append("</dl>\n<h2>Latency percentiles</h2>\n<p>Each plot: one line per transport; x is the percentile "
                + "(logarithmic: 90, 99, 99.9, ... are evenly spaced), y the latency in microseconds (logarithmic).</p>\n<div id=\"plots\"></div>\n");
        html.append("<h2>Tables</h2>\n<pre>").append(escape(tables)).append("</pre>\n<script>\nconst groups = [");
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
