package dev.multiproc.remote;

import dev.multiproc.Connection;
import dev.multiproc.Multiproc;
import dev.multiproc.codec.Codec;
import dev.multiproc.transport.RemoteTransport;

import java.time.Duration;

/**
 * What makes {@code mp.listen} and {@code mp.connect} take Aeron channels ({@code aeron:...}):
 * each context's session uses the {@link Remote} the user opened on it last and still open (its
 * options: auth key, timeouts), else one with the default options that it opens on first use
 * and closes with the context.
 */
public final class AeronTransport implements RemoteTransport {
    /** Found by {@link java.util.ServiceLoader}. */
    public AeronTransport() {
    }

    @Override
    public boolean handles(String address) {
        return address.startsWith("aeron:");
    }

    @Override
    public Session open(Multiproc context) {
        return new ContextSession(context);
    }

    /** One context's remote listening and connecting. */
    private static final class ContextSession implements Session {
        private final Multiproc context;
        /** Opened here when the user has none open; guarded by this object's monitor. */
        private Remote ownRemote;

        ContextSession(Multiproc context) {
            this.context = context;
        }

        private synchronized Remote remote() {
            return Remote.openedOn(context).orElseGet(() -> {
                if (ownRemote == null) {
                    ownRemote = Remote.openUnlisted(context, RemoteOptions.defaults());
                }
                return ownRemote;
            });
        }

        @Override
        public AutoCloseable serve(String address, LocalListener listener) {
            return remote().serve(address, listener);
        }

        @Override
        public <E> Connection<E> connect(String address, Codec<E> codec, Duration timeout) {
            Remote remote = remote();
            return remote.connect(address, codec, timeout == null ? remote.options().connectTimeout() : timeout);
        }

        @Override
        public synchronized void close() {
            if (ownRemote != null) {
                ownRemote.close();
                ownRemote = null;
            }
        }
    }
}
