package dev.multiproc.bench;

import dev.multiproc.WaitStrategy;
import dev.multiproc.bench.report.HtmlReport;
import dev.multiproc.bench.report.Reports;
import dev.multiproc.bench.run.BenchRunner;
import dev.multiproc.bench.run.Measurement;
import dev.multiproc.bench.run.OperationsBench;
import dev.multiproc.bench.run.PythonBench;
import dev.multiproc.bench.run.Rounds;
import dev.multiproc.bench.run.Step;
import dev.multiproc.bench.transport.AeronTransport;
import dev.multiproc.bench.transport.AgronaTransports;
import dev.multiproc.bench.transport.ChronicleTransport;
import dev.multiproc.bench.transport.FloorTransports;
import dev.multiproc.bench.transport.Hosts;
import dev.multiproc.bench.transport.MultiprocTransports;
import dev.multiproc.bench.transport.RemoteTransport;
import dev.multiproc.bench.transport.SocketTransports;
import dev.multiproc.bench.transport.Transport;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code multiproc bench}: every transport as two real JVMs (or Python processes) on this
 * machine, measured in one run, printed side by side.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Compare IPC transports between two processes on this machine: round-trip and one-way latency "
                + "percentiles, and throughput, in one run.")
final class BenchCommand implements Callable<Integer> {
    private static final List<String> PYTHON_TRANSPORTS = List.of("python-pipe", "python-queue");
    /** Rows that are operations, not transports: shared map and pool, and their Python counterparts. */
    private static final List<String> OPERATIONS = List.of("mp-connect", "mp-map", "python-manager-dict", "mp-pool", "python-pool");

    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "A short run (64-byte messages, short steps): about a minute and a half on 2 cores.")
    boolean quick;

    @Option(names = "--transports", split = ",", paramLabel = "NAME",
            description = "Transports to run (default: all): ${COMPLETION-CANDIDATES}", completionCandidates = TransportNames.class)
    List<String> transports;

    @Option(names = "--sizes", split = ",", paramLabel = "BYTES",
            description = "Message sizes, at least 8 (default 8,64,1024,65536; --quick: 64).")
    List<Integer> sizes;

    @Option(names = "--duration", paramLabel = "SECONDS",
            description = "Measured seconds per step, after a warm-up of a third of it (default 0.3; --quick 0.15).")
    Double duration;

    @Option(names = "--rate", defaultValue = "20000", paramLabel = "PER_SECOND",
            description = "Offered rate of the one-way latency step (default ${DEFAULT-VALUE} messages/s).")
    int rate;

    @Option(names = "--producers", defaultValue = "2", description = "Producer processes of the N->1 throughput step (default ${DEFAULT-VALUE}).")
    int producers;

    @Option(names = "--html", paramLabel = "FILE", description = "Also write a self-contained HTML report with latency plots.")
    Path html;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the raw figures as JSON.")
    Path json;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    @Option(names = "--rounds", defaultValue = "1", paramLabel = "N",
            description = "Run everything N times, interleaved, and report each row's median round (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--netns", split = ",", paramLabel = "NAMESPACE:ADDRESS",
            description = "Run the transports between hosts (tcp, aeron-udp, mp-remote; the default then) with the responder "
                    + "in the first Linux network namespace, listening at its address, and the initiator in the second "
                    + "(ip netns exec: needs root), e.g. --netns a:10.0.0.1,b:10.0.0.2; default: both on this host over loopback.")
    List<String> netns;

    @Option(names = "--pool-tasks", paramLabel = "COUNT",
            description = "Trivial tasks in the pool map row (default 100000; --quick 20000).")
    Integer poolTasks;

    /** The names --transports accepts, for the help text and validation. */
    static final class TransportNames extends ArrayList<String> {
        @java.io.Serial
        private static final long serialVersionUID = 1L;

        TransportNames() {
            for (Transport transport : allTransports(Hosts.LOOPBACK)) {
                add(transport.name());
            }
            addAll(PYTHON_TRANSPORTS);
            addAll(OPERATIONS);
        }
    }

    /**
     * Every transport, those between hosts placed on {@code hosts}, in the order a round runs
     * them: each next to the transport its goal compares it with, so that both sides of a ratio
     * are measured seconds apart. This machine's speed changes in phases that last from seconds
     * to minutes and move every transport alike (the spin floor's round trip 0.09 µs in one run,
     * 0.38 µs in the next). The MPMC queue's round trip read 16× `OneToOne`'s in a run where the
     * two ran ~40 s apart, as they did before, and 1.2–1.3× wherever both ran in the same phase.
     */
    static List<Transport> allTransports(Hosts hosts) {
        return List.of(FloorTransports.spin(), MultiprocTransports.pipe(WaitStrategy.BUSY_SPIN),
                MultiprocTransports.connection(WaitStrategy.BUSY_SPIN),
                FloorTransports.futex(), MultiprocTransports.pipe(WaitStrategy.BLOCKING), MultiprocTransports.lockHandoff(),
                MultiprocTransports.manyProducersSingleConsumerQueue(), AgronaTransports.manyToOne(),
                MultiprocTransports.queue(WaitStrategy.BUSY_SPIN), AgronaTransports.oneToOne(),
                MultiprocTransports.singleProducerSingleConsumerQueue(),
                MultiprocTransports.queue(WaitStrategy.BLOCKING), AeronTransport.ipc(), new ChronicleTransport(),
                SocketTransports.unixDomain(), SocketTransports.tcp(hosts), new RemoteTransport(hosts), AeronTransport.udp(hosts));
    }

    @Override
    public Integer call() throws Exception {
        List<Integer> messageSizes = sizes != null ? sizes : quick ? List.of(64) : List.of(8, 64, 1024, 65536);
        for (int size : messageSizes) {
            if (size < 8) {
                throw new ParameterException(spec.commandLine(), "--sizes: every size must be at least 8 bytes (the bench stamps each message), got " + size);
            }
        }
        double seconds = duration != null ? duration : quick ? 0.15 : 0.3;
        if (seconds <= 0 || rate <= 0 || producers < 2 || rounds < 1 || poolTasks != null && poolTasks < 1) {
            throw new ParameterException(spec.commandLine(),
                    "--duration, --rate, --rounds and --pool-tasks must be positive and --producers at least 2");
        }
        Hosts hosts = hosts();
        List<String> selected = transports != null ? transports
                : hosts.loopback() ? new TransportNames() : betweenHosts(hosts).stream().map(Transport::name).toList();
        List<String> unknown = selected.stream().filter(name -> !new TransportNames().contains(name)).toList();
        if (!unknown.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "unknown transport(s) " + unknown + "; known: " + new TransportNames());
        }
        List<String> onOneHost = selected.stream().filter(name -> betweenHosts(hosts).stream().noneMatch(t -> t.name().equals(name)))
                .toList();
        if (!hosts.loopback() && !onOneHost.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--netns: " + onOneHost + " run on one host only; between hosts: "
                    + betweenHosts(hosts).stream().map(Transport::name).toList());
        }
        List<Step> steps = plan(messageSizes, seconds);
        List<Transport> chosen = allTransports(hosts).stream().filter(t -> selected.contains(t.name())).toList();
        List<String> python = PYTHON_TRANSPORTS.stream().filter(selected::contains).toList();
        boolean pythonAvailable = PythonPeerRunner.python().isPresent();

        Map<String, String> run = describeRun(messageSizes, seconds, pythonAvailable, hosts);
        List<String> operations = OPERATIONS.stream().filter(selected::contains).toList();
        long total = rounds * (chosen.stream().mapToLong(t -> BenchRunner.applicable(t, steps).size()).sum()
                + (pythonAvailable ? python.size() * messageSizes.size() * 2L : 0) + operations.size());
        List<List<OperationsBench.Figure>> figureRounds = new ArrayList<>();
        List<List<Measurement>> measurementRounds = new ArrayList<>();
        long started = System.nanoTime();
        // a JVM training the start-up cache would take a core from the first transports measured
        dev.multiproc.Multiproc.awaitChildStartupCache(java.time.Duration.ofSeconds(120));
        for (Transport transport : chosen) {
            // peers with options of their own that the common cache does not fit get caches of their own
            dev.multiproc.Multiproc.awaitChildStartupCache(java.time.Duration.ofSeconds(120), transport.jvmOptions());
        }
        try (ProgressBar bar = progressBar(total)) {
            for (int round = 1; round <= rounds; round++) {
                String roundLabel = rounds == 1 ? "" : " (round " + round + "/" + rounds + ")";
                List<Measurement> measurements = new ArrayList<>();
                for (Transport transport : chosen) {
                    bar.setExtraMessage(" " + transport.name() + roundLabel);
                    List<Step> applicable = BenchRunner.applicable(transport, steps);
                    measurements.addAll(BenchRunner.run(transport, applicable, bar::stepBy));
                }
                for (String name : python) {
                    bar.setExtraMessage(" " + name + roundLabel);
                    if (pythonAvailable) {
                        measurements.addAll(PythonBench.run(name.substring("python-".length()), messageSizes, seconds));
                        bar.stepBy(messageSizes.size() * 2L);
                    } else {
                        measurements.add(Measurement.failure(name, "round trip", 64, "skipped: python3 is not on the PATH"));
                    }
                }
                List<OperationsBench.Figure> figures = new ArrayList<>();
                for (String name : operations) {
                    bar.setExtraMessage(" " + name + roundLabel);
                    figures.addAll(runOperation(name, seconds, pythonAvailable));
                    bar.step();
                }
                measurementRounds.add(measurements);
                figureRounds.add(figures);
            }
        }
        List<Measurement> measurements = Rounds.medianMeasurements(measurementRounds);
        List<OperationsBench.Figure> figures = Rounds.medianFigures(figureRounds);
        run.put("took", String.format(Locale.ROOT, "%.0f s", (System.nanoTime() - started) / 1e9));
        Tables tables = new Tables(measurements, figures);
        StringBuilder out = new StringBuilder();
        run.forEach((key, value) -> out.append(key).append(": ").append(value).append('\n'));
        out.append('\n').append(tables.text());
        System.out.print(out);
        if (json != null) {
            Files.writeString(json, Reports.toJson(run, measurements), StandardCharsets.UTF_8);
            System.out.println("wrote " + json);
        }
        if (html != null) {
            Files.writeString(html, HtmlReport.render(run, tables.html(), measurements), StandardCharsets.UTF_8);
            System.out.println("wrote " + html);
        }
        return 0;
    }

    private static List<Transport> betweenHosts(Hosts hosts) {
        return allTransports(hosts).stream().filter(Transport::crossesHosts).toList();
    }

    /** Where the transports between hosts run: --netns's two namespaces, which must exist, else loopback. */
    private Hosts hosts() {
        if (netns == null) {
            return Hosts.LOOPBACK;
        }
        if (netns.size() != 2) {
            throw new ParameterException(spec.commandLine(), "--netns takes two NAMESPACE:ADDRESS, the responder's and the initiator's");
        }
        Hosts hosts;
        try {
            hosts = Hosts.namespaces(netns.get(0), netns.get(1));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--netns: " + e.getMessage());
        }
        for (String namespace : List.of(hosts.responderNamespace(), hosts.initiatorNamespace())) {
            if (!Files.exists(Path.of("/var/run/netns", namespace))) {
                throw new ParameterException(spec.commandLine(), "--netns: no network namespace '" + namespace
                        + "' (ip netns list shows those there are; ip netns add makes one)");
            }
        }
        return hosts;
    }

    private List<OperationsBench.Figure> runOperation(String name, double seconds, boolean pythonAvailable) {
        int tasks = poolTasks != null ? poolTasks : quick ? 20_000 : 100_000;
        try {
            return switch (name) {
                case "mp-connect" -> List.of(OperationsBench.connectLatency(quick ? 20 : 100));
                case "mp-map" -> List.of(OperationsBench.sharedMapOps(Math.max(seconds, quick ? 0.3 : 1)));
                case "mp-pool" -> OperationsBench.pool(2, tasks);
                case "python-manager-dict" -> pythonAvailable ? List.of(OperationsBench.pythonDictOps(Math.max(seconds, quick ? 0.3 : 1)))
                        : List.of(new OperationsBench.Figure(name, "skipped", 0, "", "python3 is not on the PATH"));
                case "python-pool" -> pythonAvailable ? OperationsBench.pythonPool(2, tasks)
                        : List.of(new OperationsBench.Figure(name, "skipped", 0, "", "python3 is not on the PATH"));
                default -> throw new IllegalArgumentException(name);
            };
        } catch (Exception e) {
            return List.of(new OperationsBench.Figure(name, "failed", 0, "", e.toString()));
        }
    }

    List<Step> plan(List<Integer> messageSizes, double seconds) {
        long durationNanos = (long) (seconds * 1e9);
        long warmupNanos = durationNanos / 3;
        List<Step> steps = new ArrayList<>();
        // fresh JVMs first compile the round-trip paths, then the streaming ones
        long jvmWarmUpNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(quick ? 300 : 500), durationNanos);
        steps.add(new Step(Step.Scenario.WARM_UP, messageSizes.getFirst(), jvmWarmUpNanos, 0, rate, 1));
        steps.add(new Step(Step.Scenario.WARM_UP_FLAT_OUT, messageSizes.getFirst(), jvmWarmUpNanos, 0, rate, 1));
        for (int size : messageSizes) {
            steps.add(new Step(Step.Scenario.PING_PONG, size, durationNanos, warmupNanos, rate, 1));
        }
        int oneWaySize = messageSizes.contains(64) ? 64 : messageSizes.getFirst();
        steps.add(new Step(Step.Scenario.ONE_WAY, oneWaySize, Math.max(durationNanos, TimeUnit.MILLISECONDS.toNanos(quick ? 200 : 500)),
                warmupNanos, rate, 1));
        for (int size : messageSizes) {
            steps.add(new Step(Step.Scenario.THROUGHPUT, size, durationNanos, warmupNanos, rate, 1));
        }
        // its extra producers are fresh JVMs: they warm up as long as the peers did, not a third of a step
        steps.add(new Step(Step.Scenario.MANY_TO_ONE, oneWaySize, durationNanos, Math.max(warmupNanos, jvmWarmUpNanos), rate, producers));
        return steps;
    }

    private Map<String, String> describeRun(List<Integer> messageSizes, double seconds, boolean pythonAvailable, Hosts hosts) {
        Map<String, String> run = new LinkedHashMap<>();
        run.put("date", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        run.put("machine", Runtime.getRuntime().availableProcessors() + " cores, " + cpuModel().orElse("unknown CPU")
                + ", " + System.getProperty("os.name") + " " + System.getProperty("os.version"));
        run.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        run.put("python", pythonAvailable ? PythonPeerRunner.version() : "not found (python rows skipped)");
        run.put("command", "multiproc " + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
        run.put("hosts", "transports between hosts: " + hosts.describe());
        run.put("method", "each transport runs as two fresh JVMs (peers with their own flags); each step warms up for a third of its "
                + "time, then measures for " + seconds + " s; round trip: the initiator stamps, the responder echoes; one-way: "
                + "sent at " + rate + "/s, delay measured from the intended send time (coordinated omission counted); "
                + "throughput: flat out, counted by the receiver; N->1: the extra producers, fresh JVMs, warm up as long as the peers did "
                + "at their start; sizes " + messageSizes + "; no CPU pinning"
                + (rounds > 1 ? "; " + rounds + " rounds, each row the median of its rounds (per percentile for latencies)" : ""));
        return run;
    }

    private static Optional<String> cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(line -> line.startsWith("model name"))
                    .map(line -> line.substring(line.indexOf(':') + 1).trim()).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private ProgressBar progressBar(long total) {
        ProgressBarBuilder builder = new ProgressBarBuilder().setTaskName("bench").setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200).showSpeed();
        builder.setConsumer(new ConsoleProgressBarConsumer(noProgress
                ? new java.io.PrintStream(java.io.OutputStream.nullOutputStream()) : System.err));
        return builder.build();
    }
}
