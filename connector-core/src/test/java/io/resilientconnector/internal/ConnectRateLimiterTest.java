package io.resilientconnector.internal;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
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

    @Test
    void anAttemptWhosePlaceHasComeStartsAtOnce() {
        ConnectRateLimiter limiter = new ConnectRateLimiter(10, 1);
        ConnectRateLimiter.Turn first = new ConnectRateLimiter.Turn();
        ConnectRateLimiter.Turn second = new ConnectRateLimiter.Turn();
        assertThat(limiter.waitNanos(first, SECOND)).isZero();
        assertThat(limiter.waitNanos(second, SECOND)).isEqualTo(SECOND / 10);
        // On time for its place: no second wait.
        assertThat(limiter.waitNanos(second, SECOND + SECOND / 10)).isZero();
    }

    @Test
    void attemptsHeldUpByABusyEventLoopAreSpacedAgainNotStartedTogether() {
        ConnectRateLimiter limiter = new ConnectRateLimiter(1000, 1);
        long interval = SECOND / 1000;
        List<ConnectRateLimiter.Turn> turns = new ArrayList<>();
        List<Long> starts = new ArrayList<>();
        long t = SECOND;
        assertThat(limiter.waitNanos(new ConnectRateLimiter.Turn(), t)).as("the first starts at once").isZero();
        starts.add(t);
        for (int i = 1; i < 300; i++) {
            ConnectRateLimiter.Turn turn = new ConnectRateLimiter.Turn();
            turns.add(turn);
            assertThat(limiter.waitNanos(turn, t)).isEqualTo(i * interval);
        }
        // The loop was busy for 200 ms: the first 200 places have passed when it runs them, all at once.
        long late = t + 200 * interval;
        for (ConnectRateLimiter.Turn turn : turns) {
            long now = late;
            long wait;
            while ((wait = limiter.waitNanos(turn, now)) > 0) {
                now += wait;
            }
            starts.add(now);
        }
        java.util.Collections.sort(starts);
        for (int i = 0; i < starts.size(); i++) {
            int inWindow = 0;
            for (int j = i; j < starts.size() && starts.get(j) < starts.get(i) + 100 * interval; j++) {
                inWindow++;
            }
            // 100 in any 100 ms at 1000 a second, plus the burst (1) and the start step's one interval.
            assertThat(inWindow).as("starts in 100 ms from the %dth", i).isLessThanOrEqualTo(100 + 2);
        }
        assertThat(starts.get(starts.size() - 1)).as("the last still starts about when its place came")
                .isLessThanOrEqualTo(late + 300 * interval);
    }

    @Test
    void aSlotMissedByMoreThanTheToleranceIsTakenAnew() {
        ConnectRateLimiter limiter = new ConnectRateLimiter(10, 1);
        ConnectRateLimiter.Turn a = new ConnectRateLimiter.Turn();
        ConnectRateLimiter.Turn b = new ConnectRateLimiter.Turn();
        ConnectRateLimiter.Turn c = new ConnectRateLimiter.Turn();
        ConnectRateLimiter.Turn d = new ConnectRateLimiter.Turn();
        ConnectRateLimiter.Turn e = new ConnectRateLimiter.Turn();
        long t = SECOND;
        for (ConnectRateLimiter.Turn turn : List.of(a, b, c, d, e)) {
            limiter.waitNanos(turn, t);
        }
        // All three run late together, at t + 1 s: one starts, the next has a start slot 100 ms on.
        long late = t + SECOND;
        assertThat(limiter.waitNanos(a, late)).isZero();
        assertThat(limiter.waitNanos(b, late)).isZero();
        long waitC = limiter.waitNanos(c, late);
        assertThat(waitC).isEqualTo(SECOND / 10);
        // c runs later still than its slot allows: it takes another, which counts as a start now. Of d and e, whose
        // places have long come, d starts too (the one interval's tolerance), and e waits an interval; had c
        // started on its stale slot, both would start at once.
        long later = late + SECOND;
        assertThat(limiter.waitNanos(c, later)).isZero();
        assertThat(limiter.waitNanos(d, later)).isZero();
        assertThat(limiter.waitNanos(e, later)).isEqualTo(SECOND / 10);
    }

    @Test
    void aWaitCutShortKeepsItsPlaceInTheQueue() {
        ConnectRateLimiter limiter = new ConnectRateLimiter(10, 1);
        ConnectRateLimiter.Turn first = new ConnectRateLimiter.Turn();
        ConnectRateLimiter.Turn second = new ConnectRateLimiter.Turn();
        limiter.waitNanos(first, SECOND);
        assertThat(limiter.waitNanos(second, SECOND)).isEqualTo(SECOND / 10);
        // Called again 40 ms into its wait: it waits the rest, no less.
        assertThat(limiter.waitNanos(second, SECOND + SECOND / 25)).isEqualTo(SECOND / 10 - SECOND / 25);
    }
}
