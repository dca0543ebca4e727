package dev.multiproc;

import java.util.Objects;

/**
 * The two ends of a pipe: Python's {@code multiprocessing.Pipe()}. In a duplex pipe both ends
 * send and receive; in a one-way pipe {@link #first()} only receives and {@link #second()} only
 * sends. Give one end to another process by capturing it in its target; each end then belongs
 * to one process.
 *
 * @param <E> the type of the messages
 */
public final class Pipe<E> implements AutoCloseable {
    private final Connection<E> first;
    private final Connection<E> second;

    Pipe(Connection<E> first, Connection<E> second) {
        this.first = Objects.requireNonNull(first);
        this.second = Objects.requireNonNull(second);
    }

    /** End 0: receives what {@link #second()} sends (and, if duplex, sends to it). */
    public Connection<E> first() {
        return first;
    }

    /** End 1. */
    public Connection<E> second() {
        return second;
    }

    /** Closes both ends in this process (an end already sent elsewhere is not affected). */
    @Override
    public void close() {
        try {
            first.close();
        } finally {
            second.close();
        }
    }

    @Override
    public String toString() {
        return "Pipe[" + first.name() + "]";
    }
}
