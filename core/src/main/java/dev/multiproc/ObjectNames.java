package dev.multiproc;

import dev.multiproc.shm.header.ObjectKind;

import java.util.Optional;

/**
 * The names multiproc gives shared objects: {@code mp-<context id>-<kind>-<n>}, where the
 * context id is random hex, and {@code mp-<context id>-context} for the context's own marker.
 * Names a user chooses are checked here too.
 */
final class ObjectNames {
    static final String PREFIX = "mp-";
    private static final String MARKER_SUFFIX = "-context";

    private ObjectNames() {
    }

    static String generated(String contextId, ObjectKind kind, long number) {
        return PREFIX + contextId + "-" + kind.label() + "-" + number;
    }

    static String marker(String contextId) {
        return PREFIX + contextId + MARKER_SUFFIX;
    }

    static boolean isMarker(String name) {
        return name.startsWith(PREFIX) && name.endsWith(MARKER_SUFFIX);
    }

    /** The context id inside a generated name, if it is one. */
    static Optional<String> contextIdOf(String name) {
        if (!name.startsWith(PREFIX)) {
            return Optional.empty();
        }
        int end = name.indexOf('-', PREFIX.length());
        if (end <= PREFIX.length()) {
            return Optional.empty();
        }
        String id = name.substring(PREFIX.length(), end);
        for (int i = 0; i < id.length(); i++) {
            if (Character.digit(id.charAt(i), 16) < 0) {
                return Optional.empty();
            }
        }
        return Optional.of(id);
    }

    /**
     * Checks a name a user chose.
     *
     * @throws IllegalArgumentException naming what is wrong with it
     */
    static String checkUserName(String name, int maxLength) {
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
