package dev.multiproc;

/**
 * One fact about this machine that matters to multiproc, as {@code multiproc doctor} reports it
 * ({@link Multiproc#checkPlatform()}).
 *
 * @param topic   what was checked ("kernel", "/dev/shm", ...)
 * @param finding what was found
 * @param ok      whether it is as multiproc needs it (false: see {@code advice})
 * @param advice  what to do about it, or what multiproc does instead; empty when nothing
 */
public record PlatformCheck(String topic, String finding, boolean ok, String advice) {

    public static PlatformCheck ok(String topic, String finding) {
        return new PlatformCheck(topic, finding, true, "");
    }

    /** Works, another way than the best one: what multiproc does instead. */
    public static PlatformCheck fallback(String topic, String finding, String instead) {
        return new PlatformCheck(topic, finding, true, instead);
    }

    public static PlatformCheck problem(String topic, String finding, String advice) {
        return new PlatformCheck(topic, finding, false, advice);
    }
}
