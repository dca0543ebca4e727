package dev.multiproc.bench;

import dev.multiproc.Multiproc;
import dev.multiproc.SharedObjectInfo;
import dev.multiproc.bench.report.Reports;
import dev.multiproc.remote.Remote;
import dev.multiproc.remote.RemoteConnectionInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(name = "ls", mixinStandardHelpOptions = true,
        description = "List the live multiproc objects on this machine: name, kind, size, creator and per-kind state; "
                + "then the remote connections of JVMs whose embedded media driver runs.")
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
            List<RemoteConnectionInfo> connections = Remote.listConnections();
            System.out.print(json ? toJson(objects, connections) : table(objects) + connectionsTable(connections));
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

    private static String connectionsTable(List<RemoteConnectionInfo> connections) {
        if (connections.isEmpty()) {
            return "";
        }
        Table table = new Table("PID", "CONNECTION", "LOCAL PIPE", "SINCE");
        for (RemoteConnectionInfo connection : connections) {
            table.row(Long.toString(connection.pid()), connection.description(), connection.pipeName(), connection.since().toString());
        }
        return System.lineSeparator() + table + connections.size() + " remote connection(s)" + System.lineSeparator();
    }

    /** The objects, then each remote connection as an entry of kind "remote connection" (its pipe and start under "details"). */
    static String toJson(List<SharedObjectInfo> objects, List<RemoteConnectionInfo> connections) {
        List<SharedObjectInfo> entries = new java.util.ArrayList<>(objects);
        for (RemoteConnectionInfo connection : connections) {
            entries.add(new SharedObjectInfo(connection.description(), "remote connection", 0, connection.pid(), true,
                    Map.of("pipe", connection.pipeName(), "since", connection.since().toString())));
        }
        return toJson(entries);
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
