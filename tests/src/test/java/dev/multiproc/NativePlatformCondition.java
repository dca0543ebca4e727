package dev.multiproc;

import dev.multiproc.spi.Platforms;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Disables, saying why, every test that needs shared memory and processes where multiproc has no
 * platform (macOS: multiproc runs on Linux and Windows), instead of letting each fail. Registered
 * for every test of this module (extension auto-detection); {@link WithoutNativePlatform} classes
 * run anyway.
 */
public final class NativePlatformCondition implements ExecutionCondition {
    private static final class Availability {
        static final String MISSING = missing();

        private static String missing() {
            try {
                Platforms.current();
                return null;
            } catch (RuntimeException | LinkageError none) {
                return "multiproc has no platform for " + System.getProperty("os.name") + " (it runs on Linux and Windows): " + none;
            }
        }
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        boolean needsNone = context.getTestClass().map(type -> type.isAnnotationPresent(WithoutNativePlatform.class)).orElse(false);
        if (needsNone || Availability.MISSING == null) {
            return ConditionEvaluationResult.enabled("a multiproc platform is available, or not needed");
        }
        return ConditionEvaluationResult.disabled(Availability.MISSING);
    }
}
