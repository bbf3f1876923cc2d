package io.resilientconnector.util;

import java.time.Duration;

/**
 * Formats durations in the same units the command line accepts: {@code 500ms}, {@code 15s}, {@code 2m},
 * {@code 1h}. The largest unit that represents the value exactly is used.
 */
public final class Durations {

    private Durations() {
    }

    public static String format(Duration d) {
        if (d == null) {
            return "null";
        }
        if (d.isNegative()) {
            return "-" + format(d.negated());
        }
        if (d.getNano() % 1_000_000 != 0) {
            return d.getSeconds() < 9_000_000_000L ? d.toNanos() + "ns" : d.toString();
        }
        long seconds = d.getSeconds();
        if (d.getNano() != 0 || seconds == 0) {
            return seconds < 9_000_000_000_000L ? d.toMillis() + "ms" : d.toString();
        }
        if (seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        return seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
    }

    /**
     * A short reading for a person, rounded: {@code 850ms} below a second, then seconds with at most one
     * decimal, such as {@code 1.2s} or {@code 30s}. For log lines about measured or jittered delays, where
     * {@link #format} would print nanoseconds.
     */
    public static String approx(Duration d) {
        long millis = d.toMillis();
        if (millis < 1000) {
            return millis + "ms";
        }
        long tenths = (millis + 50) / 100;
        return tenths % 10 == 0 ? tenths / 10 + "s" : tenths / 10 + "." + tenths % 10 + "s";
    }

    /**
     * A short reading for a person: {@code 45us} below a millisecond (loopback round trips), {@code 12.5ms}
     * below 100 ms, then {@code 850ms}, then seconds with at most one decimal, such as {@code 1.2s}.
     */
    public static String fine(Duration d) {
        long micros = d.toNanos() / 1000;
        if (micros < 1000) {
            return micros + "us";
        }
        if (micros < 100_000) {
            long tenths = (micros + 50) / 100;
            return tenths / 10 + "." + tenths % 10 + "ms";
        }
        return approx(d);
    }
}
