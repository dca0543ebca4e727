package dev.multiproc.internal.transport;

import dev.multiproc.Multiproc;
import dev.multiproc.transport.RemoteTransport;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * One context's sessions with the remote transports it has used, opened on the first address
 * each transport handles and closed with the context. Transports are looked up once per JVM.
 */
public final class RemoteSessions {
    private static volatile List<RemoteTransport> transports;

    /** Guarded by this object's monitor. */
    private final Map<RemoteTransport, RemoteTransport.Session> open = new LinkedHashMap<>();
    private boolean closed;

    /** Whether {@code name} is an address for a transport rather than a local name (which never holds a ':'). */
    public static boolean isRemoteAddress(String name) {
        return name != null && name.indexOf(':') >= 0;
    }

    /**
     * The session, for {@code context}, of the transport that handles {@code address}.
     *
     * @throws IllegalArgumentException if no transport on the class or module path handles it
     * @throws IllegalStateException    if the context is closing
     */
    public synchronized RemoteTransport.Session sessionFor(Multiproc context, String address) {
        if (closed) {
            throw new IllegalStateException("this multiproc context is closed");
        }
        RemoteTransport transport = transports().stream().filter(candidate -> candidate.handles(address)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("'" + address + "' is not a local name (those have no ':') and no remote "
                        + "transport takes it" + (address.startsWith("aeron:") ? ": put dev.multiproc:multiproc-remote on the class path" : "")));
        return open.computeIfAbsent(transport, handling -> handling.open(context));
    }

    /** Closes every session (their connections end); later calls are refused. Failures are returned, not thrown. */
    public List<RuntimeException> closeAll() {
        List<RemoteTransport.Session> sessions;
        synchronized (this) {
            closed = true;
            sessions = List.copyOf(open.values());
            open.clear();
        }
        List<RuntimeException> failures = new ArrayList<>();
        for (RemoteTransport.Session session : sessions) {
            try {
                session.close();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        return failures;
    }

    private static List<RemoteTransport> transports() {
        List<RemoteTransport> found = transports;
        if (found == null) {
            List<RemoteTransport> loaded = new ArrayList<>();
            ServiceLoader.load(RemoteTransport.class, RemoteSessions.class.getClassLoader()).forEach(loaded::add);
            found = List.copyOf(loaded);
            transports = found;
        }
        return found;
    }
}
