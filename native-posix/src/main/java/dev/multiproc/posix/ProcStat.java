package dev.multiproc.posix;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads {@code /proc/PID/stat}: the process state (field 3) and its start time in clock ticks
 * since boot (field 22). The command name (field 2) may hold spaces and parentheses, so fields
 * are counted from the last ')'.
 *
 * @param state     R, S, D, Z, X, ...
 * @param startTime clock ticks since boot
 */
record ProcStat(char state, long startTime) {

    /** Zombies (ended, not yet reaped) and dead entries count as ended. */
    boolean isRunning() {
        return state != 'Z' && state != 'X' && state != 'x';
    }

    static Optional<ProcStat> read(long pid) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (NoSuchFileException gone) {
            return Optional.empty();
        } catch (IOException e) {
            // the process ended while we read (ESRCH surfaces as an IOException)
            return Optional.empty();
        }
        String text = new String(bytes, StandardCharsets.US_ASCII);
        int afterName = text.lastIndexOf(')');
        if (afterName < 0) {
            return Optional.empty();
        }
        String[] fields = text.substring(afterName + 2).trim().split(" ");
        // fields[0] is field 3 (state); field 22 (starttime) is fields[19]
        if (fields.length < 20) {
            return Optional.empty();
        }
        return Optional.of(new ProcStat(fields[0].charAt(0), Long.parseLong(fields[19])));
    }
}
