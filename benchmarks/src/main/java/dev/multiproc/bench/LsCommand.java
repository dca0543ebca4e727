package dev.multiproc.bench;

import dev.multiproc.Multiproc;
import dev.multiproc.SharedObjectInfo;
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

    @Override
    public Integer call() throws InterruptedException {
        int printed = 0;
        do {
            if (watch && printed > 0) {
                System.out.print("\033[H\033[2J");
            }
            print(Multiproc.listObjects());
            printed++;
            if (watch && (count == 0 || printed < count)) {
                Thread.sleep(1_000);
            }
        } while (watch && (count == 0 || printed < count));
        return 0;
    }

    private static void print(List<SharedObjectInfo> objects) {
        Table table = new Table("NAME", "KIND", "SIZE", "CREATOR", "STATE");
        for (SharedObjectInfo object : objects) {
            table.row(object.name(), object.kind(), Table.bytes(object.sizeBytes()),
                    object.creatorPid() == 0 ? "?" : object.creatorPid() + (object.creatorAlive() ? " (alive)" : " (dead)"),
                    describe(object.details()));
        }
        System.out.print(table);
        System.out.println(objects.size() + " object(s)");
    }

    private static String describe(Map<String, String> details) {
        return details.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
    }
}
