package dev.multiproc.bench.transport;

import java.util.List;

/**
 * Where the two peers of a transport between hosts run, and the addresses they reach each other
 * at: both on this host over loopback ({@link #LOOPBACK}), or each in a Linux network namespace
 * of its own ({@code ip netns}), as two hosts joined by a link would be. A peer goes into its
 * namespace through its child JVM's command prefix, {@code ip netns exec NAME}, which needs root.
 *
 * @param responderNamespace the responder's network namespace, or null for this JVM's
 * @param responderAddress   where the responder listens
 * @param initiatorNamespace the initiator's network namespace, or null for this JVM's
 * @param initiatorAddress   the initiator's own address (where a peer with a reply stream sends it)
 */
public record Hosts(String responderNamespace, String responderAddress, String initiatorNamespace, String initiatorAddress) {
    public static final Hosts LOOPBACK = new Hosts(null, "127.0.0.1", null, "127.0.0.1");

    /**
     * The peers in two network namespaces, from {@code RESPONDER_NAMESPACE:ADDRESS} and {@code
     * INITIATOR_NAMESPACE:ADDRESS} (an address may hold colons: the name ends at the first).
     *
     * @throws IllegalArgumentException if either lacks a name or an address
     */
    public static Hosts namespaces(String responder, String initiator) {
        String[] responderParts = split(responder);
        String[] initiatorParts = split(initiator);
        return new Hosts(responderParts[0], responderParts[1], initiatorParts[0], initiatorParts[1]);
    }

    private static String[] split(String namespaceAndAddress) {
        int colon = namespaceAndAddress.indexOf(':');
        if (colon <= 0 || colon == namespaceAndAddress.length() - 1) {
            throw new IllegalArgumentException("expected NAMESPACE:ADDRESS, got '" + namespaceAndAddress + "'");
        }
        return new String[] {namespaceAndAddress.substring(0, colon), namespaceAndAddress.substring(colon + 1)};
    }

    public boolean loopback() {
        return responderNamespace == null && initiatorNamespace == null;
    }

    /** {@code address:port} as an Aeron channel's endpoint takes it (an IPv6 address in brackets). */
    public static String endpoint(String address, int port) {
        return (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
    }

    /** The command prefix of the responder's child JVM (none if it stays in this JVM's namespace). */
    public List<String> responderPrefix() {
        return prefix(responderNamespace);
    }

    /** The command prefix of the initiator's child JVM. */
    public List<String> initiatorPrefix() {
        return prefix(initiatorNamespace);
    }

    private static List<String> prefix(String namespace) {
        return namespace == null ? List.of() : List.of("ip", "netns", "exec", namespace);
    }

    /** For a transport's description: "loopback", or the namespaces and addresses. */
    public String describe() {
        return loopback() ? "loopback" : "network namespaces " + responderNamespace + " (responder, " + responderAddress + ") and "
                + initiatorNamespace + " (initiator, " + initiatorAddress + ")";
    }
}
