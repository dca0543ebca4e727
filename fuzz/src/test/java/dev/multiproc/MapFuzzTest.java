package dev.multiproc;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.multiproc.codec.Codec;
import dev.multiproc.internal.shm.map.MapStripes;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.Platforms;

import java.util.HashMap;
import java.util.List;
import java.util.Set;

class MapFuzzTest {
    private static final Multiproc MP = Multiproc.create();

    @FuzzTest(maxDuration = "20s")
    void aCorruptedMapsOperationsEndInTime(FuzzedDataProvider data) throws Exception {
        try (SharedMap<String, Long> map = MP.map(Codec.string(), Codec.longs(), MapOptions.of(16).withStripes(2).withAverageValueBytes(8))) {
            for (long i = 0; i < 6; i++) {
                map.put("key-" + i, i);
            }
            map.remove("key-2");
            Fuzzing.corrupt(map, data);
            Fuzzing.bounded(List.of(map), Set.of(),
                    () -> map.get("key-1"),
                    () -> map.put("key-9", 9L),
                    () -> map.put("key-1", 10L),
                    () -> map.remove("key-3"),
                    () -> map.merge("key-4", 1L, Long::sum),
                    map::size,
                    () -> new HashMap<>(map),
                    () -> map.containsValue(5L),
                    () -> {
                        try (MappedRegion region = Platforms.current().openRegion(map.name())) {
                            MapStripes fresh = MapStripes.open(Platforms.current(), region);
                            fresh.entriesNow();
                            fresh.recordBytesUsedNow();
                        }
                    });
        }
    }
}
