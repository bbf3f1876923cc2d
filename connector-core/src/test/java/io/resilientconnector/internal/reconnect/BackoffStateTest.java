package io.resilientconnector.internal.reconnect;

import io.resilientconnector.Jitter;
import io.resilientconnector.ReconnectPolicy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffStateTest {

    /** Doubling from 100 ms to 10 s, without jitter. */
    private static BackoffState state(ReconnectPolicy.Builder policy) {
        return new BackoffState(policy.initialDelay(Duration.ofMillis(100)).maxDelay(Duration.ofSeconds(10))
                .jitter(Jitter.NONE).build(), new Random(1));
    }

    private static long seconds(long s) {
        return TimeUnit.SECONDS.toNanos(s);
    }

    @Test
    void countsAttemptsWhileConnectionsFail() {
        BackoffState s = state(ReconnectPolicy.builder());
        s.attemptStarted();
        assertThat(s.nextDelay()).isEqualTo(Duration.ofMillis(100));
        s.attemptStarted();
        assertThat(s.nextDelay()).isEqualTo(Duration.ofMillis(200));
        s.attemptStarted();
        assertThat(s.nextDelay()).isEqualTo(Duration.ofMillis(400));
        assertThat(s.attempts()).isEqualTo(3);
    }

    @Test
    void resetsOnlyAfterTheConnectionStayedUpForTheStablePeriod() {
        BackoffState s = state(ReconnectPolicy.builder().stablePeriod(Duration.ofSeconds(10)));
        s.nextDelay();
        s.nextDelay();
        // Accepted, then dropped after 2 s: still the same outage, the backoff keeps growing.
        s.connected(seconds(100));
        s.disconnected(seconds(102));
        assertThat(s.nextDelay()).isEqualTo(Duration.ofMillis(400));
        // Up for 10 s: stable, the backoff starts over.
        s.connected(seconds(200));
        s.disconnected(seconds(210));
        assertThat(s.nextDelay()).isEqualTo(Duration.ofMillis(100));
        assertThat(s.attempts()).isZero();
    }

    @Test
    void aServerThatAcceptsAndDropsCannotCauseATightLoop() {
        BackoffState s = state(ReconnectPolicy.builder().stablePeriod(Duration.ofSeconds(10)));
        Duration last = null;
        for (int i = 0; i < 10; i++) {
            s.connected(seconds(i * 20L));
            s.disconnected(seconds(i * 20L) + TimeUnit.MILLISECONDS.toNanos(5));
            last = s.nextDelay();
        }
        assertThat(last).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void zeroStablePeriodResetsOnEveryConnect() {
        BackoffState s = state(ReconnectPolicy.builder().stablePeriod(Duration.ZERO));
        s.nextDelay();
        s.nextDelay();
        s.connected(seconds(1));
        s.disconnected(seconds(1));
        assertThat(s.nextDelay()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void givesUpAfterMaxAttemptsCountingTheFirst() {
        BackoffState s = state(ReconnectPolicy.builder().maxAttempts(2));
        s.attemptStarted();
        assertThat(s.nextDelay()).isNotNull();
        s.attemptStarted();
        assertThat(s.nextDelay()).isNull();
        assertThat(s.attempts()).isEqualTo(2);
    }

    @Test
    void maxAttemptsOneMakesOneAttemptFromStart() {
        BackoffState s = state(ReconnectPolicy.builder().maxAttempts(1));
        s.attemptStarted();
        assertThat(s.nextDelay()).isNull();
        assertThat(s.attempts()).isEqualTo(1);
    }

    @Test
    void maxAttemptsOneMakesOneReconnectAfterAStableConnectionIsLost() {
        BackoffState s = state(ReconnectPolicy.builder().maxAttempts(1).stablePeriod(Duration.ofSeconds(10)));
        s.attemptStarted();
        s.connected(seconds(1));
        s.disconnected(seconds(20));
        assertThat(s.nextDelay()).isEqualTo(Duration.ofMillis(100));
        s.attemptStarted();
        assertThat(s.nextDelay()).isNull();
        assertThat(s.attempts()).isEqualTo(1);
    }

    @Test
    void anUnstableConnectionsAttemptCountsTowardsMaxAttempts() {
        BackoffState s = state(ReconnectPolicy.builder().maxAttempts(2).stablePeriod(Duration.ofSeconds(10)));
        s.attemptStarted();
        s.connected(seconds(1));
        s.disconnected(seconds(2));
        assertThat(s.nextDelay()).isNotNull();
        s.attemptStarted();
        assertThat(s.nextDelay()).isNull();
        assertThat(s.attempts()).isEqualTo(2);
    }

    @Test
    void givesUpAtOnceWhenReconnectIsDisabled() {
        assertThat(state(ReconnectPolicy.builder().enabled(false)).nextDelay()).isNull();
    }
}
