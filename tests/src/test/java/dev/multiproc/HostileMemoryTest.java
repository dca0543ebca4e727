package dev.multiproc;

import dev.multiproc.codec.Codec;
import dev.multiproc.codec.Deserialization;
import dev.multiproc.internal.shm.header.ObjectHeaderLayout;
import dev.multiproc.internal.shm.map.MapLayout;
import dev.multiproc.internal.shm.pipe.PipeLayout;
import dev.multiproc.internal.shm.queue.QueueLayout;
import dev.multiproc.internal.shm.ring.RingLayout;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.Platforms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.InvalidClassException;
import java.io.ObjectOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import dev.multiproc.internal.pool.TaskCodec;
import dev.multiproc.internal.pool.WorkCache;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Shared memory written by a buggy, half-dead or hostile process: each known place where one
 * crafted value used to make an operation hang, read out of bounds or allocate without limit,
 * with that value. Every operation must end, quickly, with {@link CorruptSharedObjectException}
 * (or the JDK exception its interface names). Bad input from the caller: clear errors.
 */
@Timeout(60)
class HostileMemoryTest extends ContextPerTest {

    /** The raw memory of a live object, as another process could write it. */
    private static MappedRegion raw(SharedObject object) {
        return Platforms.current().openRegion(object.name());
    }

    private static MemorySegment body(MappedRegion region) {
        return region.segment().asSlice(ObjectHeaderLayout.LENGTH);
    }

    @Test
    void aPaddingRecordOfLengthMinus16IsCorruptNotAnEndlessSpin() throws Exception {
        Pipe<String> pipe = mp.pipe(Codec.string());
        pipe.second().send("before");
        assertEquals("before", pipe.first().recv());
        try (MappedRegion region = raw(pipe.first())) {
            MemorySegment ring = body(region).asSlice(PipeLayout.ringOffset(0, PipeOptions.DEFAULT_CAPACITY_BYTES));
            long head = ring.get(ValueLayout.JAVA_LONG, RingLayout.HEAD_OFFSET);
            MemorySegment record = ring.asSlice(RingLayout.DATA_OFFSET + head);
            record.set(ValueLayout.JAVA_INT, RingLayout.RECORD_LENGTH_OFFSET, -16);
            record.set(ValueLayout.JAVA_INT, RingLayout.RECORD_FLAGS_OFFSET, RingLayout.FLAG_PADDING);
            record.set(ValueLayout.JAVA_LONG, RingLayout.RECORD_TAG_OFFSET, head + 1);
        }
        CorruptSharedObjectException corrupt = assertThrows(CorruptSharedObjectException.class, pipe.first()::recv);
        assertEquals(pipe.first().name(), corrupt.objectName());
        assertEquals(-16, corrupt.value());
        assertTrue(corrupt.field().contains("padding length"), corrupt.getMessage());
    }

    @Test
    void aPeerAnnouncingATwoGigabyteMessageIsRefusedBeforeAnythingIsAllocated() throws Exception {
        Pipe<byte[]> pipe = mp.pipe(Codec.bytes());
        try (MappedRegion region = raw(pipe.first())) {
            MemorySegment ring = body(region).asSlice(PipeLayout.ringOffset(0, PipeOptions.DEFAULT_CAPACITY_BYTES));
            MemorySegment record = ring.asSlice(RingLayout.DATA_OFFSET);
            record.set(ValueLayout.JAVA_LONG_UNALIGNED, RingLayout.RECORD_HEADER_LENGTH, Integer.MAX_VALUE - 16L);
            record.set(ValueLayout.JAVA_INT, RingLayout.RECORD_LENGTH_OFFSET, 8);
            record.set(ValueLayout.JAVA_INT, RingLayout.RECORD_FLAGS_OFFSET, RingLayout.FLAG_BEGIN);
            record.set(ValueLayout.JAVA_LONG, RingLayout.RECORD_TAG_OFFSET, 1);
        }
        CorruptSharedObjectException corrupt = assertThrows(CorruptSharedObjectException.class, pipe.first()::recvBytes);
        assertEquals(Integer.MAX_VALUE - 16L, corrupt.value(), corrupt.getMessage());
    }

