package dev.multiproc;

import dev.multiproc.codec.Codec;
import dev.multiproc.internal.shm.header.ObjectHeader;
import dev.multiproc.internal.shm.header.ObjectKind;
import dev.multiproc.internal.shm.lock.LockLayout;
import dev.multiproc.spi.Platforms;

import java.io.EOFException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import dev.multiproc.internal.admin.ObjectNames;

/**
 * An independent program (started with {@code ProcessBuilder}, not as a child of the test's
 * context) that meets others on named objects, for {@link ServicesTest}. Prints what it did,
 * one line at a time.
 *
 * <pre>
 *   open-all PREFIX ROUNDS START_MILLIS  each round, at once with its peer: open every kind as PREFIX-r-KIND,
 *                                        use each, meet at the round's barrier → "round r created K1,K2,..."; "done"
 *   produce NAME COUNT                   put "0".."COUNT-1" on the named queue                      → "produced"
 *   consume NAME COUNT                   take COUNT messages, checking their order                  → "consumed COUNT"
 *   merge NAME COUNT                     merge 1 into key "k(i % 10)" of the named map COUNT times  → "merged"
 *   hold NAME                            lock the named lock and hold it                            → "held"
 *   take-over NAME                       wait for the named lock                                    → "took over MILLIS recovered"
 *   set-and-exit NAME VALUE              make the named long VALUE, then exit normally              → "set"
 *   hold-event NAME                      open the named event and keep it open                      → "opened"
 *   half-make NAME                       create the named lock's memory, never publish it, wait     → "made"
 *   serve NAME                           listen; echo every message on every connection (waitAny);
 *                                        print "eof N" when connection N ends                        → "listening"
 *   client NAME COUNT                    connect; COUNT round trips checked                         → "connected", "done COUNT"
 *   client-until-eof NAME                connect; round trips until end-of-file, then connect again → "connected", "eof",
 *                                                                                                     "refused MILLIS"
 * </pre>
 */
public final class Service {
    static final String[] KINDS = {"queue", "joinable", "map", "list", "lock", "rlock", "semaphore", "bounded", "event", "barrier",
            "long", "double", "longs", "doubles", "shm"};

    private Service() {
    }

