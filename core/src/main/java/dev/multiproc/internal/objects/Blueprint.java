package dev.multiproc.internal.objects;

import dev.multiproc.codec.Codec;
import dev.multiproc.internal.shm.header.ObjectHeader;
import dev.multiproc.internal.shm.header.ObjectKind;
import dev.multiproc.spi.MappedRegion;
import dev.multiproc.spi.NativePlatform;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What a shared object of one kind and shape is, before anyone makes it: its body's size, how a
 * new body starts, the codecs it is made for, and its shape in words — as asked for, and as read
 * back from an object that exists. A context makes a new object from it; opening a named object
 * compares an existing one with it, so that a queue of another capacity, a semaphore of other
 * permits or a queue of strings opened as one of longs is refused, naming both.
 *
 * @param kind       the object's kind
 * @param bodySize   bytes after the header
 * @param writeBody  writes a new object's body, before it is published
 * @param shape      the shape asked for, as a noun phrase ("a queue of 4096 slots of 112 bytes, ...")
 * @param shapeOf    the shape of an existing object of the kind, in the same words
 * @param codec      the codec of its messages, elements or keys (null: none)
 * @param valueCodec the codec of a map's values (null: none)
 */
public record Blueprint(ObjectKind kind, long bodySize, Consumer<MappedRegion> writeBody, String shape,
                 Function<MappedRegion, String> shapeOf, Codec<?> codec, Codec<?> valueCodec) {

    /** A blueprint for a kind without codecs. */
    static Blueprint of(ObjectKind kind, long bodySize, Consumer<MappedRegion> writeBody, String shape,
                        Function<MappedRegion, String> shapeOf) {
        return new Blueprint(kind, bodySize, writeBody, shape, shapeOf, null, null);
    }

    /** The same object, made for these codecs. */
    public Blueprint withCodecs(Codec<?> codec, Codec<?> valueCodec) {
        return new Blueprint(kind, bodySize, writeBody, shape, shapeOf, codec, valueCodec);
    }

    /**
     * Writes the body of the object just created as {@code region} (header written, not yet
     * published) and the fingerprints of its codecs, publishes it, and attaches this process to
     * it. If writing fails, the object is unmapped and its name removed.
     */
    public Attachment publish(NativePlatform platform, MappedRegion region) {
        try {
            writeBody.accept(region);
            ObjectHeader.recordCodecs(region, fingerprint(codec), fingerprint(valueCodec));
        } catch (RuntimeException e) {
            region.close();
            platform.unlinkRegion(region.name());
            throw e;
        }
        ObjectHeader.publish(region);
        return Attachment.created(platform, region, kind);
    }

    /**
     * Why the published object {@code existing} (of this kind) is not one this blueprint would
     * make, or empty if it is: its shape, or a codec that names another encoding. A codec that
     * names none, on either side, is not compared.
     */
    Optional<String> mismatch(MappedRegion existing) {
        String actual = shapeOf.apply(existing);
        if (!actual.equals(shape)) {
            return Optional.of("it is " + actual);
        }
        long[] recorded = ObjectHeader.codecsOf(existing);
        Codec<?>[] wanted = {codec, valueCodec};
        String[] roles = {kind == ObjectKind.MAP ? "keys" : "messages", "values"};
        for (int i = 0; i < 2; i++) {
            long asked = fingerprint(wanted[i]);
            if (recorded[i] != 0 && asked != 0 && recorded[i] != asked) {
                return Optional.of("its " + roles[i] + " are encoded by " + describe(recorded[i]) + ", not by "
                        + wanted[i] + " (identity '" + wanted[i].identity() + "')");
            }
        }
        return Optional.empty();
    }

    /** 64-bit FNV-1a of the codec's identity, never 0; 0 for no codec or one without an identity. */
    static long fingerprint(Codec<?> codec) {
        String identity = codec == null ? "" : codec.identity();
        if (identity == null || identity.isEmpty()) {
            return 0;
        }
        long hash = 0xcbf29ce484222325L;
        for (byte b : identity.getBytes(StandardCharsets.UTF_8)) {
            hash = (hash ^ (b & 0xFF)) * 0x100000001b3L;
        }
        return hash == 0 ? 1 : hash;
    }

    /** A codec fingerprint in words: the built-in codec it belongs to, if any. */
    private static String describe(long fingerprint) {
        for (Codec<?> builtIn : new Codec<?>[]{Codec.string(), Codec.longs(), Codec.ints(), Codec.doubles(), Codec.serializable()}) {
            if (fingerprint(builtIn) == fingerprint) {
                return "a codec of identity '" + builtIn.identity() + "'";
            }
        }
        return "a codec of fingerprint " + Long.toHexString(fingerprint);
    }
}
