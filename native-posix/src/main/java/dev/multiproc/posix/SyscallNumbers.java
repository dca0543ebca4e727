package dev.multiproc.posix;

/**
 * The Linux system call numbers multiproc uses, per architecture: x86-64 keeps its historical
 * table, aarch64 uses the generic one. Only calls present on both (the {@code *at} and
 * {@code ppoll} forms) are used.
 */
record SyscallNumbers(long openat, long close, long fstat, long mmap, long munmap, long unlinkat, long fallocate,
                      long futex, long futexWaitv, long kill, long wait4, long rtSigaction, long pidfdOpen, long ppoll,
                      long fcntl, long ftruncate, long fchown, long geteuid, long newfstatat, long closeRange,
                      long membarrier, StatLayout stat) {

    /**
     * Where {@code struct stat} keeps the fields multiproc reads: x86-64 has its own layout, aarch64
     * the generic one ({@code st_nlink} is 8 bytes on x86-64 and 4 on aarch64). Both are 128 bytes
     * or less, and {@code st_size} is at 48 in both.
     */
    record StatLayout(long inode, long linkCount, boolean wideLinkCount, long mode, long uid, long size) {
        static final long LENGTH = 144;
    }

    private static final SyscallNumbers X86_64 = new SyscallNumbers(257, 3, 5, 9, 11, 263, 285, 202, 449, 62, 61, 13, 434, 271,
            72, 77, 93, 107, 262, 436, 324, new StatLayout(8, 16, true, 24, 28, 48));
    private static final SyscallNumbers AARCH64 = new SyscallNumbers(56, 57, 80, 222, 215, 35, 47, 98, 449, 129, 260, 134, 434, 73,
            25, 46, 55, 175, 79, 436, 283, new StatLayout(8, 20, false, 16, 24, 48));

    static SyscallNumbers forArchitecture(String osArch) {
        return switch (osArch) {
            case "amd64", "x86_64" -> X86_64;
            case "aarch64", "arm64" -> AARCH64;
            default -> throw new UnsupportedOperationException("multiproc has no Linux system call table for os.arch=" + osArch
                    + " (supported: amd64, aarch64)");
        };
    }
}
