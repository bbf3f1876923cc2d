package io.resilientconnector.internal.reconnect;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The rate limiter on a clock the test moves by hand. */
class RateLimiterTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final RateLimiter limiter = new RateLimiter(30, TimeUnit.SECONDS, now::get);

    private void advanceSeconds(long seconds) {
        now.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
    }

    @Test
    void letsTheFirstEventThroughWithNothingSuppressed() {
        assertThat(limiter.tryAcquire()).isZero();
    }

    @Test
    void suppressesEventsWithinThePeriod() {
        limiter.tryAcquire();
        assertThat(limiter.tryAcquire()).isEqualTo(-1);
        advanceSeconds(29);
        assertThat(limiter.tryAcquire()).isEqualTo(-1);
    }

    @Test
    void letsOneThroughOnceThePeriodHasPassedAndReportsHowManyWereSuppressed() {
        limiter.tryAcquire();
        limiter.tryAcquire();
        limiter.tryAcquire();
        limiter.tryAcquire();
        advanceSeconds(30);
        assertThat(limiter.tryAcquire()).isEqualTo(3);
        assertThat(limiter.tryAcquire()).as("the count starts over").isEqualTo(-1);
        advanceSeconds(30);
        assertThat(limiter.tryAcquire()).isEqualTo(1);
    }

    @Test
    void countsThePeriodFromTheEventLetThroughNotFromTheLastSuppressedOne() {
        limiter.tryAcquire();
        advanceSeconds(20);
        limiter.tryAcquire();
        advanceSeconds(10);
        assertThat(limiter.tryAcquire()).isEqualTo(1);
    }

    @Test
    void aLongSilenceLetsOnlyOneEventThrough() {
        limiter.tryAcquire();
        advanceSeconds(3600);
        assertThat(limiter.tryAcquire()).isZero();
        assertThat(limiter.tryAcquire()).isEqualTo(-1);
    }

    @Test
    void survivesTheNanoClockWrappingPastLongMaxValue() {
        // System.nanoTime may start anywhere, so the limiter compares differences, not values.
        now.set(Long.MAX_VALUE - TimeUnit.SECONDS.toNanos(10));
        RateLimiter wrapping = new RateLimiter(30, TimeUnit.SECONDS, now::get);
        assertThat(wrapping.tryAcquire()).isZero();
        advanceSeconds(20);
        assertThat(wrapping.tryAcquire()).isEqualTo(-1);
        advanceSeconds(10);
        assertThat(wrapping.tryAcquire()).isEqualTo(1);
    }
}
