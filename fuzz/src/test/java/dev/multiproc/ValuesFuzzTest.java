package dev.multiproc;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.multiproc.internal.shm.values.LongCells;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.Platforms;

import java.util.List;
import java.util.Set;

class ValuesFuzzTest {
    private static final Multiproc MP = Multiproc.create();

    @FuzzTest(maxDuration = "20s")
    void aCorruptedArraysOperationsEndInTime(FuzzedDataProvider data) throws Exception {
        try (SharedLongArray array = MP.sharedLongArray(8); SharedDouble value = MP.sharedDouble(1.5)) {
            array.set(3, 42);
            Fuzzing.corrupt(array, data);
            Fuzzing.corrupt(value, data);
            Fuzzing.bounded(List.of(array, value), Set.of(IndexOutOfBoundsException.class),
                    () -> array.get(3),
                    () -> array.incrementAndGet(7),
                    array::length,
                    () -> value.addAndGet(2.0),
                    () -> {
                        try (MappedRegion region = Platforms.current().openRegion(array.name())) {
                            LongCells fresh = new LongCells(region);
                            fresh.get(fresh.length() - 1);
                        }
                    });
        }
    }
}
