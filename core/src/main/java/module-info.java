/**
 * multiproc: Python's multiprocessing for the JVM, over shared memory and OS primitives.
 * The platform for the running OS is found through {@link dev.multiproc.spi.NativePlatform}.
 */
module dev.multiproc.core {
    exports dev.multiproc;
    exports dev.multiproc.spi;
    exports dev.multiproc.codec;
    exports dev.multiproc.jfr;

    requires java.management;
    // the events of dev.multiproc.jfr are jdk.jfr.Event subclasses: whoever reads this API reads jdk.jfr
    requires transitive jdk.jfr;

    uses dev.multiproc.spi.NativePlatform;
}
