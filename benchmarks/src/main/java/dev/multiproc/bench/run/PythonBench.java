package dev.multiproc.bench.run;

import dev.multiproc.bench.PythonPeerRunner;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Python's multiprocessing measured on this machine in the same run: its scripts measure their
 * own round trips and throughput between two spawned processes and print JSON lines, read here.
 */
public final class PythonBench {
    private static final Pattern PERCENTILE = Pattern.compile("\\[([0-9.]+), ([0-9]+)]");
    private static final Pattern NUMBER_FIELD = Pattern.compile("\"(size|messages|nanos|count)\": ([0-9]+)");
    private static final Pattern SCENARIO = Pattern.compile("\"scenario\": \"([^\"]+)\"");

    private PythonBench() {
    }

    /** Runs {@code python3 ipc_bench.py} for {@code transport} ("pipe" or "queue"). */
    public static List<Measurement> run(String transport, List<Integer> sizes, double seconds) {
        String name = "python-" + transport;
        String note = PythonPeerRunner.version() + " multiprocessing."
                + (transport.equals("pipe") ? "Pipe send_bytes/recv_bytes" : "Queue put/get") + ", spawn start method (peer)";
        List<Measurement> measurements = new ArrayList<>();
        try {
            String sizeList = String.join(",", sizes.stream().map(String::valueOf).toList());
            long timeout = (long) (sizes.size() * (seconds * 3 + 10)) + 60;
            for (String line : PythonPeerRunner.run("ipc_bench.py", timeout, transport, sizeList,
                    String.format(Locale.ROOT, "%.3f", seconds))) {
                measurements.add(parse(name, line, note));
            }
        } catch (Exception e) {
            for (int size : sizes) {
                measurements.add(Measurement.failure(name, "round trip", size, "python failed: " + e.getMessage()));
            }
        }
        return measurements;
    }

    static Measurement parse(String name, String line, String note) {
        Matcher scenario = SCENARIO.matcher(line);
        if (!scenario.find()) {
            throw new IllegalArgumentException("not a result line: " + line);
        }
        long size = 0;
        long messages = 0;
        long nanos = 0;
        Matcher field = NUMBER_FIELD.matcher(line);
        while (field.find()) {
            long value = Long.parseLong(field.group(2));
            switch (field.group(1)) {
                case "size" -> size = value;
                case "messages", "count" -> messages = value;
                case "nanos" -> nanos = value;
                default -> { }
            }
        }
        List<Measurement.Percentile> percentiles = new ArrayList<>();
        Matcher percentile = PERCENTILE.matcher(line);
        while (percentile.find()) {
            percentiles.add(new Measurement.Percentile(Double.parseDouble(percentile.group(1)), Long.parseLong(percentile.group(2))));
        }
        return new Measurement(name, scenario.group(1), (int) size, List.copyOf(percentiles), messages, nanos, note, false);
    }
}
