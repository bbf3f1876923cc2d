package io.resilientconnector.backoff;

import io.resilientconnector.internal.Checks;
import io.resilientconnector.internal.Durations;

import java.time.Duration;
import java.util.Objects;
import java.util.Random;

/**
 * Exponential backoff with jitter: an immutable description of the delay before each reconnect attempt.
 * It only computes delays; {@link BackoffState} counts attempts and something else schedules them.
 */
public final class Backoff {

    /** Defaults to 1 second. */
    public static final Duration DEFAULT_INITIAL = Duration.ofSeconds(1);
    /** Defaults to 2. */
    public static final double DEFAULT_MULTIPLIER = 2.0;
    /** Defaults to 30 seconds. */
    public static final Duration DEFAULT_MAX = Duration.ofSeconds(30);
    /** Defaults to {@link Jitter#PHASED}: a flat reconnect storm. */
    public static final Jitter DEFAULT_JITTER = Jitter.PHASED;

    /** The longest delay either bound may be set to. */
    public static final Duration MAX_DELAY = Duration.ofDays(1);

    private static final Backoff DEFAULTS = builder().build();

    private final Duration initial;
    private final double multiplier;
    private final Duration max;
    private final Jitter jitter;

    private Backoff(Builder b) {
        this.initial = b.initial;
        this.multiplier = b.multiplier;
        this.max = b.max;
        this.jitter = b.jitter;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static Backoff defaults() {
        return DEFAULTS;
    }

    public Builder toBuilder() {
        return new Builder().initial(initial).multiplier(multiplier).max(max).jitter(jitter);
    }

    public Duration initial() {
        return initial;
    }

    public double multiplier() {
        return multiplier;
    }

    public Duration max() {
        return max;
    }

    public Jitter jitter() {
        return jitter;
    }

    /**
     * The delay before attempt number {@code attempt} (1 for the first retry).
     *
     * @param previous the delay this method returned for the previous attempt, used only by
     *                 {@link Jitter#DECORRELATED}; {@code null} or zero for the first attempt
     * @param random   the source of jitter; seed it for a reproducible sequence
     */
    public Duration delay(int attempt, Duration previous, Random random) {
        Checks.inRange(attempt, 1, Integer.MAX_VALUE, "attempt");
        Objects.requireNonNull(random, "random");
        long initialNanos = initial.toNanos();
        long capNanos = max.toNanos();
        long nanos;
        switch (jitter) {
            case NONE:
                nanos = exponential(attempt, initialNanos, capNanos);
                break;
            case FULL:
                nanos = between(random, 0, exponential(attempt, initialNanos, capNanos));
                break;
            case EQUAL: {
                long exp = exponential(attempt, initialNanos, capNanos);
                nanos = exp / 2 + between(random, 0, exp - exp / 2);
                break;
            }
            case PHASED: {
                long exp = exponential(attempt, initialNanos, capNanos);
                if (exp < capNanos) {
                    nanos = between(random, 0, exp);
                } else if (attempt == 1 || exponential(attempt - 1, initialNanos, capNanos) < capNanos) {
                    // The first wait at the cap: the phase, drawn once.
                    nanos = between(random, 0, capNanos);
                } else {
                    nanos = capNanos;
                }
                break;
            }
            case DECORRELATED: {
                long prev = previous == null || previous.isZero() ? initialNanos : previous.toNanos();
                // prev × 3 cannot overflow: prev is at most the cap, which is at most a day.
                nanos = Math.min(capNanos, between(random, initialNanos, Math.max(initialNanos, prev * 3)));
                break;
            }
            default:
                throw new AssertionError(jitter);
        }
        return Duration.ofNanos(nanos);
    }

    /** {@code min(cap, initial × multiplier^(attempt-1))}, computed in floating point so it cannot overflow. */
    private long exponential(int attempt, long initialNanos, long capNanos) {
        double exp = initialNanos * Math.pow(multiplier, attempt - 1.0);
        return exp >= capNanos ? capNanos : (long) exp;
    }

    /** A uniformly random value in {@code [low, high)}, or {@code low} when the range is empty. */
    private static long between(Random random, long low, long high) {
        // Both bounds are at most a day in nanoseconds, so the width fits a double's 53-bit mantissa.
        return high <= low ? low : low + (long) (random.nextDouble() * (high - low));
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Backoff)) {
            return false;
        }
        Backoff that = (Backoff) o;
        return Double.compare(multiplier, that.multiplier) == 0 && initial.equals(that.initial)
                && max.equals(that.max) && jitter == that.jitter;
    }

    @Override
    public int hashCode() {
        return Objects.hash(initial, multiplier, max, jitter);
    }

    @Override
    public String toString() {
        return "Backoff{initial=" + Durations.format(initial) + ", multiplier=" + multiplier
                + ", max=" + Durations.format(max) + ", jitter=" + jitter + '}';
    }

    public static final class Builder {
        private Duration initial = DEFAULT_INITIAL;
        private double multiplier = DEFAULT_MULTIPLIER;
        private Duration max = DEFAULT_MAX;
        private Jitter jitter = DEFAULT_JITTER;

        private Builder() {
        }

        /** The delay before the first retry, before jitter. Defaults to {@link #DEFAULT_INITIAL}. */
        public Builder initial(Duration initial) {
            this.initial = Checks.positive(initial, MAX_DELAY, "backoff.initial");
            return this;
        }

        /** How much each delay grows over the previous one. Defaults to {@link #DEFAULT_MULTIPLIER}. */
        public Builder multiplier(double multiplier) {
            this.multiplier = Checks.atLeast(multiplier, 1.0, "backoff.multiplier");
            return this;
        }

        /** The longest delay. Defaults to {@link #DEFAULT_MAX}. */
        public Builder max(Duration max) {
            this.max = Checks.positive(max, MAX_DELAY, "backoff.max");
            return this;
        }

        /** Defaults to {@link #DEFAULT_JITTER}. */
        public Builder jitter(Jitter jitter) {
            this.jitter = Checks.notNull(jitter, "backoff.jitter");
            return this;
        }

        /** @throws IllegalStateException if the initial delay is longer than the maximum */
        public Backoff build() {
            Checks.state(initial.compareTo(max) <= 0, "backoff.initial: " + Durations.format(initial)
                    + " is longer than backoff.max: " + Durations.format(max) + " (expected: initial <= max)");
            return new Backoff(this);
        }
    }
}
