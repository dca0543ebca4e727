/** The Windows platform of multiproc. */
module dev.multiproc.windows {
    requires dev.multiproc.core;

    provides dev.multiproc.spi.NativePlatform with dev.multiproc.windows.WindowsPlatform;
}
