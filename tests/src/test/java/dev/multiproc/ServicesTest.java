package dev.multiproc;

import dev.multiproc.codec.Codec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Independent programs — JVMs started with {@code ProcessBuilder}, not children of a context —
 * meeting on named objects and connections ({@link Service} is the program).
 */
@Timeout(120)
class ServicesTest {
    private final String prefix = "svc-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<ChildJvm> programs = new ArrayList<>();
    private final List<String> names = new ArrayList<>();

    private ChildJvm start(String... args) throws Exception {
        ChildJvm program = ChildJvm.start(Service.class, args);
        programs.add(program);
        return program;
    }

    private String name(String what) {
        String name = prefix + "-" + what;
        names.add(name);
        return name;
    }

    @AfterEach
    void stopAndUnlink() throws Exception {
        try {
            for (ChildJvm program : programs) {
                program.close();
            }
        } finally {
            try (Multiproc mp = Multiproc.create()) {
                names.forEach(mp::unlink);
            }
        }
    }

    @Test
    void twoProgramsOpeningEveryKindByOneNameAtOnceMakeEachObjectOnce() throws Exception {
        int rounds = 20;
        long start = System.currentTimeMillis() + 2_000;
        ChildJvm first = start("open-all", prefix, Integer.toString(rounds), Long.toString(start));
        ChildJvm second = start("open-all", prefix, Integer.toString(rounds), Long.toString(start));
        Map<String, Integer> creators = new HashMap<>();
        for (ChildJvm program : List.of(first, second)) {
            for (int round = 0; round < rounds; round++) {
                String line = program.readLine();
                String[] parts = line.split(" ");
                assertEquals("round " + round, parts[0] + " " + parts[1], line);
                if (parts.length > 3) {
                    for (String kind : parts[3].split(",")) {
                        creators.merge(round + "-" + kind, 1, Integer::sum);
                    }
                }
            }
            assertEquals("done", program.readLine());
        }
        try (Multiproc mp = Multiproc.create()) {
            for (int round = 0; round < rounds; round++) {
                String base = prefix + "-" + round + "-";
                for (String kind : Service.KINDS) {
                    assertEquals(1, creators.getOrDefault(round + "-" + kind, 0), "round " + round + ": " + kind + " made once");
                    names.add(base + kind);
                }
                assertEquals(2, mp.openSharedLong(base + "long", 0).get(), "both changed the same long");
                assertEquals(2, mp.openQueue(base + "queue", Codec.string(), 16).size());
                assertEquals(2L, mp.openMap(base + "map", Codec.string(), Codec.longs(), 100).get("n"));
                assertEquals(2, mp.openList(base + "list", Codec.string(), 100).size());
                assertEquals(2, mp.openSemaphore(base + "semaphore", 0).availablePermits());
                assertEquals(2.5, mp.openSharedDouble(base + "double", 0.5).get());
            }
        }
        assertEquals(0, first.waitFor(10));
        assertEquals(0, second.waitFor(10));
    }

    @Test
    void aHundredThousandMessagesBetweenTwoProgramsByQueueName() throws Exception {
        String queue = name("queue");
        ChildJvm consumer = start("consume", queue, "100000");
        ChildJvm producer = start("produce", queue, "100000");
        assertEquals("produced", producer.readLine());
        assertEquals("consumed 100000", consumer.readLine());
    }

    @Test
    void twoProgramsMergingIntoOneMapLoseNoUpdate() throws Exception {
        String map = name("map");
        ChildJvm first = start("merge", map, "10000");
        ChildJvm second = start("merge", map, "10000");
        assertEquals("merged", first.readLine());
        assertEquals("merged", second.readLine());
        try (Multiproc mp = Multiproc.create()) {
            SharedMap<String, Long> totals = mp.openMap(map, Codec.string(), Codec.longs(), 100);
            for (int key = 0; key < 10; key++) {
                assertEquals(2_000L, totals.get("k" + key), "k" + key);
            }
        }
    }

