package dev.multiproc;

import dev.multiproc.posix.PosixPlatform;
import dev.multiproc.spi.Platforms;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import dev.multiproc.internal.admin.ObjectNames;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Another user on the same machine makes objects in the same {@code /dev/shm}: garbage collection,
 * listing and new contexts, as either user, remove nothing of the other's and stop at nothing;
 * attaching another user's object needs an explicit opt-in. Runs as root, which creates a system
 * user for the test ({@code useradd}) and runs {@link Participant} as that user ({@code runuser}).
 */
@Timeout(180)
@LinuxOnly
class OtherUserTest {
    private static final String USER = "mptest-other";
    private static boolean createdUser;
    private static long uid;
    private static List<String> classPath;
    private final List<ChildJvm> participants = new ArrayList<>();

    /** Why this machine cannot run these tests, once found; null while they can. */
    private static String notPossible;
    private static boolean checked;

    @BeforeEach
    void secondUser() throws Exception {
        if (!checked) {
            checked = true;
            notPossible = makeSecondUser();
            if (notPossible != null) {
                System.err.println("OtherUserTest skipped: " + notPossible);
            }
        }
        Assumptions.assumeTrue(notPossible == null, () -> "skipped: " + notPossible);
    }

    /** Makes the user and checks it can run the build; returns why not, or null. */
    private static String makeSecondUser() throws Exception {
        Object self = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        if (!Integer.valueOf(0).equals(self)) {
            return "making a second user needs root (running as uid " + self + ")";
        }
        if (run("id", "-u", USER).exitCode() != 0) {
            Result added = run("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", USER);
            if (added.exitCode() != 0) {
                return "useradd is not permitted here: " + added.output();
            }
            createdUser = true;
        }
        uid = Long.parseLong(run("id", "-u", USER).output().trim());
        classPath = List.of(location(Participant.class), location(Multiproc.class), location(PosixPlatform.class));
        for (String entry : classPath) {
            if (run("runuser", "-u", USER, "--", "test", "-r", entry).exitCode() != 0) {
                return entry + " is not readable by a second user; run the build in a directory others can read";
            }
        }
        return null;
    }

    @AfterAll
    static void removeUser() throws Exception {
        if (classPath != null) {
            for (String name : Platforms.current().listRegions("mp-")) {
                if (Platforms.current().foreignOwner(name).orElse(-1) == uid) {
                    Platforms.current().unlinkRegion(name);
                }
            }
            for (String registry : listShm("mp-registry-" + uid)) {
                Files.deleteIfExists(Path.of("/dev/shm", registry));
            }
        }
        if (createdUser) {
            run("userdel", USER);
        }
    }

    @AfterEach
    void killParticipants() throws InterruptedException {
        for (ChildJvm participant : participants) {
            participant.close();
        }
    }

    private static List<String> listShm(String prefix) throws IOException {
        try (var names = Files.list(Path.of("/dev/shm"))) {
            return names.map(path -> path.getFileName().toString()).filter(name -> name.startsWith(prefix)).toList();
        }
    }

