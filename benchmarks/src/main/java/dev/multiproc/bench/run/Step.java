package dev.multiproc.bench.run;

import java.io.Serializable;

/**
 * One measurement of a transport: what is measured, with which message size, for how long.
 *
 * @param scenario      what the two JVMs do
 * @param size          bytes per message (at least 8: the header)
 * @param durationNanos how long the initiator sends (after {@code warmupNanos})
 * @param warmupNanos   a first stretch whose figures are dropped (JIT warm-up)
 * @param rate          messages per second for {@link Scenario#ONE_WAY}
 * @param producers     producer processes for {@link Scenario#MANY_TO_ONE}
 */
public record Step(Scenario scenario, int size, long durationNanos, long warmupNanos, int rate, int producers)
        implements Serializable {

    /** What the initiator and the responder do in a step. */
    public enum Scenario {
        /** Initiator sends, responder echoes; the initiator records each round trip. */
        PING_PONG,
        /** Initiator sends at a fixed rate, stamping each message with its intended send time; the responder records the delay from it. */
        ONE_WAY,
        /** Initiator sends as fast as it can; the responder counts. */
        THROUGHPUT,
        /** Several producer processes send as fast as they can to one responder. */
        MANY_TO_ONE,
        /** Round trips whose figures are dropped: fresh JVMs compile the hot paths first. */
        WARM_UP,
        /** Flat-out sending whose count is dropped: compiles the streaming paths before they are measured. */
        WARM_UP_FLAT_OUT;

        /** Whether the step only prepares the JVMs and yields no figures. */
        public boolean isWarmUp() {
            return this == WARM_UP || this == WARM_UP_FLAT_OUT;
        }
    }

    /** The same step with another message size. */
    public Step withSize(int newSize) {
        return new Step(scenario, newSize, durationNanos, warmupNanos, rate, producers);
    }

    @Override
    public String toString() {
        return switch (scenario) {
            case PING_PONG -> "round trip, " + size + " B";
            case ONE_WAY -> "one-way at " + rate + "/s, " + size + " B";
            case THROUGHPUT -> "throughput 1->1, " + size + " B";
            case MANY_TO_ONE -> "throughput " + producers + "->1, " + size + " B";
            case WARM_UP -> "warm-up, " + size + " B";
            case WARM_UP_FLAT_OUT -> "warm-up flat out, " + size + " B";
        };
    }
}
