package dev.multiproc.bench.transport;

import dev.multiproc.Connection;
import dev.multiproc.ConnectionRefusedException;
import dev.multiproc.Listener;
import dev.multiproc.Multiproc;
import dev.multiproc.Pipe;
import dev.multiproc.PipeOptions;
import dev.multiproc.QueueMode;
import dev.multiproc.QueueOptions;
import dev.multiproc.SharedQueue;
import dev.multiproc.WaitStrategy;
import dev.multiproc.codec.Codec;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/** multiproc's own Pipe and SharedQueue, spinning or blocking, through their byte-level calls. */
public final class MultiprocTransports {

    private MultiprocTransports() {
    }

    public static Transport pipe(WaitStrategy strategy) {
        return new PipeTransport(strategy);
    }

    /** A connection made by {@code connect} to a {@code listen}ing peer: a pipe found by name. */
    public static Transport connection(WaitStrategy strategy) {
        return new ConnectTransport(strategy);
    }

    public static Transport queue(WaitStrategy strategy) {
        return new QueueTransport(strategy, QueueMode.MPMC);
    }

    /** A queue made for one producer and one consumer thread: neither side takes a CAS. */
    public static Transport singleProducerSingleConsumerQueue() {
        return new QueueTransport(WaitStrategy.BUSY_SPIN, QueueMode.SPSC);
    }

    /** A queue made for any number of producers and one consumer thread: Agrona's {@code ManyToOneRingBuffer}'s shape. */
    public static Transport manyProducersSingleConsumerQueue() {
        return new QueueTransport(WaitStrategy.BUSY_SPIN, QueueMode.MPSC);
    }

    /** Lock hand-off between the two JVMs: two locks used as binary semaphores (Python's any-holder unlock). */
    public static Transport lockHandoff() {
        return new LockHandoffTransport();
    }

    private record LockHandoffTransport() implements Transport {
        @Override
        public String name() {
            return "mp-lock-handoff";
        }

        @Override
        public String description() {
            return "two multiproc SharedLocks, both held at the start; a side unlocks the other's and locks its own "
                    + "(a lock handed from one process to the other per message), WaitStrategy.BLOCKING; the word rides in a SharedLong";
        }

        @Override
        public int maxMessageSize() {
            return Long.BYTES;
        }

        @Override
        public Link open(Multiproc mp, int maxSize, int producers) {
            dev.multiproc.SharedLock toResponder = mp.lock();
            dev.multiproc.SharedLock toInitiator = mp.lock();
            toResponder.lock();
            toInitiator.lock();
            return new LockHandoffLink(toResponder, toInitiator, mp.sharedLong(0), mp.sharedLong(0));
        }
    }

    private record LockHandoffLink(dev.multiproc.SharedLock toResponder, dev.multiproc.SharedLock toInitiator,
                                   dev.multiproc.SharedLong forResponder, dev.multiproc.SharedLong forInitiator) implements Link {
        @Override
        public Endpoint initiator() {
            return new LockHandoffEndpoint(toResponder, forResponder, toInitiator, forInitiator);
        }

        @Override
        public Endpoint responder() {
            return new LockHandoffEndpoint(toInitiator, forInitiator, toResponder, forResponder);
        }
    }

    /** Sends by writing the word and unlocking the peer's lock; receives by locking its own. */
    private static final class LockHandoffEndpoint implements Endpoint {
        private final dev.multiproc.SharedLock peers;
        private final dev.multiproc.SharedLong outgoing;
        private final dev.multiproc.SharedLock mine;
        private final dev.multiproc.SharedLong incoming;

        LockHandoffEndpoint(dev.multiproc.SharedLock peers, dev.multiproc.SharedLong outgoing, dev.multiproc.SharedLock mine,
                            dev.multiproc.SharedLong incoming) {
            this.peers = peers;
            this.outgoing = outgoing;
            this.mine = mine;
            this.incoming = incoming;
            peers.setWaitStrategy(WaitStrategy.BLOCKING);
            mine.setWaitStrategy(WaitStrategy.BLOCKING);
        }

        @Override
        public void send(byte[] message, int length) {
            outgoing.set(Messages.stampOf(message));
            peers.unlock();
        }

        @Override
        public int receive(byte[] buffer) {
            mine.lock();
            Messages.stamp(buffer, incoming.get());
            return Long.BYTES;
        }
    }

    /** Ring bytes for messages of up to {@code maxSize}: room for several in flight, at least the default. */
    private static int ringCapacity(int maxSize) {
        return Math.max(Multiproc.DEFAULT_PIPE_CAPACITY, Integer.highestOneBit(Math.max(1, maxSize)) * 8);
    }

