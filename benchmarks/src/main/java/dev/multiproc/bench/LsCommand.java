package dev.multiproc.bench;

import dev.multiproc.Multiproc;
import dev.multiproc.SharedObjectInfo;
import dev.multiproc.bench.report.Reports;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(name = "ls", mixinStandardHelpOptions = true,
        description = "List the live multiproc objects on this machine: name, kind, size, creator and per-kind state.")
final class LsCommand implements Callable<Integer> {
    @Option(names = "--watch", description = "Refresh every second until interrupted.")
    boolean watch;

    @Option(names = "--count", description = "With --watch: stop after this many refreshes (0: never).", defaultValue = "0")
    int count;

    @Option(names = "--json", description = "Print the objects as JSON (one array; each object's per-kind state under \"details\").")
    boolean json;

    @Override
    public Integer call() throws InterruptedException {
        int printed = 0;
        do {
            if (watch && printed > 0) {
                System.out.print("\033[H\033[2J");
            }
            List<SharedObjectInfo> objects = Multiproc.listObjects();
            System.out.print(json ? toJson(objects) : table(objects));
            printed++;
            if (watch && (count == 0 || printed < count)) {
                Thread.sleep(1_000);
            }
        } while (watch && (count == 0 || printed < count));
        return 0;
    }

    private static String table(List<SharedObjectInfo> objects) {
        Table table = new Table("NAME", "KIND", "SIZE", "CREATOR", "STATE");
        for (SharedObjectInfo object : objects) {
            table.row(object.name(), object.kind(), Table.bytes(object.sizeBytes()),
                    object.creatorPid() == 0 ? "?" : object.creatorPid() + (object.creatorAlive() ? " (alive)" : " (dead)"),
                    describe(object.details()));
        }
        return table.toString() + objects.size() + " object(s)" + System.lineSeparator();
    }

    static String toJson(List<SharedObjectInfo> objects) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < objects.size(); i++) {
            SharedObjectInfo object = objects.get(i);
            out.append(i == 0 ? "\n" : ",\n").append("  {\"name\": ").append(Reports.json(object.name()))
                    .append(", \"kind\": ").append(Reports.json(object.kind()))
                    .append(", \"sizeBytes\": ").append(object.sizeBytes())
                    .append(", \"creatorPid\": ").append(object.creatorPid())
                    .append(", \"creatorAlive\": ").append(object.creatorAlive())
                    .append(", \"details\": {");
            boolean first = true;
            for (Map.Entry<String, String> detail : object.details().entrySet()) {
                out.append(first ? "" : ", ").append(Reports.json(detail.getKey())).append(": ").append(Reports.json(detail.getValue()));
                first = false;
            }
            out.append("}}");
        }
        return out.append(objects.isEmpty() ? "]\n" : "\n]\n").toString();
    }

    private static String describe(Map<String, String> details) {
        return details.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
    }
}