    public static void main(String[] args) throws Exception {
        Multiproc mp = Multiproc.context();
        switch (args[0]) {
            case "open-all" -> openAll(mp, args[1], Integer.parseInt(args[2]), Long.parseLong(args[3]));
            case "produce" -> {
                SharedQueue<String> queue = mp.openQueue(args[1], Codec.string(), 1024);
                int count = Integer.parseInt(args[2]);
                for (int i = 0; i < count; i++) {
                    queue.put(Integer.toString(i));
                }
                say("produced");
            }
            case "consume" -> {
                SharedQueue<String> queue = mp.openQueue(args[1], Codec.string(), 1024);
                int count = Integer.parseInt(args[2]);
                for (int i = 0; i < count; i++) {
                    String message = queue.take();
                    if (!message.equals(Integer.toString(i))) {
                        throw new AssertionError("message " + i + " was " + message);
                    }
                }
                say("consumed " + count);
            }
            case "merge" -> {
                SharedMap<String, Long> map = mp.openMap(args[1], Codec.string(), Codec.longs(), 100);
                int count = Integer.parseInt(args[2]);
                for (int i = 0; i < count; i++) {
                    map.merge("k" + (i % 10), 1L, Long::sum);
                }
                say("merged");
            }
            case "hold" -> {
                mp.openLock(args[1]).lock();
                say("held");
                Thread.sleep(Long.MAX_VALUE);
            }
            case "take-over" -> {
                SharedLock lock = mp.openLock(args[1]);
                say("waiting");
                long start = System.nanoTime();
                lock.lock();
                say("took over " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " " + lock.recoveredFromDeadOwner());
            }
            case "set-and-exit" -> {
                mp.openSharedLong(args[1], 0).set(Long.parseLong(args[2]));
                say("set");
            }
            case "hold-event" -> {
                mp.openEvent(args[1]);
                say("opened");
                Thread.sleep(Long.MAX_VALUE);
            }
            case "half-make" -> {
                ObjectHeader.create(Platforms.current(), ObjectNames.named(args[1]), ObjectKind.LOCK, LockLayout.LENGTH);
                say("made");
                Thread.sleep(Long.MAX_VALUE);
            }
            case "serve" -> serve(mp, args[1]);
            case "client" -> {
                Connection<String> connection = mp.connect(args[1], Codec.string(), Duration.ofSeconds(30));
                say("connected");
                int count = Integer.parseInt(args[2]);
                for (int i = 0; i < count; i++) {
                    String message = ProcessHandle.current().pid() + ":" + i;
                    connection.send(message);
                    if (!connection.recv().equals(message)) {
                        throw new AssertionError("round trip " + i + " came back changed");
                    }
                }
                say("done " + count);
            }
            case "client-until-eof" -> {
                Connection<String> connection = mp.connect(args[1], Codec.string(), Duration.ofSeconds(30));
                say("connected");
                try {
                    for (long i = 0; ; i++) {
                        connection.send(Long.toString(i));
                        connection.recv();
                    }
                } catch (EOFException | IllegalStateException ended) {
                    say("eof");
                }
                long start = System.nanoTime();
                try {
                    mp.connect(args[1], Codec.string(), Duration.ofSeconds(5));
                    say("connected again");
                } catch (ConnectionRefusedException refused) {
                    say("refused " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                }
            }
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
    }

    private static void openAll(Multiproc mp, String prefix, int rounds, long startMillis) throws Exception {
        while (System.currentTimeMillis() < startMillis) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        for (int round = 0; round < rounds; round++) {
            String base = prefix + "-" + round + "-";
            List<String> created = new ArrayList<>();
            SharedQueue<String> queue = mp.openQueue(base + "queue", Codec.string(), 16);
            note(created, "queue", queue);
            queue.put("x");
            JoinableQueue<String> joinable = mp.openJoinableQueue(base + "joinable", Codec.string(), 16);
            note(created, "joinable", joinable);
            joinable.put("x");
            SharedMap<String, Long> map = mp.openMap(base + "map", Codec.string(), Codec.longs(), 100);
            note(created, "map", map);
            map.merge("n", 1L, Long::sum);
            SharedList<String> list = mp.openList(base + "list", Codec.string(), 100);
            note(created, "list", list.handle());
            list.add("x");
            note(created, "lock", mp.openLock(base + "lock"));
            note(created, "rlock", mp.openReentrantLock(base + "rlock"));
            SharedSemaphore semaphore = mp.openSemaphore(base + "semaphore", 0);
            note(created, "semaphore", semaphore);
            semaphore.release();
            note(created, "bounded", mp.openBoundedSemaphore(base + "bounded", 2));
            SharedEvent event = mp.openEvent(base + "event");
            note(created, "event", event);
            event.set();
            SharedBarrier barrier = mp.openBarrier(base + "barrier", 2);
            note(created, "barrier", barrier);
            SharedLong value = mp.openSharedLong(base + "long", 0);
            note(created, "long", value);
            value.incrementAndGet();
            SharedDouble number = mp.openSharedDouble(base + "double", 0.5);
            note(created, "double", number);
            number.addAndGet(1);
            SharedLongArray longs = mp.openSharedLongArray(base + "longs", 4);
            note(created, "longs", longs);
            longs.incrementAndGet(3);
            note(created, "doubles", mp.openSharedDoubleArray(base + "doubles", 4));
            note(created, "shm", mp.openSharedMemory(base + "shm", 4096));
            // both processes reach this only if they opened the same barrier
            barrier.await(20, TimeUnit.SECONDS);
            say("round " + round + " created " + String.join(",", created));
        }
        say("done");
    }

    /** Records {@code kind} if this process is the one that made {@code object}. */
    private static void note(List<String> created, String kind, SharedObject object) {
        if (ObjectHeader.creatorOf(object.region) == object.region.liveness().currentToken()) {
            created.add(kind);
        }
    }

    private static void serve(Multiproc mp, String name) throws Exception {
        Listener<String> listener = mp.listen(name, Codec.string());
        say("listening");
        List<Connection<?>> connections = new ArrayList<>();
        List<Integer> numbers = new ArrayList<>();
        while (true) {
            Connection<String> accepted = listener.accept(connections.isEmpty() ? null : Duration.ZERO);
            if (accepted != null) {
                connections.add(accepted);
                numbers.add(numbers.size());
                continue;
            }
            for (Connection<?> ready : Connection.waitAny(connections, Duration.ofMillis(20))) {
                @SuppressWarnings("unchecked")
                Connection<String> connection = (Connection<String>) ready;
                int index = connections.indexOf(connection);
                try {
                    connection.send(connection.recv());
                } catch (EOFException | IllegalStateException ended) {
                    say("eof " + numbers.get(index));
                    connections.remove(index);
                    numbers.remove(index);
                    connection.close();
                }
            }
        }
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