    private static String location(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not end within 60 s");
        }
        return new Result(process.exitValue(), output);
    }

    /** A participant run as the other user. */
    private ChildJvm asOtherUser(String... args) throws Exception {
        ChildJvm participant = ChildJvm.startUnder(List.of("runuser", "-u", USER, "--"),
                List.of("--enable-native-access=ALL-UNNAMED", "-cp", String.join(File.pathSeparator, classPath)), Participant.class, args);
        participants.add(participant);
        return participant;
    }

    /** A participant run as this user (root). */
    private ChildJvm asThisUser(String... args) throws Exception {
        ChildJvm participant = ChildJvm.start(Participant.class, args);
        participants.add(participant);
        return participant;
    }

    /** The lines a finishing participant printed up to "done", after which it must exit with 0. */
    private static List<String> untilDone(ChildJvm participant) throws Exception {
        List<String> lines = new ArrayList<>();
        for (String line = participant.readLine(); !line.equals("done"); line = participant.readLine()) {
            lines.add(line);
        }
        assertEquals(0, participant.waitFor(60), "the participant ended well");
        return lines;
    }

    private static boolean exists(String name) {
        return Files.exists(Path.of("/dev/shm", name));
    }

    @Test
    void collectingListingAndNewContextsPassOverTheOtherUsersObjectsEitherWay() throws Exception {
        ChildJvm theirLive = asOtherUser("context");
        List<String> theirLiveObjects = List.of(theirLive.readLine(), theirLive.readLine());
        ChildJvm theirDead = asOtherUser("context-then-die");
        List<String> theirDeadObjects = List.of(theirDead.readLine(), theirDead.readLine());
        assertEquals(0, theirDead.waitFor(60));

        try (Multiproc mp = Multiproc.create(); SharedMemory mine = mp.sharedMemory(64)) {
            ChildJvm myDead = asThisUser("context-then-die");
            List<String> myDeadObjects = List.of(myDead.readLine(), myDead.readLine());
            assertEquals(0, myDead.waitFor(60));

            List<String> removed = Multiproc.collectGarbage();
            assertTrue(removed.containsAll(myDeadObjects), "this user's ended context is collected: " + removed);
            for (String theirs : concat(theirLiveObjects, theirDeadObjects)) {
                assertFalse(removed.contains(theirs), "another user's object is never collected: " + theirs);
                assertTrue(exists(theirs), theirs);
            }
            List<SharedObjectInfo> listed = Multiproc.listObjects();
            SharedObjectInfo theirObject = listed.stream().filter(info -> info.name().equals(theirLiveObjects.getFirst())).findFirst()
                    .orElseThrow(() -> new AssertionError("ls shows another user's objects too: " + listed));
            assertEquals("another user (uid " + uid + ")", theirObject.details().get("owner"));
            try (Multiproc another = Multiproc.create(); SharedLong value = another.sharedLong(3)) {
                assertEquals(4, value.incrementAndGet(), "a new context works beside another user's objects");
            }

            ChildJvm myNextDead = asThisUser("context-then-die");
            List<String> myNextDeadObjects = List.of(myNextDead.readLine(), myNextDead.readLine());
            assertEquals(0, myNextDead.waitFor(60));
            List<String> theyRemoved = untilDone(asOtherUser("gc"));
            assertTrue(theyRemoved.containsAll(theirDeadObjects), "the other user collects its own ended context: " + theyRemoved);
            for (String ours : concat(myNextDeadObjects, List.of(mine.name(), ObjectNames.marker(mp.id())))) {
                assertFalse(theyRemoved.contains(ours), "the other user's collection passes over ours: " + ours);
                assertTrue(exists(ours), ours);
            }
            assertTrue(exists(theirLiveObjects.getFirst()), "nor does it remove its own live context");
            assertTrue(untilDone(asOtherUser("ls")).getFirst().startsWith("listed "), "ls as the other user");
            assertEquals(List.of("created"), untilDone(asOtherUser("create")), "a new context as the other user");
            assertTrue(Multiproc.collectGarbage().containsAll(myNextDeadObjects));
        }
    }

    @Test
    void anotherUsersObjectIsMappedOnlyWhenAsked() throws Exception {
        ChildJvm theirs = asOtherUser("context");
        String object = theirs.readLine();
        IncompatibleSharedObjectException refused = assertThrows(IncompatibleSharedObjectException.class, () -> SharedMemory.attach(object));
        assertTrue(refused.getMessage().contains("belongs to uid " + uid), refused.getMessage());
        System.setProperty("multiproc.attachForeign", "true");
        try (SharedMemory attached = SharedMemory.attach(object)) {
            assertEquals(64, attached.size(), "root, told to, maps the other user's object");
        } finally {
            System.clearProperty("multiproc.attachForeign");
        }
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }
}
