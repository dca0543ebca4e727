package dev.multiproc;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.multiproc.internal.shm.process.Bootstrap;

import java.util.List;
import java.util.Set;

class BootstrapFuzzTest {
    private static final Multiproc MP = Multiproc.create();

    @FuzzTest(maxDuration = "20s")
    void aChildReadsACorruptedBootstrapWithinItsBytes(FuzzedDataProvider data) {
        try (SharedMemory block = MP.sharedMemory(dev.multiproc.internal.shm.process.BootstrapLayout.bodySize(256))) {
            Bootstrap bootstrap = new Bootstrap(MP.platform(), block.region);
            bootstrap.initialise(MP.platform().currentProcess(), "parent", 256, dev.multiproc.internal.shm.process.BootstrapLayout.STATE_SPARE);
            bootstrap.handOff("child", false, new byte[100]);
            Fuzzing.corrupt(block, data);
            Fuzzing.bounded(List.of(block), Set.of(),
                    bootstrap::name,
                    bootstrap::parentName,
                    bootstrap::payload,
                    bootstrap::state,
                    bootstrap::daemon);
        }
    }
}
