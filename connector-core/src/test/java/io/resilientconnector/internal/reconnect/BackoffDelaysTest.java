package io.resilientconnector.internal.reconnect;

import io.resilientconnector.Jitter;
import io.resilientconnector.ReconnectPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackoffDelaysTest {

    private static final Duration INITIAL = Duration.ofMillis(100);
    private static final Duration MAX = Duration.ofSeconds(10);

    private static ReconnectPolicy backoff(Jitter jitter) {
        return ReconnectPolicy.builder().initialDelay(INITIAL).multiplier(2).maxDelay(MAX).jitter(jitter).build();
    }

    private static List<Duration> sequence(ReconnectPolicy b, int attempts, long seed) {
        Random random = new Random(seed);
        List<Duration> out = new ArrayList<>();
        Duration previous = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            previous = BackoffDelays.delay(b, attempt, previous, random);
            out.add(previous);
        }
        return out;
    }

    @Test
    void noJitterDoublesUpToTheCap() {
        assertThat(sequence(backoff(Jitter.NONE), 9, 1)).containsExactly(
                Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800),
                Duration.ofMillis(1600), Duration.ofMillis(3200), Duration.ofMillis(6400), MAX, MAX);
    }

    @Test
    void fullJitterStaysBetweenZeroAndTheExponentialDelay() {
        List<Duration> delays = sequence(backoff(Jitter.FULL), 200, 42);
        for (int i = 0; i < delays.size(); i++) {
            long exp = Math.min(MAX.toNanos(), (long) (INITIAL.toNanos() * Math.pow(2, i)));
            assertThat(delays.get(i).toNanos()).isBetween(0L, exp);
        }
        // Jitter spreads: the capped attempts are not all equal.
        assertThat(delays.subList(10, 200).stream().distinct().count()).isGreaterThan(150);
    }

    @Test
    void phasedJitterWaitsARandomPhaseOnceAtTheCapThenExactlyTheCap() {
        // 100 ms doubling reaches the 10 s cap at attempt 8 (12.8 s > 10 s).
        List<Duration> delays = sequence(backoff(Jitter.PHASED), 30, 3);
        for (int i = 0; i < 7; i++) {
            long exp = (long) (INITIAL.toNanos() * Math.pow(2, i));
            assertThat(delays.get(i).toNanos()).as("attempt %d, below the cap: full jitter", i + 1).isBetween(0L, exp);
        }
        assertThat(delays.get(7)).as("the phase, drawn once").isBetween(Duration.ZERO, MAX);
        assertThat(delays.subList(8, 30)).as("then exactly the cap").containsOnly(MAX);
    }

    @Test
    void phasedJitterSpreadsManyClientsEvenlyOverTheCap() {
        // Where each of 10,000 clients retries, modulo the cap, once they are all waiting at the cap: a flat
        // spread gives every tenth of the cap about a tenth of the clients.
        int[] buckets = new int[10];
        Random seeds = new Random(11);
        for (int client = 0; client < 10_000; client++) {
            long at = 0;
            for (Duration d : sequence(backoff(Jitter.PHASED), 12, seeds.nextLong())) {
                at += d.toNanos();
            }
            buckets[(int) (at % MAX.toNanos() * 10 / MAX.toNanos())]++;
        }
        for (int count : buckets) {
            assertThat(count).isBetween(900, 1100);
        }
    }

    @Test
    void phasedJitterWithTheInitialDelayAtTheCapStartsWithThePhase() {
        ReconnectPolicy b = ReconnectPolicy.builder().initialDelay(MAX).maxDelay(MAX).jitter(Jitter.PHASED).build();
        List<Duration> delays = sequence(b, 5, 9);
        assertThat(delays.get(0)).isBetween(Duration.ZERO, MAX).isNotEqualTo(MAX);
        assertThat(delays.subList(1, 5)).containsOnly(MAX);
    }

    @Test
    void equalJitterStaysBetweenHalfAndAllOfTheExponentialDelay() {
        List<Duration> delays = sequence(backoff(Jitter.EQUAL), 200, 7);
        for (int i = 0; i < delays.size(); i++) {
            long exp = Math.min(MAX.toNanos(), (long) (INITIAL.toNanos() * Math.pow(2, i)));
            assertThat(delays.get(i).toNanos()).isBetween(exp / 2, exp);
        }
    }

    @Test
    void decorrelatedJitterGrowsFromThePreviousDelayWithinInitialAndCap() {
        List<Duration> delays = sequence(backoff(Jitter.DECORRELATED), 200, 3);
        Duration previous = INITIAL;
        for (Duration d : delays) {
            assertThat(d).isBetween(INITIAL, MAX);
            assertThat(d.toNanos()).isLessThanOrEqualTo(Math.max(INITIAL.toNanos(), previous.toNanos() * 3));
            previous = d;
        }
        assertThat(delays).contains(MAX);
    }

    @ParameterizedTest
    @EnumSource(Jitter.class)
    void aSeededRandomGivesTheSameSequence(Jitter jitter) {
        assertThat(sequence(backoff(jitter), 50, 99)).isEqualTo(sequence(backoff(jitter), 50, 99));
    }

    @ParameterizedTest
    @EnumSource(Jitter.class)
    void largeAttemptNumbersNeitherOverflowNorExceedTheCap(Jitter jitter) {
        ReconnectPolicy b = ReconnectPolicy.builder().initialDelay(Duration.ofHours(1)).multiplier(1000)
                .maxDelay(ReconnectPolicy.DELAY_LIMIT).jitter(jitter).build();
        Random random = new Random(5);
        for (int attempt : new int[] {1, 30, 64, 1000, 1_000_000, Integer.MAX_VALUE}) {
            Duration d = BackoffDelays.delay(b, attempt, ReconnectPolicy.DELAY_LIMIT, random);
            assertThat(d).isBetween(Duration.ZERO, ReconnectPolicy.DELAY_LIMIT);
        }
        ReconnectPolicy none = ReconnectPolicy.builder().jitter(Jitter.NONE).build();
        assertThat(BackoffDelays.delay(none, Integer.MAX_VALUE, null, random)).isEqualTo(ReconnectPolicy.DEFAULT_MAX_DELAY);
    }

    @Test
    void rejectsAttemptsBelowOne() {
        assertThatThrownBy(() -> BackoffDelays.delay(ReconnectPolicy.defaults(), 0, null, new Random()))
                .hasMessage("attempt: 0 (expected: 1..2147483647)");
    }
}
