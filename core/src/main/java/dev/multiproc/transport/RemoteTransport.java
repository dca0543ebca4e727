package dev.multiproc.transport;

import dev.multiproc.Connection;
import dev.multiproc.Multiproc;
import dev.multiproc.codec.Codec;

import java.time.Duration;

/**
 * Connections to processes on other hosts, for the addresses a transport {@link #handles}: a
 * local name never holds a {@code ':'}, so {@link Multiproc#listen} and {@link Multiproc#connect}
 * hand every name with one to the first transport on the class or module path that takes it
 * (declared in {@code META-INF/services/dev.multiproc.transport.RemoteTransport}).
 *
 * <p>A remote connection is a local {@link Connection} whose other end the transport pumps to and
 * from the network, so it has the local contract (order, {@code EOFException} when the peer ends)
 * and {@link Connection#waitAny} mixes it with local ones. Listening is a local
 * {@link dev.multiproc.Listener} that the user accepts from: for each remote client the transport
 * admits, it connects to that listener as a local client would and pumps the client's bytes
 * through that connection.
 */
public interface RemoteTransport {
    /** Whether {@code address} is one of this transport's (Aeron's: it begins {@code aeron:}). */
    boolean handles(String address);

    /**
     * This transport's state for one context, made on the context's first remote address and
     * closed when the context closes.
     */
    Session open(Multiproc context);

    /** One context's use of a transport. */
    interface Session extends AutoCloseable {
        /**
         * Starts admitting remote clients on {@code address}; each one admitted gets a connection
         * from {@code listener}. Closing what this returns stops admitting (connections made
         * stay open).
         *
         * @throws IllegalArgumentException if the address is not one this transport can listen on
         */
        AutoCloseable serve(String address, LocalListener listener);

        /**
         * Connects to the listener at {@code address}, waiting at most {@code timeout} (null: the
         * transport's own connect timeout) for it to admit this process.
         *
         * @throws dev.multiproc.ConnectionRefusedException if it does not, or refuses
         */
        <E> Connection<E> connect(String address, Codec<E> codec, Duration timeout) throws InterruptedException;

        /** Ends the session's connections, as the transport's own close does. */
        @Override
        void close();
    }

    /** The listener a served address delivers its clients to. */
    interface LocalListener {
        /**
         * A new connection to the listener, as a local client's {@code connect} makes (its bytes
         * are what the user's end reads and writes), waiting at most {@code timeout} for room.
         *
         * @throws dev.multiproc.ConnectionRefusedException if the listener is closed or has no room in time
         */
        Connection<byte[]> connect(Duration timeout) throws InterruptedException;
    }
}
