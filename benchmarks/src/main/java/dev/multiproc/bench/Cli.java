package dev.multiproc.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code multiproc}: the command line of the project. Runs with {@code java -jar multiproc.jar}.
 * Usage errors print the usage and exit with 2.
 */
@Command(name = "multiproc", mixinStandardHelpOptions = true, version = "multiproc 0.1.0",
        description = "Python's multiprocessing for the JVM, over shared memory: benchmarks and tools.",
        subcommands = {BenchCommand.class, DemoCommand.class, StartupCommand.class, LsCommand.class, GcCommand.class, RmCommand.class, DoctorCommand.class, JmhCommand.class})
public final class Cli {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code (for tests). */
    public static int run(String... args) {
        return new CommandLine(new Cli()).setParameterExceptionHandler(Cli::usageError).execute(args);
    }

    /** A bad command line: what is wrong, suggestions, then the usage of the command concerned; exit code 2. */
    private static int usageError(CommandLine.ParameterException error, String[] args) {
        CommandLine command = error.getCommandLine();
        java.io.PrintWriter err = command.getErr();
        err.println(error.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(error, err);
        command.usage(err);
        err.flush();
        return command.getCommandSpec().exitCodeOnInvalidInput();
    }
}
