package dev.multiproc.bench;

/** The baseline for child start-up: a JVM whose main only prints when it got there. */
public final class StartupProbe {
    private StartupProbe() {
    }

    public static void main(String[] args) {
        System.out.println(System.nanoTime());
    }
}
