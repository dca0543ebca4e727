package dev.multiproc.spi;

import dev.multiproc.MultiprocException;

import java.util.ArrayList;
import java.util.List;
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

    private static NativePlatform load() {
        String os = System.getProperty("os.name");
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
}
