package dev.multiproc.internal.shm;

import dev.multiproc.internal.shm.barrier.BarrierLayout;
import dev.multiproc.internal.shm.condition.ConditionLayout;
import dev.multiproc.internal.shm.event.EventLayout;
import dev.multiproc.internal.shm.header.ObjectHeaderLayout;
import dev.multiproc.internal.shm.header.ObjectKind;
import dev.multiproc.internal.shm.listener.ListenerLayout;
import dev.multiproc.internal.shm.lock.LockLayout;
import dev.multiproc.internal.shm.map.MapLayout;
import dev.multiproc.internal.shm.pipe.PipeLayout;
import dev.multiproc.internal.shm.process.BootstrapLayout;
import dev.multiproc.internal.shm.queue.QueueLayout;
import dev.multiproc.internal.shm.ring.RingLayout;
import dev.multiproc.internal.shm.semaphore.SemaphoreLayout;
import dev.multiproc.internal.shm.table.ParticipantTableLayout;
import dev.multiproc.internal.shm.values.ValuesLayout;
import dev.multiproc.internal.shm.wait.WaitPointLayout;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The byte pictures in {@code spec/*.md} against the layout constants the code uses: every box
 * with an offset over it, in the order drawn, must be the field the code has at that offset. A
 * field moved in the code and not in the spec (or drawn wrong) fails here, named.
 */
class SpecLayoutTest {
    /** The participant table's slot count as the pictures write it. */
    private static final String TABLE_SLOTS = String.format(java.util.Locale.ROOT, "%,d", ParticipantTableLayout.SLOTS);

    private static final Path SPECS = Path.of("../spec");

    /** The boxes of one spec, as the code lays them out. */
    private static final class Expected {
        final List<SpecDiagrams.Cell> cells = new ArrayList<>();

        Expected at(long offset, String label) {
            cells.add(new SpecDiagrams.Cell(label, offset));
            return this;
        }
    }

    private static Map<String, Expected> expectations() {
        Map<String, Expected> specs = new TreeMap<>();
        specs.put("header.md", new Expected()
                .at(ObjectHeaderLayout.MAGIC_OFFSET, "magic")
                .at(ObjectHeaderLayout.VERSION_OFFSET, "version")
                .at(ObjectHeaderLayout.KIND_OFFSET, "kind")
                .at(ObjectHeaderLayout.TOTAL_SIZE_OFFSET, "total size")
                .at(ObjectHeaderLayout.CREATOR_TOKEN_OFFSET, "creator token")
                .at(ObjectHeaderLayout.CREATOR_PID_OFFSET, "creator pid")
                .at(ObjectHeaderLayout.STATE_OFFSET, "state")
                .at(ObjectHeaderLayout.STATE_OFFSET + Integer.BYTES, "(spare)")
                .at(ObjectHeaderLayout.CODEC_OFFSET, "codec fingerprint (messages, keys)")
                .at(ObjectHeaderLayout.VALUE_CODEC_OFFSET, "codec fingerprint (map values)"));
        specs.put("wait-point.md", new Expected()
                .at(WaitPointLayout.SEQUENCE_OFFSET, "sequence")
                .at(WaitPointLayout.SLEEPERS_OFFSET, "sleepers"));
        specs.put("participant-table.md", new Expected()
                .at(ParticipantTableLayout.HIGH_WATER_OFFSET, "slots ever used")
                .at(ParticipantTableLayout.HIGH_WATER_OFFSET + Long.BYTES, "(padding to a cache line)")
                .at(ParticipantTableLayout.slotOffset(0) + ParticipantTableLayout.TOKEN_OFFSET, "token, slot 0")
                .at(ParticipantTableLayout.slotOffset(0) + ParticipantTableLayout.COUNT_OFFSET, "count, slot 0"));
        specs.put("lock.md", new Expected()
                .at(LockLayout.OWNER_OFFSET, "owner token")
                .at(LockLayout.OWNER_THREAD_OFFSET, "owner thread id")
                .at(LockLayout.HOLDS_OFFSET, "holds")
                .at(LockLayout.RECOVERED_OFFSET, "recovered")
                .at(LockLayout.WAIT_POINT_OFFSET, "wait pt.")
                .at(LockLayout.RECOVERIES_OFFSET, "recoveries"));
        specs.put("semaphore.md", new Expected()
                .at(SemaphoreLayout.PERMITS_OFFSET, "permits")
                .at(SemaphoreLayout.BOUND_OFFSET, "bound")
                .at(SemaphoreLayout.WAIT_POINT_OFFSET, "wait pt.")
                .at(SemaphoreLayout.RECOVER_OFFSET, "recover")
                .at(SemaphoreLayout.INITIAL_PERMITS_OFFSET, "initial")
                .at(SemaphoreLayout.RECOVERED_TOTAL_OFFSET, "recovered total")
                .at(SemaphoreLayout.HOLDERS_OFFSET, "participant table: (process token, permits it holds) x " + TABLE_SLOTS));
        specs.put("event.md", new Expected()
                .at(EventLayout.FLAG_OFFSET, "flag")
                .at(EventLayout.FLAG_OFFSET + Integer.BYTES, "(pad)")
                .at(EventLayout.WAIT_POINT_OFFSET, "wait point"));
        specs.put("barrier.md", new Expected()
                .at(BarrierLayout.PARTIES_OFFSET, "parties")
                .at(BarrierLayout.RESET_BROKEN_OFFSET, "reset gen+1")
                .at(BarrierLayout.STATE_OFFSET, "state: generation | broken | arrived")
                .at(BarrierLayout.WAIT_POINT_OFFSET, "wait point")
                .at(BarrierLayout.PARTICIPANTS_OFFSET, "participant table: (token, handles) x " + TABLE_SLOTS));
        specs.put("condition.md", new Expected()
                .at(ConditionLayout.STATE_OFFSET, "state: waiting hi | signals lo")
                .at(ConditionLayout.WAIT_POINT_OFFSET, "wait point")
                .at(ConditionLayout.LOCK_KIND_OFFSET, "lock kind")
                .at(ConditionLayout.LOCK_NAME_LENGTH_OFFSET, "name len")
                .at(ConditionLayout.LOCK_NAME_OFFSET, "lock name, UTF-8 (" + ConditionLayout.LOCK_NAME_CAPACITY + " bytes)"));
        specs.put("values.md", new Expected()
                .at(ValuesLayout.LENGTH_OFFSET, "length")
                .at(ValuesLayout.LENGTH_OFFSET + Integer.BYTES, "(pad)")
                .at(ValuesLayout.VALUES_OFFSET, "cell 0")
                .at(ValuesLayout.VALUES_OFFSET + Long.BYTES, "cell 1"));
        specs.put("listener.md", new Expected()
                .at(ListenerLayout.OWNER_OFFSET, "owner token")
                .at(ListenerLayout.STATE_OFFSET, "state")
                .at(ListenerLayout.BACKLOG_OFFSET, "backlog")
                .at(ListenerLayout.NEXT_TICKET_OFFSET, "next ticket")
                .at(ListenerLayout.PIPE_CAPACITY_OFFSET, "pipe capacity")
                .at(ListenerLayout.PIPE_CAPACITY_OFFSET + Integer.BYTES, "(pad)")
                .at(ListenerLayout.MAX_MESSAGE_OFFSET, "max message bytes")
                .at(ListenerLayout.REQUESTS_WAIT_POINT_OFFSET, "claims wait point")
                .at(ListenerLayout.ANSWERS_WAIT_POINT_OFFSET, "offers wait point")
                .at(ListenerLayout.SLOT_CLIENT_OFFSET, "client token (0: none)")
                .at(ListenerLayout.SLOT_STATE_OFFSET, "state")
                .at(ListenerLayout.SLOT_NAME_LENGTH_OFFSET, "name length")
                .at(ListenerLayout.SLOT_TICKET_OFFSET, "ticket")
                .at(ListenerLayout.SLOT_NAME_OFFSET, "pipe name (ASCII, up to " + ListenerLayout.MAX_PIPE_NAME_LENGTH + ")"));
        specs.put("map.md", new Expected()
                .at(MapLayout.STRIPES_OFFSET, "stripes")
                .at(MapLayout.ENTRIES_PER_STRIPE_OFFSET, "entries / stripe")
                .at(MapLayout.BUCKETS_OFFSET_FIELD, "buckets/stripe")
                .at(MapLayout.RECORD_BYTES_OFFSET, "record bytes / half")
                .at(MapLayout.MAX_ENTRIES_OFFSET, "max entries")
                .at(MapLayout.MAX_ENTRIES_OFFSET + Long.BYTES, "(pad)")
                .at(MapLayout.LOCK_OFFSET, "lock (`lock.md`)")
                .at(MapLayout.VERSION_OFFSET, "version")
                .at(MapLayout.ACTIVE_OFFSET, "active")
                .at(MapLayout.COUNT_OFFSET, "count")
                .at(MapLayout.TOMBSTONES_OFFSET, "tombstones")
                .at(MapLayout.TOPS_OFFSET, "top half 0")
                .at(MapLayout.TOPS_OFFSET + Long.BYTES, "top h1")
                .at(MapLayout.UNDO_TARGET_OFFSET, "undo target")
                .at(MapLayout.UNDO_LENGTH_OFFSET, "undo length")
                .at(MapLayout.LIST_MOVE_OFFSET, "list move")
                .at(MapLayout.LIST_MOVE_OFFSET + Long.BYTES, "(pad)")
                .at(MapLayout.UNDO_BYTES_OFFSET, "undo bytes")
                .at(MapLayout.RECORD_KEY_LENGTH, "key length")
                .at(MapLayout.RECORD_VALUE_LENGTH, "value length")
                .at(MapLayout.RECORD_HASH, "hash")
                .at(MapLayout.RECORD_HEADER, "key bytes"));
        specs.put("pipe.md", new Expected()
                .at(PipeLayout.DUPLEX_OFFSET, "duplex")
                .at(PipeLayout.CAPACITY_OFFSET, "capacity")
                .at(PipeLayout.ENDS_OFFSET + PipeLayout.END_HOLDER_OFFSET, "end 0 holder token")
                .at(PipeLayout.ENDS_OFFSET + PipeLayout.END_STATE_OFFSET, "end 0 state")
                .at(PipeLayout.ENDS_OFFSET + PipeLayout.END_STATE_OFFSET + Integer.BYTES, "(pad)")
                .at(PipeLayout.ENDS_OFFSET + PipeLayout.END_LENGTH + PipeLayout.END_HOLDER_OFFSET, "end 1 holder token")
                .at(PipeLayout.ENDS_OFFSET + PipeLayout.END_LENGTH + PipeLayout.END_STATE_OFFSET, "end 1 state")
                .at(PipeLayout.ENDS_OFFSET + PipeLayout.END_LENGTH + PipeLayout.END_STATE_OFFSET + Integer.BYTES, "(pad)")
                .at(PipeLayout.MAX_MESSAGE_OFFSET, "max message bytes")
                .at(PipeLayout.MAX_MESSAGE_OFFSET + Long.BYTES, "(pad)")
                .at(RingLayout.TAIL_OFFSET, "tail")
                .at(RingLayout.HEAD_OFFSET, "head")
                .at(RingLayout.READABLE_WAIT_POINT_OFFSET, "readable wait point")
                .at(RingLayout.WRITABLE_WAIT_POINT_OFFSET, "writable wait point"));
        specs.put("process-bootstrap.md", new Expected()
                .at(BootstrapLayout.STATE_OFFSET, "state")
                .at(BootstrapLayout.DAEMON_OFFSET, "daemon")
                .at(BootstrapLayout.WAIT_POINT_OFFSET, "wait point")
                .at(BootstrapLayout.PARENT_PID_OFFSET, "parent pid")
                .at(BootstrapLayout.PARENT_START_TIME_OFFSET, "parent start")
                .at(BootstrapLayout.NAME_LENGTH_OFFSET, "name len")
                .at(BootstrapLayout.NAME_OFFSET, "name, UTF-8 (" + BootstrapLayout.NAME_CAPACITY + " bytes)")
                .at(BootstrapLayout.SPARE_READY_OFFSET, "ready")
                .at(BootstrapLayout.PARENT_NAME_LENGTH_OFFSET, "parent name len")
                .at(BootstrapLayout.PARENT_NAME_OFFSET, "parent's name, UTF-8 (" + BootstrapLayout.NAME_CAPACITY + ")")
                .at(BootstrapLayout.PARENT_NAME_OFFSET + BootstrapLayout.NAME_CAPACITY, "pad")
                .at(BootstrapLayout.PAYLOAD_CAPACITY_OFFSET, "payload capacity")
                .at(BootstrapLayout.PAYLOAD_LENGTH_OFFSET, "payload length"));
        specs.put("queue.md", new Expected()
                .at(QueueLayout.CAPACITY_OFFSET, "capacity")
                .at(QueueLayout.SLOT_DATA_OFFSET_FIELD, "slot data")
                .at(QueueLayout.JOINABLE_OFFSET, "joinable")
                .at(QueueLayout.MODE_OFFSET, "mode")
                .at(QueueLayout.MAX_MESSAGE_OFFSET, "max message bytes")
                .at(QueueLayout.PRODUCER_ROLE_OFFSET, "producer role")
                .at(QueueLayout.CONSUMER_ROLE_OFFSET, "consumer role")
                .at(QueueLayout.INTENTS_USED_OFFSET, "intents used")
                .at(QueueLayout.TAIL_OFFSET, "tail (enqueue position) own " + (QueueLayout.HEAD_OFFSET - QueueLayout.TAIL_OFFSET) + " bytes")
                .at(QueueLayout.HEAD_OFFSET, "head (dequeue position) own " + (QueueLayout.NOT_EMPTY_OFFSET - QueueLayout.HEAD_OFFSET) + " bytes")
                .at(QueueLayout.NOT_EMPTY_OFFSET, "not-empty wait point")
                .at(QueueLayout.NOT_FULL_OFFSET, "not-full wait point")
                .at(QueueLayout.ALL_DONE_OFFSET, "all-done")
                .at(QueueLayout.SKIPPED_NOW_OFFSET, "skipped now")
                .at(QueueLayout.SKIPPED_TOTAL_OFFSET, "skipped total")
                .at(QueueLayout.DONE_OFFSET, "done")
                .at(QueueLayout.SPILLS_OFFSET, "spills")
                .at(QueueLayout.PRODUCER_WAITS_OFFSET, "producer waits")
                .at(QueueLayout.CONSUMER_WAITS_OFFSET, "consumer waits")
                .at(QueueLayout.WAITED_NANOS_OFFSET, "waited nanos"));
        specs.put("liveness.md", new Expected()
                .at(registry("MAGIC_OFFSET"), "magic \"MPROCREG\"")
                .at(registry("VERSION_OFFSET"), "version")
                .at(registry("SLOTS_OFFSET"), "slots")
                .at(registry("EPOCH_OFFSET"), "epoch")
                .at(registry("HINT_OFFSET"), "next-slot hint (8) | reserved")
                .at(registry("HEADER_LENGTH") + registry("SLOT_GENERATION_OFFSET"), "generation")
                .at(registry("HEADER_LENGTH") + registry("SLOT_PID_OFFSET"), "pid")
                .at(registry("HEADER_LENGTH") + registry("SLOT_PID_NAMESPACE_OFFSET"), "PID namespace")
                .at(registry("HEADER_LENGTH") + registry("SLOT_PID_NAMESPACE_OFFSET") + Long.BYTES, "(reserved)"));
        return specs;
    }

    /** A constant of the POSIX liveness registry's layout (package-private in its module). */
    private static long registry(String constant) {
        try {
            var field = Class.forName("dev.multiproc.posix.RegistryLayout").getDeclaredField(constant);
            field.setAccessible(true);
            return field.getLong(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("the registry layout has no constant " + constant, e);
        }
    }

    @Test
    void everyBoxOfEverySpecPictureIsTheFieldTheCodeHasAtThatOffset() {
        List<String> wrong = new ArrayList<>();
        expectations().forEach((spec, expected) -> {
            List<SpecDiagrams.Cell> drawn = SpecDiagrams.cells(SPECS.resolve(spec));
            if (!drawn.equals(expected.cells)) {
                wrong.add(spec + ":\n  drawn: " + drawn + "\n  code:  " + expected.cells);
            }
        });
        assertEquals(List.of(), wrong, "spec pictures that disagree with the layout constants");
    }

    @Test
    void theHeaderSpecGivesEveryKindItsCodeAndTheLayoutVersionTheCodeWrites() throws IOException {
        String kinds = Files.readString(SPECS.resolve("header.md")).replaceAll("\\s+", " ");
        List<String> wrong = new ArrayList<>();
        for (ObjectKind kind : ObjectKind.values()) {
            String expected = kind.code() + " " + kind.label() + " (" + kind.layoutVersion() + ")";
            if (!kinds.contains(expected)) {
                wrong.add(expected);
            }
        }
        assertEquals(List.of(), wrong, "header.md lacks these kinds as the code has them (code, label, layout version)");
        java.util.regex.Matcher version = java.util.regex.Pattern.compile("^Layout version (\\d+)\\b", java.util.regex.Pattern.MULTILINE)
                .matcher(Files.readString(SPECS.resolve("queue.md")));
        assertEquals(true, version.find(), "queue.md states its layout version");
        assertEquals(ObjectKind.QUEUE.layoutVersion(), Integer.parseInt(version.group(1)), "queue.md's layout version");
    }

    @Test
    void everySpecWithAPictureIsChecked() throws IOException {
        TreeSet<String> pictured = new TreeSet<>();
        try (Stream<Path> specs = Files.list(SPECS)) {
            specs.filter(spec -> !SpecDiagrams.cells(spec).isEmpty()).forEach(spec -> pictured.add(spec.getFileName().toString()));
        }
        assertEquals(pictured, new TreeSet<>(expectations().keySet()), "a spec with a byte picture needs its expectations here");
    }

    @Test
    void aBoxMovedInThePictureIsCaught(@org.junit.jupiter.api.io.TempDir Path directory) throws IOException {
        Path moved = directory.resolve("event.md");
        Files.writeString(moved, Files.readString(SPECS.resolve("event.md")).replace("  0        4        8", "  0        8        4"));
        List<SpecDiagrams.Cell> drawn = SpecDiagrams.cells(moved);
        assertEquals(new SpecDiagrams.Cell("(pad)", 8), drawn.get(1), "the picture as read: " + drawn);
    }
}
