package dev.multiproc.bench;

import dev.multiproc.bench.transport.Hosts;
import dev.multiproc.bench.transport.Transport;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A round runs the two sides of every goal's ratio one after the other. */
class RunOrderTest {

    /** The transport pairs whose ratio has a goal in the bench's table (a transport, the one it is held against). */
    private static final List<List<String>> GOAL_PAIRS = List.of(
            List.of("mp-pipe-spin", "spin-floor"),
            List.of("mp-connect-spin", "mp-pipe-spin"),
            List.of("mp-pipe-block", "futex-floor"),
            List.of("mp-queue-mpsc-spin", "agrona-m2o"),
            List.of("mp-queue-spin", "agrona-m2o"),
            List.of("mp-queue-spin", "agrona-o2o"),
            List.of("mp-queue-spsc-spin", "agrona-o2o"),
            List.of("mp-remote", "tcp"),
            List.of("mp-remote", "aeron-udp"));

    @Test
    void theTwoSidesOfEveryGoalsRatioRunOneAfterTheOther() {
        List<String> order = BenchCommand.allTransports(Hosts.LOOPBACK).stream().map(Transport::name).toList();
        for (List<String> pair : GOAL_PAIRS) {
            int distance = Math.abs(order.indexOf(pair.get(0)) - order.indexOf(pair.get(1)));
            assertTrue(order.contains(pair.get(0)) && order.contains(pair.get(1)) && distance == 1,
                    pair + " run " + distance + " transports apart in " + order);
        }
        int lockToFloor = Math.abs(order.indexOf("mp-lock-handoff") - order.indexOf("futex-floor"));
        assertTrue(lockToFloor <= 2, "mp-lock-handoff runs " + lockToFloor + " transports from futex-floor in " + order);
    }
}
