/**
 * multiproc: Python's multiprocessing for the JVM, over shared memory and OS primitives.
 * The platform for the running OS is found through {@link dev.multiproc.spi.NativePlatform}.
 */
// the platform modules, built after this one, are not visible when it compiles
@SuppressWarnings("module")
module dev.multiproc.core {
    exports dev.multiproc;
    // the platforms implement it; nothing in the API hands its types to users
    exports dev.multiproc.spi to dev.multiproc.posix, dev.multiproc.windows;
    exports dev.multiproc.codec;
    exports dev.multiproc.jfr;
    // modules that reach other hosts (multiproc-remote) provide a transport for listen/connect addresses
    exports dev.multiproc.transport;

    requires java.management;
    // whether this JVM was told its collector (VMOption origins), so that children get ours only if not
    requires jdk.management;
    // the events of dev.multiproc.jfr are jdk.jfr.Event subclasses: whoever reads this API reads jdk.jfr
    requires transitive jdk.jfr;

    uses dev.multiproc.spi.NativePlatform;
    uses dev.multiproc.transport.RemoteTransport;
}
