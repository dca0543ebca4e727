package dev.multiproc.remote;

import io.aeron.CommonContext;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.IoUtil;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The media driver embedded in this JVM: one for every {@link Remote} of the JVM, started by the
 * first, closed (its directory removed) when the last closes. Its directory is named after this
 * process ({@value #PREFIX}{@code <pid>-<random>}) under {@code /dev/shm}, so that the directory
 * of a JVM killed before it could remove it is found and removed by the next embedded driver
 * started on the machine (once its heartbeat has stopped and its process is gone).
 */
final class MediaDrivers {
    static final String PREFIX = "multiproc-aeron-";
    /** How old a driver's heartbeat must be before its directory counts as left behind. */
    private static final long STALE_HEARTBEAT_MILLIS = 2_000;
    /** Term length of the publications: 3 terms make a publication's log, in memory on both hosts. */
    private static final int TERM_LENGTH = 1 << 21;

    private static MediaDriver driver;
    private static int users;

    private MediaDrivers() {
    }

    /** The directory of this JVM's driver, started if none runs; pair with {@link #release()}. */
    static synchronized String acquire(long peerTimeoutNanos) {
        if (driver == null) {
            removeLeftBehind();
            String directory = new File(base(), PREFIX + ProcessHandle.current().pid() + "-" + UUID.randomUUID()).getPath();
            MediaDriver.Context context = new MediaDriver.Context()
                    .aeronDirectoryName(directory)
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true)
                    .threadingMode(ThreadingMode.SHARED)
                    .publicationTermBufferLength(TERM_LENGTH)
                    .imageLivenessTimeoutNs(peerTimeoutNanos)
                    .publicationConnectionTimeoutNs(peerTimeoutNanos)
                    .timerIntervalNs(Math.min(TimeUnit.MILLISECONDS.toNanos(100), peerTimeoutNanos / 4))
                    .untetheredWindowLimitTimeoutNs(peerTimeoutNanos)
                    .warnIfDirectoryExists(false);
            driver = MediaDriver.launch(context);
        }
        users++;
        return driver.aeronDirectoryName();
    }

    static synchronized void release() {
        if (--users == 0) {
            driver.close();
            driver = null;
        }
    }

    static File base() {
        File shm = new File("/dev/shm");
        return shm.isDirectory() ? shm : new File(System.getProperty("java.io.tmpdir"));
    }

    /** An embedded driver's directory on this machine, its process, and whether the driver is running. */
    record DriverDirectory(File directory, long pid, boolean active) {
    }

    /** The embedded drivers' directories under the base directory (ours and other JVMs'). */
    static List<DriverDirectory> directories() {
        List<DriverDirectory> found = new ArrayList<>();
        File[] directories = base().listFiles((dir, name) -> name.startsWith(PREFIX));
        for (File directory : directories == null ? new File[0] : directories) {
            long pid = pidOf(directory);
            if (pid >= 0) {
                found.add(new DriverDirectory(directory, pid, CommonContext.isDriverActive(directory, STALE_HEARTBEAT_MILLIS, message -> { })));
            }
        }
        return found;
    }

    private static long pidOf(File directory) {
        String rest = directory.getName().substring(PREFIX.length());
        int dash = rest.indexOf('-');
        try {
            return Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
        } catch (NumberFormatException notOurs) {
            return -1;
        }
    }

    /** Removes the directories of embedded drivers whose process is gone and whose heartbeat has stopped. */
    static void removeLeftBehind() {
        for (DriverDirectory driver : directories()) {
            boolean processGone = ProcessHandle.of(driver.pid()).map(process -> !process.isAlive()).orElse(true);
            if (processGone && !driver.active()) {
                IoUtil.delete(driver.directory(), true);
            }
        }
    }
}
