package dev.multiproc.bench.transport;

import dev.multiproc.Multiproc;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Chronicle Queue: an appender in one JVM, a tailer in the other, over queue files in
 * /dev/shm, one queue per direction; busy-spinning tailer. Chronicle needs JVM flags that open
 * JDK internals (see {@link PeerOptions#chronicle()}), given to its child JVMs only.
 */
public final class ChronicleTransport implements Transport {

    @Override
    public String name() {
        return "chronicle-queue";
    }

    @Override
    public String description() {
        return "Chronicle Queue, appender/tailer on queue files in /dev/shm, busy-spin tailer, raw bytes per excerpt (peer)";
    }

    @Override
    public List<String> jvmOptions() {
        return PeerOptions.chronicle();
    }

    @Override
    public Link open(Multiproc mp, int maxSize, int producers) throws Exception {
        Path directory = Files.createTempDirectory(Path.of("/dev/shm"), "chronicle-bench-");
        return new ChronicleLink(directory.resolve("ping").toString(), directory.resolve("pong").toString(), directory.toString());
    }

    private record ChronicleLink(String toResponder, String toInitiator, String directory) implements Link {
        @Override
        public Endpoint initiator() {
            return new ChronicleEndpoint(toResponder, toInitiator);
        }

        @Override
        public Endpoint responder() {
            return new ChronicleEndpoint(toInitiator, toResponder);
        }

        @Override
        public void cleanUp() {
            TempFiles.deleteRecursively(Path.of(directory));
        }
    }

    private static final class ChronicleEndpoint implements Endpoint {
        private final ChronicleQueue outgoing;
        private final ChronicleQueue incoming;
        private final ExcerptAppender appender;
        private final ExcerptTailer tailer;

        ChronicleEndpoint(String outgoingPath, String incomingPath) {
            this.outgoing = SingleChronicleQueueBuilder.single(outgoingPath).build();
            this.incoming = SingleChronicleQueueBuilder.single(incomingPath).build();
            this.appender = outgoing.createAppender();
            this.tailer = incoming.createTailer().toStart();
        }

        @Override
        public void send(byte[] message, int length) {
            try (DocumentContext document = appender.writingDocument()) {
                document.wire().bytes().write(message, 0, length);
            }
        }

        @Override
        public int receive(byte[] buffer) {
            while (true) {
                try (DocumentContext document = tailer.readingDocument()) {
                    if (document.isPresent()) {
                        Bytes<?> bytes = document.wire().bytes();
                        int length = (int) bytes.readRemaining();
                        bytes.read(buffer, 0, length);
                        return length;
                    }
                }
                Thread.onSpinWait();
            }
        }

        @Override
        public void close() {
            tailer.close();
            appender.close();
            outgoing.close();
            incoming.close();
        }
    }
}