    private static String label(WaitStrategy strategy) {
        return strategy == WaitStrategy.BUSY_SPIN ? "spin" : strategy == WaitStrategy.BLOCKING ? "block" : "backoff";
    }

    private record PipeTransport(WaitStrategy strategy) implements Transport {
        @Override
        public String name() {
            return "mp-pipe-" + label(strategy);
        }

        @Override
        public String description() {
            return "multiproc Pipe (duplex, SPSC byte rings), sendBytes/recvBytesInto, WaitStrategy." + strategy;
        }

        @Override
        public Link open(Multiproc mp, int maxSize, int producers) {
            Pipe<byte[]> pipe = mp.pipe(Codec.bytes(), true, ringCapacity(maxSize));
            return new PipeLink(pipe.first().name(), strategy);
        }
    }

    /** Carries the pipe's name: each child attaches only its own end (an end lives in one process). */
    private record PipeLink(String pipe, WaitStrategy strategy) implements Link {
        @Override
        public Endpoint initiator() {
            return new ConnectionEndpoint(Connection.attach(pipe, 0, Codec.bytes()), strategy);
        }

        @Override
        public Endpoint responder() {
            return new ConnectionEndpoint(Connection.attach(pipe, 1, Codec.bytes()), strategy);
        }
    }

    private record ConnectTransport(WaitStrategy strategy) implements Transport {
        @Override
        public String name() {
            return "mp-connect-" + label(strategy);
        }

        @Override
        public String description() {
            return "multiproc mp.listen(name) in the responder, mp.connect(name) in the initiator (independent processes meeting "
                    + "by name), then as mp-pipe: sendBytes/recvBytesInto, WaitStrategy." + strategy;
        }

        @Override
        public Link open(Multiproc mp, int maxSize, int producers) {
            return new ConnectLink("bench-" + java.util.UUID.randomUUID(), ringCapacity(maxSize), strategy);
        }
    }

    /** The listener's name: the responder listens and accepts; the initiator connects once it listens. */
    private record ConnectLink(String name, int capacity, WaitStrategy strategy) implements Link {
        private static final long LISTEN_WAIT_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(60);

        @Override
        public Endpoint initiator() throws InterruptedException {
            long deadline = System.nanoTime() + LISTEN_WAIT_NANOS;
            while (true) {
                try {
                    return new ConnectionEndpoint(Multiproc.context().connect(name, Codec.bytes(), java.time.Duration.ofSeconds(60)), strategy);
                } catch (ConnectionRefusedException notYet) {
                    if (System.nanoTime() - deadline > 0) {
                        throw notYet;
                    }
                    Thread.sleep(1);
                }
            }
        }

        @Override
        public Endpoint responder() throws InterruptedException {
            try (Listener<byte[]> listener = Multiproc.context().listen(name, Codec.bytes(), PipeOptions.duplexPipe().withCapacityBytes(capacity))) {
                return new ConnectionEndpoint(listener.accept(), strategy);
            }
        }

        @Override
        public void cleanUp() {
            Multiproc.context().unlink(name);
        }
    }

    /**
     * A pair of queues per message size of the run, each of 1 MiB of slots that fit the size
     * (8,192 slots of 128 bytes for messages up to 112 bytes, 16 for 64 KiB): the ring size the
     * Agrona peers get, and slots as a user with one message size would choose them. The endpoints
     * switch pairs at each step.
     */
    private record QueueTransport(WaitStrategy strategy, QueueMode mode) implements Transport {
        private static final int SLOT_MEMORY = 1 << 20;

        @Override
        public String name() {
            return "mp-queue-" + (mode == QueueMode.MPMC ? "" : mode.name().toLowerCase(java.util.Locale.ROOT) + "-") + label(strategy);
        }

        @Override
        public String description() {
            return "multiproc SharedQueue (" + mode + ", 1 MiB of slots sized for each message size), putInPlace/takeInPlace copying to/from "
                    + "a byte[], drain(handler, 256) on the throughput steps, WaitStrategy." + strategy + "; ping-pong uses one queue per direction";
        }

        @Override
        public boolean manyToOne() {
            return !mode.equals(QueueMode.SPSC);
        }

        @Override
        public Link open(Multiproc mp, int maxSize, int producers) {
            return open(mp, List.of(maxSize), producers);
        }

