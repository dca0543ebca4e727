package dev.multiproc.internal.pool;

import java.io.Serial;
import java.io.Serializable;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * A map's results: a growable list that takes over the array the pool's collector read every
 * chunk's results into, so that a map ends without copying its results into a list of their own
 * (on two cores that copy ran alone after the last chunk, a tenth of a small map's time). Behaves
 * as an {@link ArrayList}, and is serialised as one.
 */
public final class MapResults<E> extends AbstractList<E> implements RandomAccess, Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    // never written: an ArrayList goes in its place (writeReplace)
    private transient Object[] elements;
    private transient int size;

    /** A list of every element of {@code elements}, which it owns from now on. */
    public MapResults(Object[] elements) {
        this.elements = elements;
        this.size = elements.length;
    }

    @Override
    @SuppressWarnings("unchecked")
    public E get(int index) {
        Objects.checkIndex(index, size);
        return (E) elements[index];
    }

    @Override
    public E set(int index, E element) {
        E old = get(index);
        elements[index] = element;
        return old;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public void add(int index, E element) {
        Objects.checkIndex(index, size + 1);
        if (size == elements.length) {
            elements = Arrays.copyOf(elements, Math.max(8, size + (size >> 1)));
        }
        System.arraycopy(elements, index, elements, index + 1, size - index);
        elements[index] = element;
        size++;
        modCount++;
    }

    @Override
    public E remove(int index) {
        E old = get(index);
        System.arraycopy(elements, index + 1, elements, index, size - index - 1);
        elements[--size] = null;
        modCount++;
        return old;
    }

    @Override
    public Object[] toArray() {
        return Arrays.copyOf(elements, size);
    }

    /** An {@link ArrayList} travels in its place: a reader needs nothing of multiproc's to read it. */
    @Serial
    private Object writeReplace() {
        return new ArrayList<>(this);
    }
}
