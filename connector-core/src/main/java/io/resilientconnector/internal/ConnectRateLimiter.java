package io.resilientconnector.internal;

/**
 * A limit on connection attempts per second, shared by every connector of one resources object: a token
 * bucket of {@code burst} tokens refilled at {@code rate} a second, kept as the generic cell rate algorithm
 * (one "theoretical arrival time"), so an attempt learns at once when it may run instead of polling.
 *
 * <p>Attempts are never refused, only delayed: {@link #reserve} returns the earliest time the attempt may
 * start, and takes that slot. N connectors therefore cannot exceed the rate, whatever N is. Thread-safe.
 */
public final class ConnectRateLimiter {

    private final long intervalNanos;
    private final long toleranceNanos;
    private boolean used;
    private long theoreticalArrival;

    /**
     * @param perSecond attempts a second, &gt; 0
     * @param burst     attempts that may start at once after a quiet period, &gt;= 1
     */
    public ConnectRateLimiter(double perSecond, int burst) {
        this.intervalNanos = Math.max(1, (long) (1e9 / perSecond));
        this.toleranceNanos = intervalNanos * (burst - 1L);
    }

    /** Takes the first slot at or after {@code atNanos} and returns its time. */
    public synchronized long reserve(long atNanos) {
        long allowed = used ? Math.max(atNanos, theoreticalArrival - toleranceNanos) : atNanos;
        theoreticalArrival = (used ? Math.max(allowed, theoreticalArrival) : allowed) + intervalNanos;
        used = true;
        return allowed;
    }
}
