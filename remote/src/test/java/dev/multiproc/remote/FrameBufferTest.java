package dev.multiproc.remote;

import dev.multiproc.Connection;
import dev.multiproc.Pipe;
import dev.multiproc.PipeOptions;
import dev.multiproc.codec.Codec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The out pump's frame buffer against a real local pipe: messages land where they are asked to,
 * a message without room stays in the pipe for the next frame while what the frame holds
 * survives the growth, and one longer than a frame is left for the PART frames.
 */
@Timeout(60)
class FrameBufferTest extends ContextPerTest {
    private static final int MAX_FRAME = 1 << 20;

    private static byte[] filled(int length, int seed) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (seed + i * 31);
        }
        return bytes;
    }

    private static byte[] frameBytes(FrameBuffer frames, int offset, int length) {
        byte[] bytes = new byte[length];
        frames.view().getBytes(offset, bytes);
        return bytes;
    }

    @Test
    void aMessageWithoutRoomStaysInThePipeAndTheFrameKeepsWhatItHeld() throws Exception {
        try (Pipe<byte[]> pipe = mp.pipe(Codec.bytes(), PipeOptions.duplexPipe().withCapacityBytes(8 << 20))) {
            Connection<byte[]> sender = pipe.second();
            Connection<byte[]> near = pipe.first();
            byte[] small = filled(100, 1);
            byte[] large = filled(70_000, 2);
            byte[] tooLong = filled(MAX_FRAME + 1, 3);
            sender.sendBytes(small);
            sender.sendBytes(large);
            sender.sendBytes(tooLong);

            FrameBuffer frames = new FrameBuffer(MAX_FRAME);
            frames.view().putByte(0, (byte) 42);
            assertEquals(small.length, frames.receive(near, 5));
            int next = 5 + small.length + Integer.BYTES;
            assertTrue(next + large.length > FrameBuffer.INITIAL_BYTES, "the test's large message must not fit the first buffer");
            assertEquals(-1, frames.receiveIfRoom(near, next), "no room for 70,000 bytes after the first message");
            assertEquals(42, frames.view().getByte(0), "the frame's kind survived the growth");
            assertArrayEquals(small, frameBytes(frames, 5, small.length), "the frame's first message survived the growth");
            assertTrue(near.poll(), "the large message is still in the pipe");

            assertEquals(large.length, frames.receiveIfRoom(near, next), "after the growth it fits where it did not");
            assertArrayEquals(large, frameBytes(frames, next, large.length));

            assertEquals(-1, frames.receive(near, 5), "longer than a frame: left for the PART frames");
            assertTrue(Arrays.equals(tooLong, near.recvBytes()), "it is still whole in the pipe");
        }
    }

    @Test
    void aLongMessageGrowsTheBufferUpToAFrameAndNoFurther() throws Exception {
        try (Pipe<byte[]> pipe = mp.pipe(Codec.bytes(), PipeOptions.duplexPipe().withCapacityBytes(4 << 20))) {
            byte[] longest = filled(MAX_FRAME - 5, 4);
            pipe.second().sendBytes(longest);
            FrameBuffer frames = new FrameBuffer(MAX_FRAME);
            assertEquals(longest.length, frames.receive(pipe.first(), 5), "a message that ends at the frame's last byte fits");
            assertArrayEquals(longest, frameBytes(frames, 5, longest.length));
            assertEquals(MAX_FRAME, frames.view().capacity(), "grown to a frame exactly, not past it");
        }
    }
}
