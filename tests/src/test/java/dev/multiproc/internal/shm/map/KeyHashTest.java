package dev.multiproc.internal.shm.map;

import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The key hash is part of the map's shared layout: every process must find a key in the same
 * stripe and bucket, so the function may not change between versions that share a layout
 * version. These values were computed by the first version of the function (over a memory
 * segment, before keys became byte arrays).
 */
class KeyHashTest {
    @Test
    void theHashOfAKeyIsTheOneEveryVersionOfThisLayoutComputes() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "values pinned on a little-endian machine");
        Map<String, Long> pinned = Map.of(
                "", 0L,
                "a", -5345363602686969637L,
                "key-000000000001", -6312576820408460428L,
                "the-key", 3316594093414293119L,
                "ünïcödé and more than sixteen", -2711034353598826622L);
        pinned.forEach((key, hash) -> assertEquals(hash, KeyHash.of(key.getBytes(StandardCharsets.UTF_8)), key));
    }
}
