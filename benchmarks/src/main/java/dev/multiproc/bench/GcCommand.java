package dev.multiproc.bench;

import dev.multiproc.Multiproc;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "gc", mixinStandardHelpOptions = true,
        description = "Remove the shared objects of processes that are dead. Live processes' objects and "
                + "names multiproc did not generate are never touched.")
final class GcCommand implements Callable<Integer> {
    @Option(names = "--dry-run", description = "List what would be removed, remove nothing.")
    boolean dryRun;

    @Override
    public Integer call() {
        List<String> names = dryRun ? Multiproc.findGarbage() : Multiproc.collectGarbage();
        for (String name : names) {
            System.out.println((dryRun ? "would remove " : "removed ") + name);
        }
        System.out.println(names.size() + (dryRun ? " object(s) of dead processes found" : " object(s) of dead processes removed"));
        return 0;
    }
}
