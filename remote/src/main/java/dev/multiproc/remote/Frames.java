package dev.multiproc.remote;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * What the two ends of a remote connection say to each other, one Aeron message per frame, its
 * first byte the frame's kind:
 *
 * <pre>
 * HELLO      kind | version (4) | client nonce (16) | reply stream (4) | reply channel (UTF-8)
 * CHALLENGE  kind | proof (32): HMAC(key, "listener" + client nonce) | listener nonce (16)
 * RESPONSE   kind | proof (32): HMAC(key, "client" + listener nonce)
 * WELCOME    kind | data channel (UTF-8): where the client sends its messages from now on
 * REFUSED    kind | reason (UTF-8)
 * DATA       kind | the message's bytes
 * CLOSE      kind
 * BATCH      kind | (length (4) | a message's bytes) repeated: messages that were waiting together
 * PART       kind | a piece of a message too long for one frame; the last piece comes as DATA
 * </pre>
 *
 * The key is checked both ways, as Python's {@code authkey} is: the client proves it to the
 * listener and the listener to the client; without a key the listener welcomes at once. Proofs
 * are compared in constant time.
 */
final class Frames {
    static final byte HELLO = 1;
    static final byte CHALLENGE = 2;
    static final byte RESPONSE = 3;
    static final byte WELCOME = 4;
    static final byte REFUSED = 5;
    static final byte DATA = 6;
    static final byte CLOSE = 7;
    static final byte BATCH = 8;
    static final byte PART = 9;

    static final int VERSION = 1;
    static final int NONCE_BYTES = 16;
    static final int PROOF_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Frames() {
    }

    static byte[] nonce() {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        return nonce;
    }

    /** HMAC-SHA256 of {@code role} then {@code nonce} under {@code key}. */
    static byte[] proof(byte[] key, String role, byte[] nonce) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(role.getBytes(StandardCharsets.US_ASCII));
            return mac.doFinal(nonce);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available: " + e, e);
        }
    }

    static boolean proves(byte[] key, String role, byte[] nonce, byte[] proof) {
        return MessageDigest.isEqual(proof(key, role, nonce), proof);
    }

    static byte[] hello(byte[] clientNonce, int replyStream, String replyChannel) {
        byte[] channel = replyChannel.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + 4 + NONCE_BYTES + 4 + channel.length)
                .put(HELLO).putInt(VERSION).put(clientNonce).putInt(replyStream).put(channel).array();
    }

    /** A HELLO as the listener reads it. */
    record Hello(int version, byte[] clientNonce, int replyStream, String replyChannel) {
        static Hello read(byte[] frame) {
            ByteBuffer in = ByteBuffer.wrap(frame);
            if (frame.length < 1 + 4 + NONCE_BYTES + 4 + 1 || in.get() != HELLO) {
                throw new IllegalArgumentException("not a hello (" + frame.length + " bytes, kind " + (frame.length > 0 ? frame[0] : -1) + ")");
            }
            int version = in.getInt();
            byte[] nonce = new byte[NONCE_BYTES];
            in.get(nonce);
            int stream = in.getInt();
            byte[] channel = new byte[in.remaining()];
            in.get(channel);
            return new Hello(version, nonce, stream, new String(channel, StandardCharsets.UTF_8));
        }
    }

    static byte[] challenge(byte[] listenerProof, byte[] listenerNonce) {
        return ByteBuffer.allocate(1 + PROOF_BYTES + NONCE_BYTES).put(CHALLENGE).put(listenerProof).put(listenerNonce).array();
    }

    static byte[] response(byte[] clientProof) {
        return ByteBuffer.allocate(1 + PROOF_BYTES).put(RESPONSE).put(clientProof).array();
    }

    static byte[] refused(String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + text.length).put(REFUSED).put(text).array();
    }

    static byte[] welcome(String dataChannel) {
        byte[] channel = dataChannel.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + channel.length).put(WELCOME).put(channel).array();
    }

    static byte[] kindOnly(byte kind) {
        return new byte[]{kind};
    }

    /** Bytes {@code from} to {@code to} of a frame. */
    static byte[] part(byte[] frame, int from, int to) {
        if (frame.length < to) {
            throw new IllegalArgumentException("a frame of kind " + frame[0] + " is " + frame.length + " bytes, not at least " + to);
        }
        return Arrays.copyOfRange(frame, from, to);
    }

    static String text(byte[] frame) {
        return new String(frame, 1, frame.length - 1, StandardCharsets.UTF_8);
    }
}
