package dev.multiproc.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.multiproc.Multiproc;
import dev.multiproc.SharedMemory;
import dev.multiproc.bench.run.Step;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** The multiproc command line, end to end, with small sizes and short steps. */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class CliTest {

    /** A command's exit code and what it printed. */
    record Run(int exitCode, String out, String err) {
    }

    private static synchronized Run run(String... args) {
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Cli.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
    }

    private static final Pattern ROW = Pattern.compile("(?m)^(\\S+)\\s+round trip\\s+(\\d+ B)\\s+([0-9.,]+)\\s");

    @Test
    void benchMeasuresEveryTransportAndWritesJsonAndHtml(@TempDir Path directory) throws Exception {
        Path json = directory.resolve("bench.json");
        Path html = directory.resolve("bench.html");
        Run run = run("bench", "--transports", "spin-floor,futex-floor,mp-pipe-spin,mp-queue-block,mp-queue-mpsc-spin,uds,agrona-o2o,python-pipe",
                "--sizes", "64", "--duration", "0.1", "--rate", "2000", "--no-progress", "--json", json.toString(), "--html", html.toString());
        assertEquals(0, run.exitCode(), run.err());
        String out = run.out();
        for (String section : List.of("Round-trip latency", "One-way latency", "Throughput", "Ratios (same run)", "machine: ")) {
            assertTrue(out.contains(section), "missing " + section + " in:\n" + out);
        }
        Matcher rows = ROW.matcher(out);
        int measured = 0;
        while (rows.find()) {
            double p50 = Double.parseDouble(rows.group(3).replace(",", ""));
            assertTrue(p50 > 0, "round trip of " + rows.group(1) + " is positive");
            measured++;
        }
        assertTrue(measured >= 6, "round-trip rows measured: " + measured + "\n" + out);
        assertTrue(out.contains("mp-pipe-spin 64 B / spin-floor 8 B"), out);

        JsonNode root = new ObjectMapper().readTree(json.toFile());
        JsonNode measurements = root.get("measurements");
        assertTrue(measurements.isArray() && measurements.size() >= 10, root.toPrettyString());
        boolean sawThroughput = false;
        for (JsonNode measurement : measurements) {
            if (measurement.has("messagesPerSecond") && !measurement.get("failed").asBoolean()) {
                assertTrue(measurement.get("messagesPerSecond").asDouble() > 0, measurement.toString());
                sawThroughput = true;
            }
        }
        assertTrue(sawThroughput);
        boolean sawManyToOne = false;
        for (JsonNode measurement : measurements) {
            if (measurement.get("transport").asText().equals("mp-queue-mpsc-spin") && measurement.get("scenario").asText().equals("throughput 2->1")) {
                assertFalse(measurement.get("failed").asBoolean(), measurement.toString());
                assertTrue(measurement.get("messagesPerSecond").asDouble() > 0, measurement.toString());
                sawManyToOne = true;
            }
        }
        assertTrue(sawManyToOne, "the MPSC queue's two producers, each in its own JVM, into one consumer: " + measurements);
        assertTrue(root.get("run").get("machine").asText().contains("cores"));

        String page = Files.readString(html);
        assertTrue(page.contains("new uPlot("), "the report draws with uPlot");
        assertTrue(page.contains("\"round trip, 64 B\""), "a plot of the round trips");
        assertTrue(page.contains("distr: 3"), "a logarithmic latency axis");
        assertTrue(page.contains("mp-pipe-spin") && page.contains("spin-floor"), "one line per transport");
        assertFalse(page.contains("<script src="), "self-contained: nothing loaded from elsewhere");

        org.jsoup.nodes.Document document = org.jsoup.Jsoup.parse(page);
        assertTrue(document.select("dt:contains(date) + dd").text().startsWith("20"), "the run's date on top");
        assertFalse(document.select("dt:contains(command) + dd").text().isEmpty(), "the command on top");
        org.jsoup.select.Elements tables = document.select("table.sortable");
        assertTrue(tables.size() >= 4, "latency, throughput and ratio tables: " + tables.size());
        org.jsoup.nodes.Element ratios = tables.stream().filter(t -> t.select("thead th").eachText().equals(
                List.of("COMPARISON", "RATIO", "GOAL", "MET"))).findFirst().orElseThrow(() -> new AssertionError("no ratio table"));
        org.jsoup.nodes.Element pipeToFloor = ratios.select("tbody tr:contains(mp-pipe-spin 64 B / spin-floor 8 B)").first();
        assertNotNull(pipeToFloor, ratios.outerHtml());
        double ratio = Double.parseDouble(pipeToFloor.child(1).text());
        assertEquals(ratio <= 2 ? "yes" : "no", pipeToFloor.child(3).text(), "MET follows the ratio and its goal (<= 2x)");
        assertEquals(ratio, Double.parseDouble(pipeToFloor.child(1).attr("data-value")), 1e-9, "numbers sort by their value");
        org.jsoup.select.Elements bars = document.select("svg.throughput-chart rect[data-transport]");
        assertTrue(bars.size() >= 5, "a bar per throughput row: " + bars.size());
        for (org.jsoup.nodes.Element bar : bars) {
            assertTrue(Double.parseDouble(bar.attr("data-rate")) > 0 && Double.parseDouble(bar.attr("width")) > 0, bar.outerHtml());
        }
        assertTrue(bars.eachAttr("data-transport").containsAll(List.of("mp-pipe-spin", "agrona-o2o", "uds")), bars.eachAttr("data-transport").toString());
    }

    @Test
    void aGoalIsMetOnlyOnTheRightSideOfItsBound() {
        assertEquals("yes", Tables.met(0.8, ">= 0.8x Agrona OneToOneRingBuffer"));
        assertEquals("no", Tables.met(0.79, ">= 0.8x Agrona OneToOneRingBuffer"));
        assertEquals("yes", Tables.met(1.3, "<= 1.3x Agrona"));
        assertEquals("no", Tables.met(1.0, "< 1"));
        assertEquals("yes", Tables.met(35, ">= 10x slower than mp-pipe-spin"));
        assertEquals("", Tables.met(1.0, "(reported)"));
        assertEquals("", Tables.met(1.0, "~1x (a connection is a pipe)"));
        assertEquals(2.5e6, Table.numericValue("2.50 M"), 1);
        assertEquals(1024, Table.numericValue("1.0 KiB"), 1e-9);
        assertEquals(12345, Table.numericValue("12,345"), 1e-9);
        assertTrue(Double.isNaN(Table.numericValue("mp-queue-spin")));
    }

    @Test
    void theExtraProducersOfAManyToOneStepWarmUpAsLongAsThePeersDid() {
        BenchCommand bench = new BenchCommand();
        bench.quick = true;
        bench.rate = 20_000;
        bench.producers = 2;
        List<Step> steps = bench.plan(List.of(64), 0.15);
        long peersWarmUp = steps.stream().filter(step -> step.scenario() == Step.Scenario.WARM_UP_FLAT_OUT).findFirst().orElseThrow()
                .durationNanos();
        Step oneToOne = steps.stream().filter(step -> step.scenario() == Step.Scenario.THROUGHPUT).findFirst().orElseThrow();
        Step manyToOne = steps.stream().filter(step -> step.scenario() == Step.Scenario.MANY_TO_ONE).findFirst().orElseThrow();
        // the extra producers are JVMs started for the step: a third of a quick step is 50 ms, where their queue code is interpreted
        assertEquals(peersWarmUp, manyToOne.warmupNanos(), steps.toString());
        assertEquals(oneToOne.durationNanos(), manyToOne.durationNanos(), "measured as long as the 1->1 step");
        assertTrue(oneToOne.warmupNanos() < manyToOne.warmupNanos(), steps.toString());
    }

    @Test
    void badOptionsGiveUsageAndExitCodeTwo() {
        Run unknownOption = run("bench", "--no-such-option");
        assertEquals(2, unknownOption.exitCode());
        assertTrue(unknownOption.err().contains("Usage:") && unknownOption.err().contains("bench"), unknownOption.err());
        Run unknownTransport = run("bench", "--transports", "carrier-pigeon");
        assertEquals(2, unknownTransport.exitCode());
        assertTrue(unknownTransport.err().contains("unknown transport"), unknownTransport.err());
        Run tinySize = run("bench", "--sizes", "4");
        assertEquals(2, tinySize.exitCode());
        Run oneNamespace = run("bench", "--netns", "mp-a:10.0.0.1");
        assertEquals(2, oneNamespace.exitCode());
        assertTrue(oneNamespace.err().contains("--netns takes two NAMESPACE:ADDRESS"), oneNamespace.err());
        Run noAddress = run("bench", "--netns", "mp-a,mp-b:10.0.0.2");
        assertEquals(2, noAddress.exitCode());
        assertTrue(noAddress.err().contains("expected NAMESPACE:ADDRESS, got 'mp-a'"), noAddress.err());
        Run noSuchNamespace = run("bench", "--netns", "mp-no-such-a:10.0.0.1,mp-no-such-b:10.0.0.2", "--transports", "tcp");
        assertEquals(2, noSuchNamespace.exitCode());
        assertTrue(noSuchNamespace.err().contains("no network namespace 'mp-no-such-a'"), noSuchNamespace.err());
        assertEquals(2, run("no-such-command").exitCode());
        assertEquals(2, run("gc", "--bogus").exitCode());
    }

    @Test
    void lsShowsLiveObjectsWithTheirState() {
        try (Multiproc mp = Multiproc.create(); var queue = mp.queue(dev.multiproc.codec.Codec.longs(), 8); var lock = mp.lock()) {
            queue.offer(1L);
            queue.offer(2L);
            lock.lock();
            Run run = run("ls");
            assertEquals(0, run.exitCode(), run.err());
            assertTrue(run.out().contains(queue.name()), run.out());
            assertTrue(run.out().contains("depth=2/8"), run.out());
            assertTrue(run.out().contains(lock.name()), run.out());
            assertTrue(run.out().contains("owner=pid " + ProcessHandle.current().pid()), run.out());
            Run json = run("ls", "--json");
            assertEquals(0, json.exitCode(), json.err());
            String listing = json.out().strip();
            assertTrue(listing.startsWith("[") && listing.endsWith("]"), listing);
            assertTrue(listing.contains("{\"name\": \"" + queue.name() + "\", \"kind\": \"queue\""), listing);
            assertTrue(listing.contains("\"depth\": \"2/8\", "), listing);
            assertTrue(listing.contains("\"put\": \"2\", \"taken\": \"0\""), listing);
            Run watched = run("ls", "--watch", "--count", "2");
            assertEquals(0, watched.exitCode());
            assertTrue(watched.out().split(queue.name(), -1).length >= 3, "two refreshes");
            lock.unlock();
        }
    }

    @Test
    void lsShowsRemoteConnectionsWithTheirLocalPipes() throws Exception {
        int port;
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0)) {
            port = socket.getLocalPort();
        }
        String channel = "aeron:udp?endpoint=127.0.0.1:" + port;
        try (Multiproc mp = Multiproc.create(); dev.multiproc.remote.Remote remote = dev.multiproc.remote.Remote.open(mp);
             var listener = remote.listen(channel, dev.multiproc.codec.Codec.string())) {
            var client = remote.connect(channel, dev.multiproc.codec.Codec.string());
            var server = listener.accept(java.time.Duration.ofSeconds(10));
            assertNotNull(server, "accepted");
            Run run = run("ls");
            assertEquals(0, run.exitCode(), run.err());
            assertTrue(run.out().contains("remote connection(s)"), run.out());
            assertTrue(run.out().contains("to " + channel) && run.out().contains(client.name()), run.out());
            assertTrue(run.out().contains(" on " + channel) && run.out().contains(server.name()), run.out());
            Run json = run("ls", "--json");
            assertTrue(json.out().contains("\"kind\": \"remote connection\"") && json.out().contains("\"pipe\": \"" + client.name() + "\""),
                    json.out());
            client.close();
            server.close();
        }
    }

    @Test
    void doctorReportsEveryCheckAndRmRemovesANamedObject() {
        Run doctor = run("doctor");
        assertEquals(0, doctor.exitCode(), doctor.out());
        for (String check : new String[]{"JDK", "native access", "kernel", "C library", "futex_waitv", "membarrier", "pidfd_open",
                "child descriptors", "shared memory", "start-up cache", "remote: Aeron's JDK access", "remote: channel settings", "remote: media driver"}) {
            assertTrue(doctor.out().contains(check), check + " in " + doctor.out());
        }
        assertTrue(doctor.out().contains("all OK"), doctor.out());
        String name = "cli-rm-" + ProcessHandle.current().pid();
        try (Multiproc mp = Multiproc.create()) {
            mp.openEvent(name).close();
            Run removed = run("rm", name);
            assertEquals(0, removed.exitCode(), removed.out());
            assertEquals(1, run("rm", "mp-n-" + name).exitCode(), "gone already");
        }
    }

    /** Creates an object in its own context and waits to be killed. */
    public static final class Leaver {
        public static void main(String[] args) throws Exception {
            Multiproc mp = Multiproc.create();
            System.out.println(mp.sharedMemory(64).name());
            Thread.sleep(60_000);
        }
    }

    @Test
    void gcRemovesADeadCreatorsObjectsAndLeavesALiveOnes() throws Exception {
        try (Multiproc mp = Multiproc.create(); SharedMemory mine = mp.sharedMemory(64)) {
            Process leaver = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"), Leaver.class.getName()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String leftover;
            try {
                leftover = new java.io.BufferedReader(new java.io.InputStreamReader(leaver.getInputStream(), StandardCharsets.UTF_8)).readLine();
                assertNotNull(leftover, "the child printed the name of what it created");
            } finally {
                leaver.destroyForcibly();
                leaver.waitFor(10, TimeUnit.SECONDS);
            }
            Run dry = run("gc", "--dry-run");
            assertEquals(0, dry.exitCode());
            assertTrue(dry.out().contains("would remove " + leftover), dry.out());
            assertTrue(Files.exists(Path.of("/dev/shm", leftover)));
            Run gc = run("gc");
            assertTrue(gc.out().contains("removed " + leftover), gc.out());
            assertFalse(Files.exists(Path.of("/dev/shm", leftover)));
            assertFalse(gc.out().contains(mine.name()));
            assertTrue(Files.exists(Path.of("/dev/shm", mine.name())), "a live creator's object stays");
        }
    }

    @Test
    void demoAndStartupRunEndToEnd() {
        Run demo = run("demo", "--count", "200000");
        assertEquals(0, demo.exitCode(), demo.err());
        assertTrue(demo.out().contains("all values checked"), demo.out());
        Run startup = run("startup", "--count", "2");
        assertEquals(0, startup.exitCode(), startup.err());
        assertTrue(startup.out().contains("multiproc warm"), startup.out());
        assertTrue(startup.out().contains("bare JVM"), startup.out());
    }
}
