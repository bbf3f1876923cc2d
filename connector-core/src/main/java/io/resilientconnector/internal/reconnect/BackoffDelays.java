package io.resilientconnector.internal.reconnect;

import io.resilientconnector.Jitter;
import io.resilientconnector.ReconnectPolicy;
import io.resilientconnector.util.Checks;

import java.time.Duration;
import java.util.Objects;
import java.util.Random;

/**
 * Exponential backoff with jitter: the delay before each reconnect attempt, computed from a
 * {@link ReconnectPolicy}. It only computes delays; {@link BackoffState} counts attempts and something else
 * schedules them.
 */
public final class BackoffDelays {

    private BackoffDelays() {
    }

    /**
     * The delay before attempt number {@code attempt} (1 for the first retry).
     *
     * @param previous the delay this method returned for the previous attempt, used only by
     *                 {@link Jitter#DECORRELATED}; {@code null} or zero for the first attempt
     * @param random   the source of jitter; seed it for a reproducible sequence
     */
    public static Duration delay(ReconnectPolicy policy, int attempt, Duration previous, Random random) {
        Checks.inRange(attempt, 1, Integer.MAX_VALUE, "attempt");
        Objects.requireNonNull(random, "random");
        double multiplier = policy.multiplier();
        long initialNanos = policy.initialDelay().toNanos();
        long capNanos = policy.maxDelay().toNanos();
        Jitter jitter = policy.jitter();
        long nanos;
        switch (jitter) {
            case NONE:
                nanos = exponential(attempt, multiplier, initialNanos, capNanos);
                break;
            case FULL:
                nanos = between(random, 0, exponential(attempt, multiplier, initialNanos, capNanos));
                break;
            case EQUAL: {
                long exp = exponential(attempt, multiplier, initialNanos, capNanos);
                nanos = exp / 2 + between(random, 0, exp - exp / 2);
                break;
            }
            case PHASED: {
                long exp = exponential(attempt, multiplier, initialNanos, capNanos);
                if (exp < capNanos) {
                    nanos = between(random, 0, exp);
                } else if (attempt == 1 || exponential(attempt - 1, multiplier, initialNanos, capNanos) < capNanos) {
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
    private static long exponential(int attempt, double multiplier, long initialNanos, long capNanos) {
        double exp = initialNanos * Math.pow(multiplier, attempt - 1.0);
        return exp >= capNanos ? capNanos : (long) exp;
    }

    /** A uniformly random value in {@code [low, high)}, or {@code low} when the range is empty. */
    private static long between(Random random, long low, long high) {
        // Both bounds are at most a day in nanoseconds, so the width fits a double's 53-bit mantissa.
        return high <= low ? low : low + (long) (random.nextDouble() * (high - low));
    }
}
