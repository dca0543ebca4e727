/**
 * multiproc: Python's multiprocessing for the JVM, over shared memory and OS primitives.
 * The platform for the running OS is found through {@link dev.multiproc.spi.NativePlatform}.
 */
module dev.multiproc.core {
    exports dev.multiproc;
    exports dev.multiproc.spi;
    exports dev.multiproc.codec;

    requires java.management;

    uses dev.multiproc.spi.NativePlatform;
}
