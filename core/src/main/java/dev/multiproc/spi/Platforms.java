package dev.multiproc.spi;

import dev.multiproc.MultiprocException;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/** Finds the {@link NativePlatform} for the running operating system, once per JVM. */
public final class Platforms {

    private Platforms() {
    }

    private static final class Holder {
        static final NativePlatform CURRENT = load();
    }

    /**
     * The platform for this OS.
     *
     * @throws MultiprocException naming the platforms found and the OS seen, if none fits
     */
    public static NativePlatform current() {
        return Holder.CURRENT;
    }

    /** The platforms multiproc ships, by the family of {@code os.name} each serves. */
    private static final String POSIX_PLATFORM = "dev.multiproc.posix.PosixPlatform";
    private static final String WINDOWS_PLATFORM = "dev.multiproc.windows.WindowsPlatform";

    private static NativePlatform load() {
        String os = System.getProperty("os.name");
        Optional<NativePlatform> shipped = shippedPlatform(os);
        if (shipped.isPresent()) {
            return shipped.get();
        }
        List<String> found = new ArrayList<>();
        for (NativePlatform platform : ServiceLoader.load(NativePlatform.class, Platforms.class.getClassLoader())) {
            if (platform.supports(os)) {
                return platform;
            }
            found.add(platform.name() + " (" + platform.getClass().getName() + ")");
        }
        throw new MultiprocException("no multiproc platform supports os.name='" + os + "' (arch "
                + System.getProperty("os.arch") + "); platforms on the class or module path: "
                + (found.isEmpty() ? "none" : String.join(", ", found))
                + ". Add multiproc-native-posix (Linux) or multiproc-native-windows (Windows) to the path.");
    }

    /**
     * On the class path, the platform multiproc ships for this OS, found by its name: a service
     * lookup there reads every jar on the path for its list of providers, which in a child JVM
     * started from the start-up cache (where the platform class is loaded already) was 17-19 ms
     * of a ~100 ms start — most of what separated it from a bare JVM's. In a named module the
     * module graph lists the providers, and the service lookup costs nothing; so does a path
     * without the class, where the lookup then finds what is there.
     */
    private static Optional<NativePlatform> shippedPlatform(String os) {
        if (Platforms.class.getModule().isNamed()) {
            return Optional.empty();
        }
        String name = os != null && os.startsWith("Windows") ? WINDOWS_PLATFORM : POSIX_PLATFORM;
        try {
            Class<?> type = Class.forName(name, true, Platforms.class.getClassLoader());
            NativePlatform platform = (NativePlatform) type.getConstructor().newInstance();
            return platform.supports(os) ? Optional.of(platform) : Optional.empty();
        } catch (ReflectiveOperationException | ClassCastException | LinkageError notThere) {
            return Optional.empty();
        }
    }
}
