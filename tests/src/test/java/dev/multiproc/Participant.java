package dev.multiproc;

import dev.multiproc.codec.Codec;
import dev.multiproc.internal.shm.header.ObjectKind;

import java.io.Serializable;
import java.util.List;
import dev.multiproc.internal.admin.ObjectNames;

/**
 * A process that takes part in objects made elsewhere, by name, for tests that run it where a
 * child JVM of the test cannot be: in another PID namespace, as another user. It prints a line
 * once it holds what it was asked to hold, then waits to be killed.
 *
 * <pre>
 *   lock NAME            lock the lock and hold it                     → "held"
 *   semaphore NAME       acquire one permit and hold it                → "held"
 *   barrier NAME         join the barrier and wait at it               → "joined"
 *   pipe NAME END        attach that end of the pipe                   → "attached"
 *   produce NAME         claim a slot of the string queue, never fill it → "claimed"
 *   context              make a context with one object                → its object's name, its marker
 *   context-then-die     the same, then halt without cleaning up        → its object's name, its marker
 *   gc                   collect garbage as this user                  → each removed name, then "done"
 *   ls                   list objects as this user                     → "listed N", then "done"
 *   create               make a context and an object, close it        → "created", then "done"
 * </pre>
 */
public final class Participant {

    private Participant() {
    }

    private static Object attach(ObjectKind kind, String name, int detail, Codec<?> codec) {
        return Multiproc.context().attach(new SharedObjectReference(kind.code(), name, detail, (Serializable) null), codec);
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "lock" -> {
                ((SharedLock) attach(ObjectKind.LOCK, args[1], 0, null)).lock();
                holdAfter("held");
            }
            case "semaphore" -> {
                ((SharedSemaphore) attach(ObjectKind.SEMAPHORE, args[1], 0, null)).acquire();
                holdAfter("held");
            }
            case "barrier" -> {
                SharedBarrier barrier = (SharedBarrier) attach(ObjectKind.BARRIER, args[1], 0, null);
                say("joined");
                barrier.await();
            }
            case "pipe" -> {
                attach(ObjectKind.PIPE, args[1], Integer.parseInt(args[2]), Codec.string());
                holdAfter("attached");
            }
            case "produce" -> {
                @SuppressWarnings("unchecked")
                SharedQueue<String> queue = (SharedQueue<String>) attach(ObjectKind.QUEUE, args[1], 0, Codec.string());
                queue.offerInPlace(5, slot -> {
                    say("claimed");
                    sleepForever();
                });
            }
            case "context", "context-then-die" -> {
                Multiproc mp = Multiproc.create();
                SharedMemory object = mp.sharedMemory(64);
                say(object.name());
                say(ObjectNames.marker(mp.id()));
                if (args[0].equals("context-then-die")) {
                    Runtime.getRuntime().halt(0);
                }
                sleepForever();
            }
            case "gc" -> {
                List<String> removed = Multiproc.collectGarbage();
                removed.forEach(Participant::say);
                say("done");
            }
            case "ls" -> {
                say("listed " + Multiproc.listObjects().size());
                say("done");
            }
            case "create" -> {
                try (Multiproc mp = Multiproc.create(); SharedLong value = mp.sharedLong(1)) {
                    value.incrementAndGet();
                }
                say("created");
                say("done");
            }
            default -> throw new IllegalArgumentException("unknown action " + args[0]);
        }
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static void holdAfter(String line) {
        say(line);
        sleepForever();
    }

    private static void sleepForever() {
        try {
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