    @Test
    void aSlotSequenceAheadOfItsPositionIsCorruptForProducersAndConsumers() throws Exception {
        SharedQueue<String> queue = mp.queue(Codec.string(), 8);
        queue.put("one");
        try (MappedRegion region = raw(queue)) {
            // slot 0 holds "one" (sequence 1); slot 1, the tail's (position 1), is made to say position 6
            long tailSlot = QueueLayout.SLOTS_OFFSET + QueueLayout.slotLength(queue.slotBytes());
            body(region).set(ValueLayout.JAVA_LONG, tailSlot + QueueLayout.SLOT_SEQUENCE_OFFSET, 1 + 5L);
        }
        assertThrows(CorruptSharedObjectException.class, () -> queue.offer("two", 200, TimeUnit.MILLISECONDS));
        try (MappedRegion region = raw(queue)) {
            body(region).set(ValueLayout.JAVA_LONG, QueueLayout.SLOTS_OFFSET + QueueLayout.SLOT_SEQUENCE_OFFSET, 7L);
        }
        long start = System.nanoTime();
        assertThrows(CorruptSharedObjectException.class, () -> queue.poll(200, TimeUnit.MILLISECONDS));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "poll returned instead of spinning");
    }

    @Test
    void aMapStripeWithNoFreeBucketIsCorruptNotAnEndlessProbe() throws Exception {
        SharedMap<String, Long> map = mp.map(Codec.string(), Codec.longs(), MapOptions.of(8).withStripes(1));
        try (MappedRegion region = raw(map)) {
            MemorySegment body = body(region);
            int buckets = body.get(ValueLayout.JAVA_INT, MapLayout.BUCKETS_OFFSET_FIELD);
            MemorySegment stripe = body.asSlice(MapLayout.STRIPES_START);
            for (int bucket = 0; bucket < buckets; bucket++) {
                stripe.set(ValueLayout.JAVA_LONG, MapLayout.BUCKETS_START + bucket * 8L, MapLayout.POINTER_BIAS);
            }
        }
        CorruptSharedObjectException corrupt = assertThrows(CorruptSharedObjectException.class, () -> map.put("key", 1L));
        assertTrue(corrupt.getMessage().contains("free bucket"), corrupt.getMessage());
    }

    @Test
    void aMapClaimingAMillionStripesIsRefusedWhenAttached() throws Exception {
        SharedMap<String, Long> map = mp.map(Codec.string(), Codec.longs(), 16);
        try (MappedRegion region = raw(map)) {
            body(region).set(ValueLayout.JAVA_INT, MapLayout.STRIPES_OFFSET, 1 << 30);
            // what every process does when it first maps the map (this one mapped it before the change)
            CorruptSharedObjectException corrupt = assertThrows(CorruptSharedObjectException.class,
                    () -> dev.multiproc.internal.shm.map.MapStripes.open(Platforms.current(), region));
            assertEquals(1 << 30, corrupt.value());
        }
    }

    @LinuxOnly
    @Test
    void oneCorruptObjectDoesNotHideTheOthersFromLs() throws Exception {
        SharedMap<String, Long> broken = mp.map(Codec.string(), Codec.longs(), 16);
        SharedLong fine = mp.sharedLong(42);
        try (MappedRegion region = raw(broken)) {
            body(region).set(ValueLayout.JAVA_INT, MapLayout.STRIPES_OFFSET, 3);
        }
        List<SharedObjectInfo> listed = Multiproc.listObjects();
        SharedObjectInfo bad = listed.stream().filter(info -> info.name().equals(broken.name())).findFirst().orElseThrow();
        assertEquals("unreadable", bad.kind(), bad.toString());
        assertTrue(bad.details().get("error").contains("stripe count"), bad.toString());
        assertTrue(listed.stream().anyMatch(info -> info.name().equals(fine.name()) && info.details().get("values").equals("[42]")));
    }

    @Test
    void aConditionsLockNameMustBeAMultiprocName() throws Exception {
        SharedLock lock = mp.lock();
        SharedCondition condition = (SharedCondition) lock.newCondition();
        String name = condition.name();
        try (MappedRegion region = raw(condition)) {
            byte[] evil = "../../etc/passwd".getBytes(StandardCharsets.US_ASCII);
            MemorySegment body = body(region);
            body.asSlice(dev.multiproc.internal.shm.condition.ConditionLayout.LOCK_NAME_OFFSET, evil.length).copyFrom(MemorySegment.ofArray(evil));
            body.set(ValueLayout.JAVA_INT, dev.multiproc.internal.shm.condition.ConditionLayout.LOCK_NAME_LENGTH_OFFSET, evil.length);
        }
        CorruptSharedObjectException corrupt = assertThrows(CorruptSharedObjectException.class, () -> Multiproc.context().attach(
                new SharedObjectReference(dev.multiproc.internal.shm.header.ObjectKind.CONDITION.code(), name, 0)));
        assertTrue(corrupt.field().contains("lock name"), corrupt.getMessage());
    }

    @Test
    void anUnpairedSurrogateArrivesAsAQuestionMarkNeverAsStaleBytes() throws Exception {
        SharedQueue<String> queue = mp.queue(Codec.string(), 4);
        queue.put("xxxxxxxxxxxx");
        queue.take();
        queue.put("a\uD800b");
        assertEquals("a?b", queue.take());
        Pipe<String> pipe = mp.pipe(Codec.string());
        pipe.second().send("zzzzzzzzzzzz");
        pipe.first().recv();
        pipe.second().send("a\uD800b");
        assertEquals("a?b", pipe.first().recv());
        assertEquals(new String("a\uD800b".getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8), "a?b", "as getBytes does");
    }

    /** Announces 4 bytes and writes 8. */
    record Overrunning() implements Codec<Long> {
        @Override
        public int encodedSize(Long value) {
            return 4;
        }

        @Override
        public void encode(Long value, MemorySegment target) {
            target.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, value);
        }

        @Override
        public Long decode(MemorySegment source) {
            return (long) source.get(ValueLayout.JAVA_INT_UNALIGNED, 0);
        }
    }

    /** Announces 8 bytes and writes 2. */
    record Underrunning() implements Codec<Long> {
        @Override
        public int encodedSize(Long value) {
            return 8;
        }

        @Override
        public void encode(Long value, MemorySegment target) {
            target.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, value.shortValue());
        }

        @Override
        public Long decode(MemorySegment source) {
            return source.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
        }
    }

    @Test
    void aCodecThatWritesMoreThanItAnnouncedFailsClearlyAndTouchesNothingElse() throws Exception {
        SharedQueue<Long> queue = mp.queue(new Overrunning(), 4);
        SharedQueue<Long> longs = SharedQueue.attach(queue.name(), Codec.longs());
        IllegalArgumentException overrun = assertThrows(IllegalArgumentException.class, () -> queue.put(7L));
        assertTrue(overrun.getMessage().contains("wrote past the 4 bytes"), overrun.getMessage());
        assertEquals(0, queue.size(), "nothing was enqueued");
        longs.put(99L);
        assertEquals(99L, longs.take(), "the slot after it holds what was put there");

        Pipe<Long> pipe = mp.pipe(new Underrunning());
        Connection<byte[]> raw = Connection.attach(pipe.first().name(), 0, Codec.bytes());
        pipe.second().send(-1L);
        pipe.second().send(0x0102L);
        assertArrayEquals(new byte[]{(byte) 0xFF, (byte) 0xFF, 0, 0, 0, 0, 0, 0}, raw.recvBytes(),
                "bytes a codec leaves unwritten reach the reader as zeros, never as an earlier message's");
        assertArrayEquals(new byte[]{2, 1, 0, 0, 0, 0, 0, 0}, raw.recvBytes());
    }

    @Test
    void bytesABuiltInCodecCannotReadAreACorruptMessageOfTheObjectNamed() throws Exception {
        SharedQueue<String> writer = mp.queue(Codec.string(), 4);
        SharedQueue<Long> reader = SharedQueue.attach(writer.name(), Codec.longs());
        writer.put("abc");
        writer.put("12345678");
        CorruptSharedObjectException corrupt = assertThrows(CorruptSharedObjectException.class, reader::take);
        assertTrue(corrupt.getMessage().contains(writer.name()) && corrupt.getMessage().contains("3"), corrupt.getMessage());
        assertEquals(0x3837363534333231L, reader.take(), "the queue goes on with the next message");
        reader.close();
    }

    @Test
    void aMessageOverTheObjectsLimitIsRefusedWhenSent() throws Exception {
        SharedQueue<byte[]> queue = mp.queue(Codec.bytes(), QueueOptions.of(4).withMaxMessageBytes(1000));
        MessageTooLargeException tooLarge = assertThrows(MessageTooLargeException.class, () -> queue.put(new byte[1001]));
        assertEquals(1001, tooLarge.size());
        assertEquals(1000, tooLarge.limit());
        queue.put(new byte[1000]);
        assertEquals(1000, queue.take().length);
        Pipe<byte[]> pipe = mp.pipe(Codec.bytes(), PipeOptions.duplexPipe().withMaxMessageBytes(100_000));
        assertThrows(MessageTooLargeException.class, () -> pipe.second().sendBytes(new byte[100_001]));
        pipe.second().sendBytes(new byte[100_000]);
        assertEquals(100_000, pipe.first().recvBytes().length);
    }

    @Test
    void aFewBytesCannotAskForAHugeArray() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(new long[4]);
        }
        byte[] stream = bytes.toByteArray();
        // the array's length is the int before its 32 bytes of elements
        ByteBuffer.wrap(stream).putInt(stream.length - 32 - 4, 1 << 30);
        long start = System.nanoTime();
        assertThrows(InvalidClassException.class, () -> Deserialization.read(stream), "refused before 8 GiB are asked for");
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
        Codec<Object> codec = Codec.serializable();
        assertThrows(SecurityException.class, () -> codec.decode(MemorySegment.ofArray(stream)), "the codec too");
    }

    @Test
    void poolTaskMessagesCannotAskForMoreThanTheyHold() {
        ByteBuffer task = ByteBuffer.allocate(64);
        task.putLong(1).putLong(1).putInt(0).put((byte) 1).putInt(1 << 30);
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> TaskCodec.decodeTask(task.array(), new WorkCache()));
        assertTrue(refused.getMessage().contains("does not fit"), refused.getMessage());
        ByteBuffer work = ByteBuffer.allocate(24);
        work.putLong(1).putLong(1).putInt(Integer.MAX_VALUE);
        assertThrows(IllegalStateException.class, () -> TaskCodec.decodeTask(work.array(), new WorkCache()));
    }
}
