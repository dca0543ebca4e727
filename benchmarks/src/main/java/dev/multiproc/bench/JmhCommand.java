package dev.multiproc.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "jmh", description = "Run the JMH benchmarks of the hot paths; every argument goes to JMH "
        + "(e.g. -l to list, or a regex with -wi 2 -i 3 -f 1).")
final class JmhCommand implements Callable<Integer> {
    @Unmatched
    List<String> arguments = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        org.openjdk.jmh.Main.main(arguments.toArray(String[]::new));
        return 0;
    }
}
