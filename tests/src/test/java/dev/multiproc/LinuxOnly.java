package dev.multiproc;

import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A test of what only the Linux platform has — {@code /proc}, the {@code /dev/shm} listing behind
 * {@code ls} and {@code gc}, POSIX signals as exit codes, file permissions, namespaces, other
 * users, a multi-wait that sleeps until its timeout — disabled elsewhere with that reason. Every
 * other test of this module runs on Windows too (see {@code .github/workflows/ci.yml}).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@EnabledOnOs(value = OS.LINUX, disabledReason = "it checks Linux-only behaviour: /proc, the /dev/shm listing behind ls and gc, "
        + "POSIX signals as exit codes, file permissions, namespaces or a multi-wait's timeout")
public @interface LinuxOnly {
}
