/**
 * The shared-memory protocols: one structure per package, each a layout class (named offsets and
 * a picture of the bytes, as in {@code spec/}) apart from the logic that runs the protocol over
 * a mapped region. They know the platform SPI and nothing of the API: waits take a
 * {@link dev.multiproc.internal.shm.wait.WaitPolicy}, failures go through
 * {@link dev.multiproc.internal.shm.ProtocolFailures}.
 *
 * <p>Internal: not API. Its types may change in any release; the module does not export it.
 */
package dev.multiproc.internal.shm;
