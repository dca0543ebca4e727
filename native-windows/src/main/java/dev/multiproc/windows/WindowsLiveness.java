package dev.multiproc.windows;

import dev.multiproc.spi.Liveness;
import dev.multiproc.spi.ProcessIdentity;

import java.util.OptionalLong;

/**
 * Liveness on Windows, where a pid and a process's creation time name it for its whole life
 * (Windows has no PID namespaces): a token is the pid in the high 32 bits and a mix of the
 * creation time in the low 32.
 */
final class WindowsLiveness implements Liveness {
    private final WindowsPlatform platform;

    WindowsLiveness(WindowsPlatform platform) {
        this.platform = platform;
    }

    static long tokenOf(ProcessIdentity identity) {
        long mixed = identity.startTime() * 0x9E37_79B9_7F4A_7C15L;
        int folded = (int) (mixed ^ (mixed >>> 32));
        return (identity.pid() << 32) | ((folded == 0 ? 1 : folded) & 0xFFFF_FFFFL);
    }

    @Override
    public long currentToken() {
        return tokenOf(platform.currentProcess());
    }

    @Override
    public boolean isAlive(long token) {
        return token > 0 && platform.processIdentity(token >>> 32).map(identity -> tokenOf(identity) == token).orElse(false);
    }

    @Override
    public OptionalLong pid(long token) {
        return isAlive(token) ? OptionalLong.of(token >>> 32) : OptionalLong.empty();
    }

    @Override
    public String describe(long token) {
        return isAlive(token) ? "pid " + (token >>> 32) : "an ended process (pid " + (token >>> 32) + ")";
    }
}
