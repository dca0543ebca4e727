package dev.multiproc.remote;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** The handshake's frames: what a peer sends reads back, and bytes from a hostile peer are refused, never misread. */
class FramesTest {
    private static final byte[] KEY = "key".getBytes(StandardCharsets.UTF_8);

    @Test
    void aHelloReadsBackAsItWasWritten() {
        byte[] nonce = Frames.nonce();
        Frames.Hello hello = Frames.Hello.read(Frames.hello(nonce, 27_761, "aeron:udp?endpoint=10.213.7.2:45000"));
        assertEquals(Frames.VERSION, hello.version());
        assertArrayEquals(nonce, hello.clientNonce());
        assertEquals(27_761, hello.replyStream());
        assertEquals("aeron:udp?endpoint=10.213.7.2:45000", hello.replyChannel());
    }

    @Test
    void anyBytesAreReadAsAHelloOrRefusedWithIllegalArgumentNothingElse() {
        Random random = new Random(20261129);
        int refused = 0;
        for (int round = 0; round < 20_000; round++) {
            byte[] bytes = new byte[random.nextInt(64)];
            random.nextBytes(bytes);
            if (bytes.length > 0 && random.nextBoolean()) {
                bytes[0] = Frames.HELLO;
            }
            try {
                Frames.Hello hello = Frames.Hello.read(bytes);
                assertEquals(Frames.NONCE_BYTES, hello.clientNonce().length);
                assertNotNull(hello.replyChannel());
            } catch (IllegalArgumentException refusedOne) {
                refused++;
            }
        }
        assertTrue(refused > 0, "garbage is refused");
    }

    @Test
    void aProofHoldsOnlyForTheSameKeyRoleAndNonce() {
        byte[] nonce = Frames.nonce();
        byte[] proof = Frames.proof(KEY, "client", nonce);
        assertEquals(Frames.PROOF_BYTES, proof.length);
        assertTrue(Frames.proves(KEY, "client", nonce, proof));
        assertFalse(Frames.proves("other".getBytes(StandardCharsets.UTF_8), "client", nonce, proof), "another key");
        assertFalse(Frames.proves(KEY, "listener", nonce, proof), "the listener's proof is not the client's");
        byte[] otherNonce = nonce.clone();
        otherNonce[0] ^= 1;
        assertFalse(Frames.proves(KEY, "client", otherNonce, proof), "another challenge");
        assertFalse(Frames.proves(KEY, "client", nonce, Arrays.copyOf(proof, 31)), "a proof cut short");
    }

    @Test
    void aFrameTooShortForThePartAskedIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Frames.part(new byte[]{Frames.CHALLENGE, 1, 2}, 1, 1 + Frames.PROOF_BYTES));
        assertEquals("why", Frames.text(Frames.refused("why")));
    }
}
