package dev.multiproc.bench.transport;

import dev.multiproc.Multiproc;
import dev.multiproc.bench.run.SharedWords;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NativePlatform;
import dev.multiproc.spi.Platforms;

import java.lang.foreign.MemorySegment;

/**
 * The floors: two JVMs handing an 8-byte word back and forth through one cache line of shared
 * memory, either spinning on it or sleeping on it with a raw futex (a wake system call every
 * time, no spinning, no sleeper count). Nothing carries a message faster between two processes.
 */
public final class FloorTransports {
    private static final long PING_OFFSET = 0;
    private static final long PONG_OFFSET = 8;

    private FloorTransports() {
    }

    public static Transport spin() {
        return new Floor("spin-floor", "raw busy-spin ping-pong on one shared cache line (the floor)", false);
    }

    public static Transport futex() {
        return new Floor("futex-floor", "raw futex ping-pong: write the word, FUTEX_WAKE; FUTEX_WAIT for the answer", true);
    }

    private record Floor(String name, String description, boolean futex) implements Transport {
        @Override
        public int maxMessageSize() {
            return Long.BYTES;
        }

        @Override
        public Link open(Multiproc mp, int maxSize, int producers) {
            String region = "mp-bench-" + name + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
            Platforms.current().createRegion(region, 64).close();
            return new FloorLink(region, futex);
        }
    }

    private record FloorLink(String region, boolean futex) implements Link {
        @Override
        public Endpoint initiator() {
            return new FloorEndpoint(region, PING_OFFSET, PONG_OFFSET, futex);
        }

        @Override
        public Endpoint responder() {
            return new FloorEndpoint(region, PONG_OFFSET, PING_OFFSET, futex);
        }

        @Override
        public void cleanUp() {
            Platforms.current().unlinkRegion(region);
        }
    }

    /** Writes its word, waits for the other word to change (futex: on its low 32 bits). */
    private static final class FloorEndpoint implements Endpoint {
        private final NativePlatform platform = Platforms.current();
        private final MappedRegion region;
        private final MemorySegment segment;
        private final long mine;
        private final long theirs;
        private final boolean futex;
        private long lastSeen;

        FloorEndpoint(String name, long mine, long theirs, boolean futex) {
            this.region = platform.openRegion(name);
            this.segment = region.segment();
            this.mine = mine;
            this.theirs = theirs;
            this.futex = futex;
            this.lastSeen = (long) SharedWords.LONG.getVolatile(segment, theirs);
        }

        @Override
        public void send(byte[] message, int length) {
            SharedWords.LONG.setVolatile(segment, mine, Messages.stampOf(message));
            if (futex) {
                platform.wake(region, mine, 1);
            }
        }

        @Override
        public int receive(byte[] buffer) {
            long value;
            while ((value = (long) SharedWords.LONG.getVolatile(segment, theirs)) == lastSeen) {
                if (futex) {
                    platform.await(region, theirs, (int) lastSeen, -1);
                } else {
                    Thread.onSpinWait();
                }
            }
            lastSeen = value;
            Messages.stamp(buffer, value);
            return Long.BYTES;
        }

        @Override
        public void close() {
            region.close();
        }
    }
}
