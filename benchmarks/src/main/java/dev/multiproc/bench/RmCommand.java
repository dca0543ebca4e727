package dev.multiproc.bench;

import dev.multiproc.Multiproc;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "rm", mixinStandardHelpOptions = true,
        description = "Remove named objects (made by mp.openQueue(\"orders\", ...) and the like, or a listener): processes "
                + "that have one open keep using it; the next open of the name makes a new one.")
final class RmCommand implements Callable<Integer> {
    /** How {@code multiproc ls} shows a named object's name. */
    private static final String LISTED_PREFIX = "mp-n-";

    @Parameters(arity = "1..*", paramLabel = "NAME", description = "The name as given to open..., or as ls lists it (mp-n-NAME).")
    List<String> names;

    @Override
    public Integer call() {
        int missing = 0;
        Multiproc mp = Multiproc.context();
        for (String name : names) {
            boolean removed = mp.unlink(name) || name.startsWith(LISTED_PREFIX) && mp.unlink(name.substring(LISTED_PREFIX.length()));
            System.out.println(removed ? "removed " + name : "no named object " + name);
            missing += removed ? 0 : 1;
        }
        return missing == 0 ? 0 : 1;
    }
}
