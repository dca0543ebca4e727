package dev.multiproc;

import java.lang.foreign.MemorySegment;

/**
 * Receives messages in place, one call per message: the view is the message's bytes in shared
 * memory (or in its spill object) and is valid only during the call. See {@link SharedQueue#drain}.
 */
@FunctionalInterface
public interface MessageHandler {
    /** One message's encoded bytes; copy out what must outlive the call. */
    void onMessage(MemorySegment message);
}
