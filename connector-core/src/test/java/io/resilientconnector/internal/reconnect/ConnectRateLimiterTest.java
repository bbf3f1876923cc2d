package io.resilientconnector.internal.reconnect;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shared connect-rate limit delays attempts, never refuses them, lets a burst through after a quiet spell, and
 * takes back the places of turns that leave.
 */
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

    @Test
    void aFreshTurnDoesNotWaitBehindThirtyTurnsThatLeft() {
        ConnectRateLimiter limiter = new ConnectRateLimiter(10, 1);
        List<ConnectRateLimiter.Turn> departed = new ArrayList<>();
        long t = SECOND;
        for (int i = 0; i < 30; i++) {
            ConnectRateLimiter.Turn turn = new ConnectRateLimiter.Turn();
            limiter.waitNanos(turn, t);
            departed.add(turn);
        }
        ConnectRateLimiter.Turn probe = new ConnectRateLimiter.Turn();
        assertThat(limiter.waitNanos(probe, t)).as("control: a turn behind the 30 waits 3 s").isEqualTo(30 * SECOND / 10);
        departed.add(probe);
        departed.forEach(limiter::leave);
        assertThat(limiter.waiting()).as("the queue holds only the turns still waiting").isZero();
        // The first of the 30 started at t; a fresh turn 50 ms later waits for the rest of its interval, no more.
        assertThat(limiter.waitNanos(new ConnectRateLimiter.Turn(), t + SECOND / 20)).isEqualTo(SECOND / 20);
    }

    @Test
    void aTurnThatLeavesFromTheMiddleMovesTheLaterOnesUpByOneInterval() {
        ConnectRateLimiter limiter = new ConnectRateLimiter(10, 1);
        long t = SECOND;
        List<ConnectRateLimiter.Turn> turns = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ConnectRateLimiter.Turn turn = new ConnectRateLimiter.Turn();
            assertThat(limiter.waitNanos(turn, t)).isEqualTo(i * SECOND / 10);
            turns.add(turn);
        }
        limiter.leave(turns.get(2));
        long now = t + SECOND / 100;
        assertThat(limiter.waitNanos(turns.get(1), now)).as("ahead of the one that left").isEqualTo(SECOND / 10 - SECOND / 100);
        for (int i = 3; i < 6; i++) {
            assertThat(limiter.waitNanos(turns.get(i), now)).as("turn %d moves up", i)
                    .isEqualTo((i - 1) * SECOND / 10 - SECOND / 100);
        }
        assertThat(limiter.waitNanos(new ConnectRateLimiter.Turn(), now)).as("a fresh turn queues behind the live ones")
                .isEqualTo(5 * SECOND / 10 - SECOND / 100);
    }

    @Test
    void leavingTwiceOrLeavingATurnThatNeverQueuedIsHarmless() {
        ConnectRateLimiter limiter = new ConnectRateLimiter(10, 1);
        ConnectRateLimiter other = new ConnectRateLimiter(10, 1);
        long t = SECOND;
        ConnectRateLimiter.Turn first = new ConnectRateLimiter.Turn();
        ConnectRateLimiter.Turn second = new ConnectRateLimiter.Turn();
        ConnectRateLimiter.Turn third = new ConnectRateLimiter.Turn();
        limiter.waitNanos(first, t);
        limiter.waitNanos(second, t);
        limiter.waitNanos(third, t);
        limiter.leave(new ConnectRateLimiter.Turn());
        other.leave(second);
        limiter.leave(first);
        limiter.leave(first);
        assertThat(limiter.waitNanos(third, t)).as("first had started: leaving gives nothing back").isEqualTo(2 * SECOND / 10);
        limiter.leave(second);
        limiter.leave(second);
        assertThat(limiter.waitNanos(third, t)).as("one place back, once").isEqualTo(SECOND / 10);
        assertThat(limiter.waiting()).isEqualTo(1);
    }

    @Test
    void aTurnThatLeftAndAsksAgainQueuesAtTheBack() {
        ConnectRateLimiter limiter = new ConnectRateLimiter(10, 1);
        long t = SECOND;
        ConnectRateLimiter.Turn a = new ConnectRateLimiter.Turn();
        ConnectRateLimiter.Turn b = new ConnectRateLimiter.Turn();
        ConnectRateLimiter.Turn c = new ConnectRateLimiter.Turn();
        limiter.waitNanos(a, t);
        limiter.waitNanos(b, t);
        limiter.waitNanos(c, t);
        limiter.leave(b);
        assertThat(limiter.waitNanos(b, t)).isEqualTo(2 * SECOND / 10);
        assertThat(limiter.waitNanos(c, t)).isEqualTo(SECOND / 10);
    }

    @Test
    void theTurnsLeftWaitingHoldThePlacesTheyWouldHaveHadAlone() {
        // Many turns join and leave in a random order, which renumbers the queue as it grows and shrinks; the
        // survivors must keep their order and sit one interval apart, as if the others had never asked.
        Random random = new Random(42);
        long interval = SECOND / 1000;
        for (int round = 0; round < 20; round++) {
            ConnectRateLimiter limiter = new ConnectRateLimiter(1000, 3);
            long t = SECOND;
            List<ConnectRateLimiter.Turn> turns = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                ConnectRateLimiter.Turn turn = new ConnectRateLimiter.Turn();
                long wait = limiter.waitNanos(turn, t);
                if (wait > 0) {
                    turns.add(turn);
                }
            }
            assertThat(turns).as("all but the burst of 3 wait").hasSize(497);
            List<ConnectRateLimiter.Turn> leaving = new ArrayList<>(turns);
            Collections.shuffle(leaving, random);
            int stay = random.nextInt(40);
            List<ConnectRateLimiter.Turn> gone = leaving.subList(0, leaving.size() - stay);
            gone.forEach(limiter::leave);
            turns.removeAll(gone);
            assertThat(limiter.waiting()).isEqualTo(stay);
            for (int k = 0; k < turns.size(); k++) {
                // Behind the burst of 3 that started at t, one interval apart.
                assertThat(limiter.waitNanos(turns.get(k), t)).as("round %d, survivor %d", round, k)
                        .isEqualTo((k + 1) * interval);
            }
        }
    }

    @Test
    void aTurnThatLeavesHoldingAStartSlotGivesItBack() {
        ConnectRateLimiter limiter = new ConnectRateLimiter(10, 1);
        long t = SECOND;
        List<ConnectRateLimiter.Turn> turns = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ConnectRateLimiter.Turn turn = new ConnectRateLimiter.Turn();
            limiter.waitNanos(turn, t);
            turns.add(turn);
        }
        // The event loop was busy for 2 s: every place has come, and the late turns take start slots 100 ms apart.
        long late = t + 2 * SECOND;
        List<ConnectRateLimiter.Turn> holding = new ArrayList<>();
        for (ConnectRateLimiter.Turn turn : turns.subList(1, 10)) {
            if (limiter.waitNanos(turn, late) > 0) {
                holding.add(turn);
            }
        }
        assertThat(holding).as("two start at once, the others hold slots").hasSize(7);
        ConnectRateLimiter.Turn probe = new ConnectRateLimiter.Turn();
        assertThat(limiter.waitNanos(probe, late)).as("control: behind the slots").isEqualTo(8 * SECOND / 10);
        holding.add(probe);
        holding.forEach(limiter::leave);
        // As if they had never asked: its place comes one interval after the probe's, and it starts then.
        ConnectRateLimiter.Turn fresh = new ConnectRateLimiter.Turn();
        assertThat(limiter.waitNanos(fresh, late)).isEqualTo(SECOND / 10);
        assertThat(limiter.waitNanos(fresh, late + SECOND / 10)).isZero();
    }
}