        @Override
        public Link open(Multiproc mp, List<Integer> sizes, int producers) {
            List<SharedQueue<byte[]>> toResponder = new ArrayList<>();
            List<SharedQueue<byte[]>> toInitiator = new ArrayList<>();
            for (int size : sizes) {
                int slotBytes = Math.max(112, size); // the smallest slot: 128 bytes with its header (spec/queue.md)
                long slotLength = (slotBytes + 16L + 63) & -64L; // a slot's 16-byte header, whole cache lines (spec/queue.md)
                int capacity = Math.max(16, Integer.highestOneBit((int) (SLOT_MEMORY / slotLength)));
                QueueOptions options = QueueOptions.of(capacity).withSlotBytes(slotBytes).withMode(mode).withWaitStrategy(strategy);
                toResponder.add(mp.queue(Codec.bytes(), options));
                toInitiator.add(mp.queue(Codec.bytes(), options));
            }
            return new QueueLink(List.copyOf(sizes), List.copyOf(toResponder), List.copyOf(toInitiator), strategy);
        }
    }

    /** Queues by message size: element i of each list carries messages of {@code sizes.get(i)} bytes. */
    private record QueueLink(List<Integer> sizes, List<SharedQueue<byte[]>> toResponder, List<SharedQueue<byte[]>> toInitiator,
                             WaitStrategy strategy) implements Link {
        @Override
        public Endpoint initiator() {
            return new QueueEndpoint(sizes, toResponder, toInitiator, strategy);
        }

        @Override
        public Endpoint responder() {
            return new QueueEndpoint(sizes, toInitiator, toResponder, strategy);
        }

        @Override
        public Endpoint extraProducer(int index) {
            return new QueueEndpoint(sizes, toResponder, toInitiator, strategy);
        }
    }

    /** Writer and reader made once, as a zero-copy user would: nothing is allocated per message. */
    private static final class QueueEndpoint implements Endpoint {
        private final List<Integer> sizes;
        private final List<SharedQueue<byte[]>> outgoingBySize;
        private final List<SharedQueue<byte[]>> incomingBySize;
        private SharedQueue<byte[]> outgoing;
        private SharedQueue<byte[]> incoming;
        private final java.util.function.Consumer<MemorySegment> writer = this::write;
        private final java.util.function.Consumer<MemorySegment> reader = this::read;
        private final dev.multiproc.MessageHandler stampReader = message -> {
            read(message);
            this.stampSink.accept(Messages.stampOf(this.target));
        };
        private java.util.function.LongConsumer stampSink;
        private byte[] sending;
        private int sendingLength;
        private byte[] target;
        private int received;

        QueueEndpoint(List<Integer> sizes, List<SharedQueue<byte[]>> outgoing, List<SharedQueue<byte[]>> incoming, WaitStrategy strategy) {
            this.sizes = sizes;
            this.outgoingBySize = outgoing;
            this.incomingBySize = incoming;
            for (int index = 0; index < sizes.size(); index++) {
                outgoing.get(index).setWaitStrategy(strategy);
                incoming.get(index).setWaitStrategy(strategy);
            }
            beginStep(sizes.getLast());
        }

        @Override
        public void beginStep(int messageSize) {
            int index = sizes.indexOf(messageSize);
            int chosen = index >= 0 ? index : sizes.size() - 1;
            outgoing = outgoingBySize.get(chosen);
            incoming = incomingBySize.get(chosen);
        }

        private void write(MemorySegment slot) {
            MemorySegment.copy(sending, 0, slot, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, sendingLength);
        }

        private void read(MemorySegment message) {
            received = (int) message.byteSize();
            MemorySegment.copy(message, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, target, 0, received);
        }

        @Override
        public void send(byte[] message, int length) throws InterruptedException {
            sending = message;
            sendingLength = length;
            outgoing.putInPlace(length, writer);
        }

        @Override
        public int receive(byte[] buffer) throws InterruptedException {
            target = buffer;
            incoming.takeInPlace(reader);
            return received;
        }

        /** A batch with {@code drain}; when there is none, one take that waits the queue's way (spinning or blocking). */
        @Override
        public int receiveBatch(byte[] buffer, int max, java.util.function.LongConsumer stamps) throws InterruptedException {
            target = buffer;
            stampSink = stamps;
            int taken = incoming.drain(stampReader, max);
            if (taken > 0) {
                return taken;
            }
            incoming.takeInPlace(stampReader::onMessage);
            return 1;
        }

        @Override
        public void close() {
            outgoingBySize.forEach(SharedQueue::close);
            incomingBySize.forEach(SharedQueue::close);
        }
    }
}
