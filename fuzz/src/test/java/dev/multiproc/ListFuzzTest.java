package dev.multiproc;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.multiproc.codec.Codec;

import java.util.List;
import java.util.Set;

class ListFuzzTest {
    private static final Multiproc MP = Multiproc.create();

    @FuzzTest(maxDuration = "20s")
    void aCorruptedListsOperationsEndInTime(FuzzedDataProvider data) throws Exception {
        try (SharedList<String> list = MP.list(Codec.string(), 16)) {
            for (int i = 0; i < 5; i++) {
                list.add("element " + i);
            }
            SharedObject handle = list.handle();
            Fuzzing.corrupt(handle, data);
            Fuzzing.bounded(List.of(list), Set.of(IndexOutOfBoundsException.class),
                    () -> list.get(1),
                    list::size,
                    () -> list.add("more"),
                    () -> list.add(1, "in between"),
                    () -> list.remove(0),
                    () -> list.set(2, "changed"),
                    () -> List.copyOf(list));
        }
    }
}