    @Test
    void aNamedLockHeldByAKilledProgramIsTakenOverByTheOther() throws Exception {
        String lock = name("lock");
        ChildJvm holder = start("hold", lock);
        assertEquals("held", holder.readLine());
        ChildJvm waiter = start("take-over", lock);
        assertEquals("waiting", waiter.readLine());
        holder.kill();
        String[] tookOver = waiter.readLine().split(" ");
        assertEquals("took over", tookOver[0] + " " + tookOver[1]);
        assertEquals("true", tookOver[3], "recoveredFromDeadOwner");
    }

    @Test
    void aNamedObjectSurvivesItsCreatorsExitAndGarbageCollectionUntilUnlinked() throws Exception {
        String value = name("value");
        ChildJvm creator = start("set-and-exit", value, "7");
        assertEquals("set", creator.readLine());
        assertEquals(0, creator.waitFor(30));
        assertTrue(Multiproc.collectGarbage().stream().noneMatch(removed -> removed.contains(value)));
        try (Multiproc mp = Multiproc.create()) {
            SharedLong survivor = mp.openSharedLong(value, 0);
            assertEquals(7, survivor.get());
            survivor.close();
            assertTrue(mp.unlink(value));
            assertEquals(0, mp.openSharedLong(value, 0).get(), "unlinked: the next open makes a new one");
        }
    }

    @Test
    void aNamedObjectWhoseMakerDiedBeforeFinishingItIsMadeAgainByTheNextOpener() throws Exception {
        String lock = name("half");
        ChildJvm maker = start("half-make", lock);
        assertEquals("made", maker.readLine());
        maker.kill();
        try (Multiproc mp = Multiproc.create()) {
            SharedLock made = mp.openLock(lock);
            assertTrue(made.tryLock(), "a new, working lock");
            made.unlock();
        }
    }

    @LinuxOnly
    @Test
    void lsShowsWhichProcessesHaveANamedObjectOpen() throws Exception {
        String event = name("shown");
        ChildJvm holder = start("hold-event", event);
        assertEquals("opened", holder.readLine());
        SharedObjectInfo info = Multiproc.listObjects().stream().filter(object -> object.name().equals("mp-n-" + event)).findFirst()
                .orElseThrow();
        assertEquals(event + " (stays until unlinked)", info.details().get("named"));
        assertTrue(info.details().getOrDefault("attached by", "").contains("pid " + holder.pid()), info.details().toString());
    }

    @Test
    void aListenerServesFourClientsAndAKilledClientEndsOnlyItsConnection() throws Exception {
        String service = name("echo");
        ChildJvm server = start("serve", service);
        assertEquals("listening", server.readLine());
        ChildJvm doomed = start("client-until-eof", service);
        assertEquals("connected", doomed.readLine());
        List<ChildJvm> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            clients.add(start("client", service, "10000"));
        }
        for (ChildJvm client : clients) {
            assertEquals("connected", client.readLine());
        }
        doomed.kill();
        assertEquals("eof 0", server.readLine(), "the killed client's connection, the first accepted, ends");
        for (ChildJvm client : clients) {
            assertEquals("done 10000", client.readLine());
        }
        List<String> ends = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ends.add(server.readLine());
        }
        ends.sort(null);
        assertEquals(List.of("eof 1", "eof 2", "eof 3", "eof 4"), ends, "the others end when their clients finish");
    }

    @LinuxOnly
    @Test
    void whenTheListenerIsKilledClientsSeeEndOfFileAndConnectIsRefusedWithinASecond() throws Exception {
        String service = name("doomed");
        ChildJvm server = start("serve", service);
        assertEquals("listening", server.readLine());
        ChildJvm client = start("client-until-eof", service);
        assertEquals("connected", client.readLine());
        server.kill();
        assertEquals("eof", client.readLine());
        String[] refused = client.readLine().split(" ");
        assertEquals("refused", refused[0], Arrays.toString(refused));
        assertTrue(Long.parseLong(refused[1]) < 1_000, "refused after " + refused[1] + " ms");
        assertTrue(client.waitFor(10) == 0);
        assertTrue(Multiproc.findGarbage().contains("mp-n-" + service), "a listener nobody listens on is garbage");
        try (Multiproc mp = Multiproc.create()) {
            Listener<String> successor = mp.listen(service, Codec.string());
            assertEquals(service, successor.listenName(), "a dead listener's name is taken over");
            successor.close();
        }
    }
}
