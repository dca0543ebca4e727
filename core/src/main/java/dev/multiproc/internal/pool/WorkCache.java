package dev.multiproc.internal.pool;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The last {@value #CAPACITY} functions a pool worker was sent, by work id, least recently used
 * first out. The pool keeps one per worker and the worker its own; both see the same work ids in
 * the same order (the worker's pipe keeps the pool's order), so they agree on what the worker
 * holds, and the pool leaves a function out of a task exactly when the worker has it.
 */
public final class WorkCache {
    static final int CAPACITY = 64;

    private final LinkedHashMap<Long, Object> works = new LinkedHashMap<>(CAPACITY * 2, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Object> eldest) {
            return size() > CAPACITY;
        }
    };

    /** Pool side: whether the worker holds {@code workId} (so a task may leave it out); changes nothing. */
    public boolean holds(long workId) {
        return works.containsKey(workId);
    }

    /** Pool side: a task of {@code workId} is sent (with the work, or without it if the worker {@link #holds} it). */
    public void sent(long workId) {
        if (works.get(workId) == null) {
            works.put(workId, Boolean.TRUE);
        }
    }

    /** Worker side: a work that came with a task. */
    void remember(long workId, Object work) {
        works.put(workId, work);
    }

    /** Worker side: a work sent with an earlier task, or null. */
    Object recall(long workId) {
        return works.get(workId);
    }
}
