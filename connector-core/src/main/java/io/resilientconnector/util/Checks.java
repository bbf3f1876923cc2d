package io.resilientconnector.util;

import io.resilientconnector.InvalidOptionException;

import java.time.Duration;
import java.util.Objects;

/**
 * The one validation helper every builder uses, so that every message has the same shape:
 * {@code name: value (expected: range)}. A bad value throws {@link InvalidOptionException}, which carries the
 * three parts; {@link InvalidOptionException} depends on nothing here, so no class cycle forms.
 */
public final class Checks {

    private Checks() {
    }

    public static <T> T notNull(T value, String name) {
        return Objects.requireNonNull(value, name);
    }

    public static int inRange(int value, int min, int max, String name) {
        if (value < min || value > max) {
            throw new InvalidOptionException(name, String.valueOf(value), min + ".." + max);
        }
        return value;
    }

    public static long inRange(long value, long min, long max, String name) {
        if (value < min || value > max) {
            throw new InvalidOptionException(name, String.valueOf(value), min + ".." + max);
        }
        return value;
    }

    public static double atLeast(double value, double min, String name) {
        if (!(value >= min) || Double.isInfinite(value)) {
            throw new InvalidOptionException(name, String.valueOf(value), ">= " + min + ", finite");
        }
        return value;
    }

    /** A positive duration no longer than {@code max}. */
    public static Duration positive(Duration value, Duration max, String name) {
        notNull(value, name);
        if (value.isNegative() || value.isZero() || value.compareTo(max) > 0) {
            throw new InvalidOptionException(name, Durations.format(value), "> 0 and <= " + Durations.format(max));
        }
        return value;
    }

    /** Zero (which disables the feature) or a positive duration no longer than {@code max}. */
    public static Duration zeroOrPositive(Duration value, Duration max, String name) {
        notNull(value, name);
        if (value.isNegative() || value.compareTo(max) > 0) {
            throw new InvalidOptionException(name, Durations.format(value),
                    "0 to disable, or > 0 and <= " + Durations.format(max));
        }
        return value;
    }

    /**
     * A duration the kernel counts in whole seconds. Sub-second parts are rejected rather than rounded, so
     * that the bound a user configures is the bound the kernel enforces.
     */
    public static int wholeSeconds(Duration value, int min, int max, String name) {
        notNull(value, name);
        if (value.getNano() != 0 || value.getSeconds() < min || value.getSeconds() > max) {
            throw new InvalidOptionException(name, Durations.format(value), "whole seconds in " + min + ".." + max);
        }
        return (int) value.getSeconds();
    }

    /** A duration the kernel counts in whole milliseconds, up to {@code Integer.MAX_VALUE} ms. */
    public static Duration wholeMillis(Duration value, String name) {
        notNull(value, name);
        if (value.isNegative() || value.getNano() % 1_000_000 != 0
                || value.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0) {
            throw new InvalidOptionException(name, Durations.format(value),
                    "0 to disable, or whole milliseconds in 1.." + Integer.MAX_VALUE + " ms");
        }
        return value;
    }

    /** A bad value whose check does not fit the helpers above. */
    public static InvalidOptionException invalid(String name, String value, String expected) {
        return new InvalidOptionException(name, value, expected);
    }

    public static void state(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }
}
