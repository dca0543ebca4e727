package dev.multiproc.remote;

import dev.multiproc.Connection;
import dev.multiproc.Pipe;
import dev.multiproc.codec.Codec;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Accepts remote connections on an Aeron channel [Listener]: each client {@link Admissions}
 * admits (handshake, auth key) arrives at {@link #accept()} as a local pipe's end. A client
 * refused never reaches it. Closing the listener stops accepting; the connections it accepted
 * stay open until they are closed, as a local {@link dev.multiproc.Listener}'s do.
 * {@code mp.listen(channel, codec)} gives a {@link dev.multiproc.Listener} that does the same.
 *
 * @param <T> the type of the messages
 */
public final class RemoteListener<T> implements AutoCloseable {
    private final String channel;
    private final BlockingQueue<Connection<T>> accepted = new LinkedBlockingQueue<>();
    private final Admissions admissions;

    RemoteListener(Remote remote, String channel, Codec<T> codec) {
        this.channel = channel;
        java.util.Objects.requireNonNull(codec, "codec");
        BlockingQueue<Connection<T>> arrivals = accepted;
        this.admissions = new Admissions(remote, channel, timeout -> {
            Pipe<T> pipe = remote.context().pipe(codec, Remote.CONNECTION_PIPE);
            return new Admissions.LocalEnd(pipe.second(), () -> arrivals.add(pipe.first()));
        });
    }

    /** The channel clients connect to. */
    public String channel() {
        return channel;
    }

    /** The next client's connection, waiting as long as it takes [accept]. */
    public Connection<T> accept() throws InterruptedException {
        return accepted.take();
    }

    /** The next client's connection, or null if none came within {@code timeout}. */
    public Connection<T> accept(Duration timeout) throws InterruptedException {
        return accepted.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Stops listening; the connections it accepted end. */
    @Override
    public void close() {
        admissions.close();
    }
}
