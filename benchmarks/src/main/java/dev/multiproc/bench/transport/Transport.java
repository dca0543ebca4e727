package dev.multiproc.bench.transport;

import dev.multiproc.Multiproc;

import java.util.List;

/** A way of moving messages between two JVMs, benchmarked by {@code multiproc bench}. */
public interface Transport {

    /** Short name used in tables and on the command line. */
    String name();

    /** What is measured and how (buffers, wait strategy), for the report. */
    String description();

    /** The largest message it carries in the bench (the floors carry only their 8-byte word). */
    default int maxMessageSize() {
        return Integer.MAX_VALUE;
    }

    /** Whether several producer processes can send to one consumer. */
    default boolean manyToOne() {
        return false;
    }

    /** Whether its peers can be on two hosts: they meet at a network address, not in shared memory or a file. */
    default boolean crossesHosts() {
        return false;
    }

    /** Where its two peers run ({@link Hosts#LOOPBACK} for every transport that does not cross hosts). */
    default Hosts hosts() {
        return Hosts.LOOPBACK;
    }

    /** Extra options for its child JVMs (peers that need flags). */
    default List<String> jvmOptions() {
        return List.of();
    }

    /** Sets up a channel able to carry messages up to {@code maxSize} bytes from {@code producers} producers. */
    Link open(Multiproc mp, int maxSize, int producers) throws Exception;

    /**
     * Sets up a channel for the run's message sizes ({@code sizes}: ascending, distinct); by
     * default one channel for the largest. A transport whose channel is shaped by its messages
     * (a queue's slots) may set up one per size, and switch at {@link Endpoint#beginStep}.
     */
    default Link open(Multiproc mp, List<Integer> sizes, int producers) throws Exception {
        return open(mp, sizes.getLast(), producers);
    }
}
