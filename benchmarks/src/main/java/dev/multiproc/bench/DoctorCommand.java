package dev.multiproc.bench;

import dev.multiproc.Multiproc;
import dev.multiproc.PlatformCheck;
import dev.multiproc.remote.Remote;
import picocli.CommandLine.Command;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Check this machine for multiproc: JDK, native access, kernel, C library, optional system calls and the "
                + "fallbacks in use, shared-memory space, the child start-up cache and collector, remote connections' media drivers. Exit code 1 if something needs attention.")
final class DoctorCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        List<PlatformCheck> checks = new ArrayList<>(Multiproc.checkPlatform());
        checks.addAll(Remote.checkPlatform());
        Table table = new Table("CHECK", "", "FINDING", "NOTE");
        for (PlatformCheck check : checks) {
            table.row(check.topic(), check.ok() ? "OK" : "FIX", check.finding(), check.advice());
        }
        System.out.print(table);
        long problems = checks.stream().filter(check -> !check.ok()).count();
        System.out.println(problems == 0 ? "all OK" : problems + " to fix (see NOTE)");
        return problems == 0 ? 0 : 1;
    }
}
