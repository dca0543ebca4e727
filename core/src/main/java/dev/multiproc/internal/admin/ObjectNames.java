package dev.multiproc.internal.admin;

import dev.multiproc.CorruptSharedObjectException;
import dev.multiproc.internal.shm.header.ObjectKind;
import dev.multiproc.internal.shm.queue.QueueSlots;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The names multiproc gives shared objects: {@code mp-<context id>-<kind>-<n>}, where the
 * context id is 64 random bits in hex from a secure source (another user, who can list
 * {@code /dev/shm}, cannot guess the next one), and {@code mp-<context id>-context} for the
 * context's own marker. A named object ({@code mp.openQueue("orders", ...)}) is
 * {@code mp-n-<name>}: its name has no context id, so no context's clean-up or collection ever
 * takes it. Names a user chooses, and names read from shared memory, are checked here too.
 */
public final class ObjectNames {
    static final String PREFIX = "mp-";
    /** What the OS names of named objects start with. */
    static final String NAMED_PREFIX = PREFIX + "n-";
    /** The longest name of a named object. */
    static final int MAX_NAMED_LENGTH = 200;
    private static final String MARKER_SUFFIX = "-context";
    private static final int CONTEXT_ID_LENGTH = 16;

    /** The kernel's random source where the system has one (Linux, macOS, the BSDs). */
    private static final Path KERNEL_RANDOM = Path.of("/dev/urandom");

    /** Made on first use, where the kernel's source cannot be read. */
    private static final class Ids {
        static final SecureRandom RANDOM = new SecureRandom();
    }

    private ObjectNames() {
    }

    /**
     * A new random context id: 16 lower-case hex digits, read from the kernel's random source
     * (what {@link SecureRandom} reads there too) without setting up Java's security providers,
     * which cost the first context of every JVM 37–58 ms here; {@link SecureRandom} elsewhere.
     */
    public static String newContextId() {
        return HexFormat.of().toHexDigits(randomLong());
    }

    private static long randomLong() {
        try (InputStream in = Files.newInputStream(KERNEL_RANDOM)) {
            byte[] bytes = in.readNBytes(Long.BYTES);
            if (bytes.length == Long.BYTES) {
                return ByteBuffer.wrap(bytes).getLong();
            }
        } catch (IOException noKernelSource) {
            // no such device here: the JDK's source
        }
        return Ids.RANDOM.nextLong();
    }

    public static String generated(String contextId, ObjectKind kind, long number) {
        return generatedPrefix(contextId, kind) + number;
    }

    /** What every generated name of {@code kind} in the context begins with. */
    static String generatedPrefix(String contextId, ObjectKind kind) {
        return PREFIX + contextId + "-" + kind.label() + "-";
    }

    public static String marker(String contextId) {
        return PREFIX + contextId + MARKER_SUFFIX;
    }

    static boolean isMarker(String name) {
        return name.startsWith(PREFIX) && name.endsWith(MARKER_SUFFIX);
    }

    /** The context id inside a generated name, if it is one. */
    public static Optional<String> contextIdOf(String name) {
        if (!name.startsWith(PREFIX)) {
            return Optional.empty();
        }
        int end = name.indexOf('-', PREFIX.length());
        if (end - PREFIX.length() != CONTEXT_ID_LENGTH) {
            return Optional.empty();
        }
        String id = name.substring(PREFIX.length(), end);
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                return Optional.empty();
            }
        }
        return Optional.of(id);
    }

    /**
     * The OS name of the named object {@code name}.
     *
     * @throws IllegalArgumentException stating the rule, if {@code name} is not 1 to 200 letters, digits, '.', '_' or '-'
     */
    public static String named(String name) {
        boolean valid = name != null && !name.isEmpty() && name.length() <= MAX_NAMED_LENGTH;
        for (int i = 0; valid && i < name.length(); i++) {
            valid = isNameCharacter(name.charAt(i));
        }
        if (!valid) {
            throw new IllegalArgumentException("a shared object's name is 1 to " + MAX_NAMED_LENGTH
                    + " of the characters A-Z, a-z, 0-9, '.', '_' and '-'; got " + (name == null ? "null" : "'" + name + "'"));
        }
        return NAMED_PREFIX + name;
    }

    /** The name a user gave a named object, if {@code osName} is one's OS name. */
    public static Optional<String> userNameOf(String osName) {
        return osName.startsWith(NAMED_PREFIX) ? Optional.of(osName.substring(NAMED_PREFIX.length())) : Optional.empty();
    }

    private static boolean isNameCharacter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    }

    /**
     * A name read from shared memory, where another process wrote it: it must be one multiproc
     * generates (our prefix, then letters, digits, '.', '_' and '-' only, never a path) and no
     * longer than any name, before any file operation uses it.
     *
     * @throws CorruptSharedObjectException naming the object and the field that held it
     */
    public static String checkStoredName(String objectName, String field, String stored) {
        boolean valid = stored.startsWith(PREFIX) && stored.length() <= MAX_STORED_NAME_LENGTH;
        for (int i = 0; valid && i < stored.length(); i++) {
            char c = stored.charAt(i);
            valid = isNameCharacter(c) || c == QueueSlots.SPILL_SEPARATOR;
        }
        if (!valid) {
            throw new CorruptSharedObjectException(objectName, field + " length", stored.length(),
                    "it must hold a multiproc name ('" + PREFIX + "' then letters, digits, '.', '_', '-' or '"
                            + QueueSlots.SPILL_SEPARATOR + "', at most "
                            + MAX_STORED_NAME_LENGTH + " characters)");
        }
        return stored;
    }

    /** The longest name multiproc generates or accepts (within every platform's limit). */
    static final int MAX_STORED_NAME_LENGTH = 251;

    /**
     * Checks a name a user chose.
     *
     * @throws IllegalArgumentException naming what is wrong with it
     */
    public static String checkUserName(String name, int maxLength) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a shared object name must not be empty");
        }
        if (name.length() > maxLength) {
            throw new IllegalArgumentException("shared object name is " + name.length()
                    + " characters; this OS allows at most " + maxLength + ": '" + name + "'");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == '\\') {
                throw new IllegalArgumentException("shared object name must not contain '" + c + "': '" + name + "'");
            }
            if (c == 0 || Character.isISOControl(c)) {
                throw new IllegalArgumentException("shared object name must not contain control characters: '" + name + "'");
            }
        }
        if (name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("'" + name + "' is not a valid shared object name");
        }
        return name;
    }
}
