package dev.multiproc.remote;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Remote} connects and listens.
 *
 * @param authKey        the shared secret both ends must know (Python's {@code authkey}); null: none
 * @param peerTimeout    how long a peer may be silent — dead, unreachable — before its connection
 *                       ends with end-of-file (the embedded media driver's image liveness timeout)
 * @param connectTimeout how long {@code connect} waits for a listener to answer
 * @param aeronDirectory an external media driver's directory; null: a media driver embedded in
 *                       this JVM, started on first use, its directory removed when the last
 *                       {@code Remote} of the JVM closes
 */
public record RemoteOptions(byte[] authKey, Duration peerTimeout, Duration connectTimeout, String aeronDirectory) {
    public RemoteOptions {
        authKey = authKey == null ? null : authKey.clone();
        Objects.requireNonNull(peerTimeout, "peerTimeout");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (peerTimeout.isNegative() || peerTimeout.isZero() || connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive: peer " + peerTimeout + ", connect " + connectTimeout);
        }
    }

    /** No key, peers timed out after 3 s, connecting given 5 s, an embedded media driver. */
    public static RemoteOptions defaults() {
        return new RemoteOptions(null, Duration.ofSeconds(3), Duration.ofSeconds(5), null);
    }

    @Override
    public byte[] authKey() {
        return authKey == null ? null : authKey.clone();
    }

    public RemoteOptions withAuthKey(byte[] key) {
        return new RemoteOptions(key, peerTimeout, connectTimeout, aeronDirectory);
    }

    public RemoteOptions withPeerTimeout(Duration timeout) {
        return new RemoteOptions(authKey, timeout, connectTimeout, aeronDirectory);
    }

    public RemoteOptions withConnectTimeout(Duration timeout) {
        return new RemoteOptions(authKey, peerTimeout, timeout, aeronDirectory);
    }

    public RemoteOptions withAeronDirectory(String directory) {
        return new RemoteOptions(authKey, peerTimeout, connectTimeout, directory);
    }
}
