/** The Linux platform of multiproc: POSIX shared memory, futexes, sem_open, posix_spawn. */
module dev.multiproc.posix {
    requires dev.multiproc.core;

    provides dev.multiproc.spi.NativePlatform with dev.multiproc.posix.PosixPlatform;
}
