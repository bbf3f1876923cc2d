package io.resilientconnector.internal.reconnect;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Lets one event through per period and counts the rest, so a reconnect loop against a dead server logs a
 * warning every half minute rather than on every attempt.
 */
public final class RateLimiter {

    private final long periodNanos;
    private final LongSupplier nanoTime;
    private final AtomicLong nextAllowed;
    private final AtomicLong suppressed = new AtomicLong();

    public RateLimiter(long period, TimeUnit unit) {
        this(period, unit, System::nanoTime);
    }

    public RateLimiter(long period, TimeUnit unit, LongSupplier nanoTime) {
        this.periodNanos = unit.toNanos(period);
        this.nanoTime = nanoTime;
        this.nextAllowed = new AtomicLong(nanoTime.getAsLong());
    }

    /**
     * Returns -1 if this event is suppressed, else the number of events suppressed since the last one let
     * through.
     */
    public long tryAcquire() {
        long now = nanoTime.getAsLong();
        long next = nextAllowed.get();
        if (now - next >= 0 && nextAllowed.compareAndSet(next, now + periodNanos)) {
            return suppressed.getAndSet(0);
        }
        suppressed.incrementAndGet();
        return -1;
    }
}
