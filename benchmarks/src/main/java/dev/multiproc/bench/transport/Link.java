package dev.multiproc.bench.transport;

import java.io.Serializable;

/**
 * What a transport set up for one run: it travels (serialised) to the child JVMs, each of
 * which opens its side. The initiator sends pings and messages; the responder answers pings
 * and receives; extra producers (N to 1) send to the responder too.
 */
public interface Link extends Serializable {

    Endpoint initiator() throws Exception;

    Endpoint responder() throws Exception;

    /** A further producer sending to the responder; only for transports with {@link Transport#manyToOne()}. */
    default Endpoint extraProducer(int index) throws Exception {
        throw new UnsupportedOperationException("this transport has one producer only");
    }

    /** Removes what the run left (files, directories), in the orchestrating JVM. */
    default void cleanUp() {
    }
}
