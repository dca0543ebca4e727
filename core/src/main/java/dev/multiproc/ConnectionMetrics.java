package dev.multiproc;

/**
 * One end of a pipe at one moment ({@link Connection#metrics()}), read from shared memory. Ring
 * bytes count each message's 16-byte record header and padding to 8 bytes; a one-way end reports
 * 0 for the direction it does not use.
 *
 * @param bytesSent      ring bytes this end has sent since the pipe was made (by whichever process held it)
 * @param bytesReceived  ring bytes this end has read since the pipe was made
 * @param bytesToPeer    ring bytes sent and not yet read by the other end
 * @param bytesFromPeer  ring bytes the other end sent that this end has not read yet
 * @param peerFinished   whether the other end is closed or its process has died
 */
public record ConnectionMetrics(long bytesSent, long bytesReceived, long bytesToPeer, long bytesFromPeer, boolean peerFinished) {
}
