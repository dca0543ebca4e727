package dev.multiproc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A fresh context for each test; afterwards its children still running are killed (and
 * joined, bounded) and everything it made is removed.
 */
abstract class ContextPerTest {
    Multiproc mp;

    @BeforeEach
    void openContext() {
        mp = Multiproc.create();
    }

    @AfterEach
    void closeContext() throws InterruptedException {
        try {
            Children.killAll(mp);
        } finally {
            mp.close();
        }
    }
}
