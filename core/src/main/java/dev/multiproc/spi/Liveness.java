package dev.multiproc.spi;

import java.util.OptionalLong;

/**
 * Which processes are alive, as the kernel vouches for it, among those that take part in a set
 * of shared objects (on Linux, the objects of one user). A process is known by a <em>token</em>:
 * a positive 64-bit word, never 0, that structures store in one atomic field (a lock's owner, a
 * pipe end's holder, a queue intent). A token names one process for that process's whole life and
 * is never given to another one, whatever PID namespace either runs in and however often the OS
 * reuses pids; once its process has ended, by exit or by {@code kill -9}, it is dead for every
 * observer at once.
 */
public interface Liveness {

    /** This process's token; the first call registers the process. */
    long currentToken();

    /** Whether the process of {@code token} is running now. True for {@link #currentToken()}. */
    boolean isAlive(long token);

    /**
     * The pid the process of {@code token} has in its own PID namespace, while that can still be
     * told (it is alive, or its record has not been reused since it ended).
     */
    OptionalLong pid(long token);

    /**
     * The process of {@code token} for messages: "pid 1234", "pid 1 in another PID namespace",
     * or "an ended process" when its record has been reused.
     */
    String describe(long token);
}
