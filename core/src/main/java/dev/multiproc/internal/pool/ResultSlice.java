package dev.multiproc.internal.pool;

import java.util.Arrays;
import java.util.List;

/**
 * The part {@code [from, to)} of an array that a task's values are read into: for a chunk of a
 * map, its items' places in the array of the whole map's results.
 */
public record ResultSlice(Object[] array, int from, int to) {
    public ResultSlice {
        if (from < 0 || from > to || to > array.length) {
            throw new IllegalArgumentException("[" + from + ", " + to + ") is not within an array of " + array.length);
        }
    }

    /** All of {@code array}. */
    public static ResultSlice whole(Object[] array) {
        return new ResultSlice(array, 0, array.length);
    }

    public int length() {
        return to - from;
    }

    /** A fixed-size list over the slice (writes go through to the array). */
    public List<Object> asList() {
        List<Object> all = Arrays.asList(array);
        return from == 0 && to == array.length ? all : all.subList(from, to);
    }
}
