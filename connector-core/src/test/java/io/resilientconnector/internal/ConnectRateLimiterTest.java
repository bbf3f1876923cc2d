package io.resilientconnector.internal;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The shared connect-rate limit delays attempts, never refuses them, and lets a burst through after a quiet spell. */
class ConnectRateLimiterTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void spacesAttemptsAtTheRate() {
        ConnectRateLimiter limiter = new ConnectRateLimiter(10, 1);
        long t = 5 * SECOND;
        for (int i = 0; i < 20; i++) {
            assertThat(limiter.reserve(t)).isEqualTo(t + i * SECOND / 10);
        }
    }

    @Test
    void letsABurstThroughAtOnceThenSpacesTheRest() {
        ConnectRateLimiter limiter = new ConnectRateLimiter(100, 5);
        long t = SECOND;
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.reserve(t)).as("attempt %d of the burst", i).isEqualTo(t);
        }
        assertThat(limiter.reserve(t)).isEqualTo(t + SECOND / 100);
        assertThat(limiter.reserve(t)).isEqualTo(t + 2 * SECOND / 100);
    }

    @Test
    void aQuietSpellRefillsTheBucket() {
        ConnectRateLimiter limiter = new ConnectRateLimiter(10, 2);
        limiter.reserve(0);
        limiter.reserve(0);
        assertThat(limiter.reserve(0)).isEqualTo(SECOND / 10);
        long later = 10 * SECOND;
        assertThat(limiter.reserve(later)).isEqualTo(later);
        assertThat(limiter.reserve(later)).isEqualTo(later);
        assertThat(limiter.reserve(later)).isEqualTo(later + SECOND / 10);
    }

    @Test
    void neverLetsMoreThanRateTimesWindowPlusBurstIntoAnyWindow() {
        ConnectRateLimiter limiter = new ConnectRateLimiter(50, 3);
        long[] slots = new long[1000];
        for (int i = 0; i < slots.length; i++) {
            // Requests arrive faster than the rate, from many connectors at scattered times.
            slots[i] = limiter.reserve(i * SECOND / 400);
        }
        for (int i = 0; i < slots.length; i++) {
            int inWindow = 0;
            for (int j = i; j < slots.length && slots[j] < slots[i] + SECOND; j++) {
                inWindow++;
            }
            assertThat(inWindow).isLessThanOrEqualTo(50 + 3);
        }
    }
}
