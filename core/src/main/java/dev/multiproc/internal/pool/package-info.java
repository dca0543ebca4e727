/**
 * The process pool's machinery: the dispatcher behind {@code ProcessPool} ({@code PoolDispatcher}:
 * workers, queue, collector thread), the worker loop a pool's child runs ({@code PoolWorker}), the wire
 * format of tasks and results ({@code TaskCodec}, {@code spec/pool.md}), the shared word that settles
 * which tasks a worker started and which the pool took back ({@code StartWord}), and the cache that
 * sends a map's function to each worker once.
 *
 * <p>Internal: not API. Its types may change in any release; the module does not export it.
 */
package dev.multiproc.internal.pool;
