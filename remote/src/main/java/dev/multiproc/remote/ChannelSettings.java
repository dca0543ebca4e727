package dev.multiproc.remote;

import dev.multiproc.PlatformCheck;
import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.aeron.driver.Configuration;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The Aeron settings of the channels a connection makes for itself (its data and reply
 * streams; the user names only the listener's channel): the datagram size ({@code mtu}), the
 * receiver window ({@code rcv-wnd}) and the socket buffers ({@code so-rcvbuf}, {@code so-sndbuf}).
 *
 * <p>Those the user's channel names are carried over. Otherwise: a peer on this host (a loopback
 * address or one of this host's own) gets datagrams of Aeron's largest payload, 65,504 bytes —
 * the loopback interface carries 64 KiB frames, and one datagram instead of 47 per 64 KiB cuts
 * the drivers' per-datagram work, which bounds throughput there; a peer elsewhere keeps Aeron's
 * default (1,408 bytes, below any path's MTU, so nothing is fragmented on the way, where a lost
 * fragment would lose the whole datagram). The window and buffers are 2 MiB, or what the kernel
 * allows if less ({@code net.core.rmem_max}, {@code wmem_max}; Aeron's defaults where that is no
 * more than its 128 KiB window or cannot be read): a window of 128 KiB lets no more than that
 * through per status message the receiver's driver sends.
 */
final class ChannelSettings {
    /** The window and socket buffers asked for when the user's channel names none. */
    static final int BUFFER_BYTES = 2 * 1024 * 1024;
    /** The parameters carried from the user's channel to the connection's own. */
    private static final List<String> CARRIED = List.of(CommonContext.MTU_LENGTH_PARAM_NAME,
            CommonContext.RECEIVER_WINDOW_LENGTH_PARAM_NAME, CommonContext.SOCKET_RCVBUF_PARAM_NAME,
            CommonContext.SOCKET_SNDBUF_PARAM_NAME);
    static final Path RECEIVE_BUFFER_LIMIT = Path.of("/proc/sys/net/core/rmem_max");
    private static final Path SEND_BUFFER_LIMIT = Path.of("/proc/sys/net/core/wmem_max");

    private ChannelSettings() {
    }

    /**
     * The parameters ({@code |name=value...}, to append to an {@code aeron:udp?endpoint=...}
     * channel) of a connection's channels toward {@code peer}, the user having named
     * {@code userChannel}.
     */
    static String toward(InetAddress peer, String userChannel) {
        return toward(peer, userChannel, limit(RECEIVE_BUFFER_LIMIT), limit(SEND_BUFFER_LIMIT));
    }

    static String toward(InetAddress peer, String userChannel, OptionalLong receiveLimit, OptionalLong sendLimit) {
        Map<String, String> settings = new LinkedHashMap<>();
        if (onThisHost(peer)) {
            settings.put(CommonContext.MTU_LENGTH_PARAM_NAME, Integer.toString(Configuration.MAX_UDP_PAYLOAD_LENGTH));
        }
        biggerThanDefault(receiveLimit).ifPresent(bytes -> {
            settings.put(CommonContext.RECEIVER_WINDOW_LENGTH_PARAM_NAME, bytes);
            settings.put(CommonContext.SOCKET_RCVBUF_PARAM_NAME, bytes);
        });
        biggerThanDefault(sendLimit).ifPresent(bytes -> settings.put(CommonContext.SOCKET_SNDBUF_PARAM_NAME, bytes));
        ChannelUri named = ChannelUri.parse(userChannel);
        for (String parameter : CARRIED) {
            String value = named.get(parameter);
            if (value != null) {
                settings.put(parameter, value);
            }
        }
        StringBuilder parameters = new StringBuilder();
        settings.forEach((name, value) -> parameters.append('|').append(name).append('=').append(value));
        return parameters.toString();
    }

    /** What {@code multiproc doctor} says about the settings connections get on this machine. */
    static PlatformCheck check() {
        return check(limit(RECEIVE_BUFFER_LIMIT), limit(SEND_BUFFER_LIMIT));
    }

    static PlatformCheck check(OptionalLong receiveLimit, OptionalLong sendLimit) {
        String full = Integer.toString(BUFFER_BYTES);
        Optional<String> window = biggerThanDefault(receiveLimit);
        Optional<String> sendBuffer = biggerThanDefault(sendLimit);
        String finding = Configuration.MAX_UDP_PAYLOAD_LENGTH + "-byte datagrams toward this host, Aeron's "
                + Configuration.MTU_LENGTH_DEFAULT + " toward others; windows and receive buffers "
                + window.map(bytes -> "of " + bytes + " bytes").orElse("Aeron's default (net.core.rmem_max " + describe(receiveLimit) + ")")
                + ", send buffers "
                + sendBuffer.map(bytes -> "of " + bytes + " bytes").orElse("Aeron's default (net.core.wmem_max " + describe(sendLimit) + ")");
        String topic = "remote: channel settings";
        if (window.equals(Optional.of(full)) && sendBuffer.equals(Optional.of(full))) {
            return PlatformCheck.ok(topic, finding);
        }
        return PlatformCheck.fallback(topic, finding, "sysctl -w net.core.rmem_max=" + BUFFER_BYTES + " net.core.wmem_max="
                + BUFFER_BYTES + " for windows and socket buffers of " + BUFFER_BYTES / (1 << 20) + " MiB");
    }

    private static String describe(OptionalLong limit) {
        return limit.isPresent() ? Long.toString(limit.getAsLong()) : "unreadable";
    }

    /** {@link #BUFFER_BYTES}, or the kernel's {@code limit} if lower, unless that is no more than Aeron's default window. */
    private static Optional<String> biggerThanDefault(OptionalLong limit) {
        if (limit.isEmpty() || limit.getAsLong() <= Configuration.INITIAL_WINDOW_LENGTH_DEFAULT) {
            return Optional.empty();
        }
        return Optional.of(Long.toString(Math.min(BUFFER_BYTES, limit.getAsLong())));
    }

    /** Whether datagrams to {@code peer} stay on this host (the kernel routes them through loopback). */
    static boolean onThisHost(InetAddress peer) {
        if (peer.isLoopbackAddress() || peer.isAnyLocalAddress()) {
            return true;
        }
        try {
            return NetworkInterface.getByInetAddress(peer) != null;
        } catch (SocketException cannotTell) {
            return false;
        }
    }

    /**
     * The kernel's limit on a socket buffer, where it can be read (Linux). Read in one call: a
     * sysctl file answers only a read from its start, and {@link Files#readString} (its size being
     * 0) reads one byte first, then nothing more ("4" for 4194304).
     */
    static OptionalLong limit(Path setting) {
        try (InputStream in = Files.newInputStream(setting)) {
            return OptionalLong.of(Long.parseLong(new String(in.readNBytes(64), StandardCharsets.US_ASCII).strip()));
        } catch (IOException | NumberFormatException | SecurityException unreadable) {
            return OptionalLong.empty();
        }
    }
}
