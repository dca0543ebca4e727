package dev.multiproc.remote;

import dev.multiproc.Multiproc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A fresh context for each test, closed (with everything it made) afterwards. */
abstract class ContextPerTest {
    Multiproc mp;

    @BeforeEach
    void openContext() {
        mp = Multiproc.create();
    }

    @AfterEach
    void closeContext() {
        mp.close();
    }
}
