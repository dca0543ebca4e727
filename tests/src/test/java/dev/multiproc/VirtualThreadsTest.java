package dev.multiproc;

import dev.multiproc.codec.Codec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Virtual threads asleep in multiproc waits leave their carriers to other virtual threads: more
 * sleepers than carriers, and the virtual thread that wakes them still runs.
 */
@Timeout(120)
class VirtualThreadsTest extends ContextPerTest {

    /** The default scheduler's carrier count. */
    private static int carriers() {
        return Integer.getInteger("jdk.virtualThreadScheduler.parallelism", Runtime.getRuntime().availableProcessors());
    }

    private static void awaitCount(String what, int expected, IntSupplier count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (count.getAsInt() != expected) {
            assertTrue(System.nanoTime() < deadline, what + ": " + count.getAsInt() + " of " + expected + " after 20 s");
            Thread.sleep(5);
        }
    }

    @Test
    void moreVirtualTakersAsleepThanCarriersAndAVirtualProducerStillRuns() throws Exception {
        int takers = carriers() + 2;
        ExecutorService virtualThreads = Executors.newVirtualThreadPerTaskExecutor();
        try (SharedQueue<Integer> queue = mp.queue(Codec.ints(), 64)) {
            List<Future<Integer>> taken = new ArrayList<>();
            for (int i = 0; i < takers; i++) {
                taken.add(virtualThreads.submit(queue::take));
            }
            awaitCount("virtual takers asleep on the queue", takers, () -> queue.metrics().consumersWaiting());
            Future<?> producer = virtualThreads.submit(() -> {
                for (int i = 1; i <= takers; i++) {
                    queue.put(i);
                }
                return null;
            });
            producer.get(20, TimeUnit.SECONDS);
            int sum = 0;
            for (Future<Integer> one : taken) {
                sum += one.get(20, TimeUnit.SECONDS);
            }
            assertEquals(takers * (takers + 1) / 2, sum, "each item taken once");
        } finally {
            stop(virtualThreads);
        }
    }

    /** Interrupts what still runs (a failed test's sleepers) and waits, bounded, for it to end. */
    private static void stop(ExecutorService virtualThreads) throws InterruptedException {
        virtualThreads.shutdownNow();
        assertTrue(virtualThreads.awaitTermination(30, TimeUnit.SECONDS), "virtual threads ended");
    }

    @Test
    void anInterruptEndsAVirtualThreadsWaitAndItsSleep() throws Exception {
        try (SharedEvent event = mp.event(); SharedQueue<Integer> queue = mp.queue(Codec.ints(), 4)) {
            Thread waiter = Thread.ofVirtual().start(() -> {
                try {
                    queue.take();
                    event.set();
                } catch (InterruptedException expected) {
                    assertFalse(Thread.currentThread().isInterrupted(), "the interrupt is consumed by the exception");
                    event.set();
                }
            });
            awaitCount("virtual taker asleep", 1, () -> queue.metrics().consumersWaiting());
            waiter.interrupt();
            assertTrue(waiter.join(Duration.ofSeconds(10)), "the interrupted wait ended");
            assertTrue(event.isSet());
            assertEquals(0, queue.metrics().consumersWaiting(), "no sleeper left counted");
            assertTrue(queue.isEmpty());
        }
    }

    @Test
    void virtualThreadsJoiningTheirParentLeaveCarriersFree() throws Exception {
        try (SharedLong joining = mp.sharedLong(0); SharedLong joinsEnded = mp.sharedLong(0);
             SharedLong endedWhenOthersRan = mp.sharedLong(-1); SharedLong interrupted = mp.sharedLong(0)) {
            JvmProcess child = mp.process(() -> {
                int joiners = carriers() + 2;
                JvmProcess parent = JvmProcess.parent().orElseThrow();
                List<Thread> threads = new ArrayList<>();
                for (int i = 0; i < joiners; i++) {
                    threads.add(Thread.ofVirtual().start(() -> {
                        joining.incrementAndGet();
                        try {
                            parent.join(Duration.ofSeconds(10));
                        } catch (InterruptedException e) {
                            interrupted.incrementAndGet();
                        }
                        joinsEnded.incrementAndGet();
                    }));
                }
                Thread other = Thread.ofVirtual().start(() -> {
                    try {
                        while (joining.get() < joiners && joinsEnded.get() == 0) {
                            Thread.sleep(1);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    endedWhenOthersRan.set(joinsEnded.get());
                });
                try {
                    other.join();
                    for (Thread thread : threads) {
                        thread.interrupt();
                    }
                    for (Thread thread : threads) {
                        thread.join();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            child.start();
            assertTrue(child.join(Duration.ofSeconds(60)), "the child ended");
            assertEquals(0, child.exitCode().orElseThrow());
            assertEquals(0, endedWhenOthersRan.get(),
                    "another virtual thread ran while every joiner waited (joins ended before it ran: " + endedWhenOthersRan.get() + ")");
            assertEquals(joining.get(), joinsEnded.get(), "every join returned");
            assertEquals(joining.get(), interrupted.get(), "every join ended by its interrupt, not by its timeout");
        }
    }

    @Test
    void aVirtualThreadsWaitSeesAChildsWrite() throws ExecutionException, InterruptedException, TimeoutException {
        ExecutorService virtualThreads = Executors.newVirtualThreadPerTaskExecutor();
        try (SharedEvent started = mp.event()) {
            Future<Boolean> awaited = virtualThreads.submit(() -> started.await(30, TimeUnit.SECONDS));
            JvmProcess child = mp.process(started::set);
            child.start();
            assertTrue(awaited.get(40, TimeUnit.SECONDS), "woken by the child's set");
            assertTrue(child.join(Duration.ofSeconds(30)));
        } finally {
            stop(virtualThreads);
        }
    }
}
