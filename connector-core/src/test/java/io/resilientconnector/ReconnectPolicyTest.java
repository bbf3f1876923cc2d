package io.resilientconnector;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReconnectPolicyTest {

    @Test
    void defaultsAreNamed() {
        ReconnectPolicy d = ReconnectPolicy.defaults();
        assertThat(d.initialDelay()).isEqualTo(ReconnectPolicy.DEFAULT_INITIAL_DELAY);
        assertThat(d.multiplier()).isEqualTo(ReconnectPolicy.DEFAULT_MULTIPLIER);
        assertThat(d.maxDelay()).isEqualTo(ReconnectPolicy.DEFAULT_MAX_DELAY);
        assertThat(d.jitter()).isEqualTo(ReconnectPolicy.DEFAULT_JITTER).isEqualTo(Jitter.PHASED);
        assertThat(d.maxAttempts()).isEqualTo(ReconnectPolicy.DEFAULT_MAX_ATTEMPTS);
        assertThat(d.stablePeriod()).isEqualTo(ReconnectPolicy.DEFAULT_STABLE_PERIOD);
        assertThat(d.enabled()).isTrue();
        assertThat(d.toBuilder().build()).isEqualTo(d).hasSameHashCodeAs(d);
    }

    @Test
    void rejectsInitialLongerThanMax() {
        assertThatThrownBy(() -> ReconnectPolicy.builder().initialDelay(Duration.ofSeconds(5))
                .maxDelay(Duration.ofSeconds(1)).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("reconnect.initialDelay: 5s is longer than reconnect.maxDelay: 1s (expected: initialDelay <= maxDelay)");
    }

    @Test
    void rejectsBadValues() {
        assertThatThrownBy(() -> ReconnectPolicy.builder().initialDelay(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("reconnect.initialDelay: 0ms (expected: > 0 and <= 24h)");
        assertThatThrownBy(() -> ReconnectPolicy.builder().maxDelay(Duration.ofDays(2)))
                .hasMessage("reconnect.maxDelay: 48h (expected: > 0 and <= 24h)");
        assertThatThrownBy(() -> ReconnectPolicy.builder().multiplier(0.5))
                .hasMessage("reconnect.multiplier: 0.5 (expected: >= 1.0, finite)");
        assertThatThrownBy(() -> ReconnectPolicy.builder().multiplier(Double.NaN))
                .hasMessage("reconnect.multiplier: NaN (expected: >= 1.0, finite)");
        assertThatThrownBy(() -> ReconnectPolicy.builder().multiplier(Double.POSITIVE_INFINITY))
                .hasMessageContaining("reconnect.multiplier: Infinity");
        assertThatThrownBy(() -> ReconnectPolicy.builder().jitter(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("reconnect.jitter");
    }

    @Test
    void roundTripsEveryFieldThroughToBuilder() {
        ReconnectPolicy p = ReconnectPolicy.builder().enabled(false).initialDelay(Duration.ofMillis(10)).multiplier(3)
                .maxDelay(Duration.ofSeconds(2)).jitter(Jitter.EQUAL).maxAttempts(5).stablePeriod(Duration.ofSeconds(3))
                .build();
        assertThat(p.toBuilder().build()).isEqualTo(p).hasSameHashCodeAs(p);
        assertThat(p).isNotEqualTo(p.toBuilder().multiplier(2).build());
        assertThat(p.toString()).isEqualTo("ReconnectPolicy{enabled=false, initialDelay=10ms, multiplier=3.0, "
                + "maxDelay=2s, jitter=EQUAL, maxAttempts=5, stablePeriod=3s}");
    }

    @Test
    void rejectsBadAttemptLimitsAndStablePeriods() {
        assertThatThrownBy(() -> ReconnectPolicy.builder().maxAttempts(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("reconnect.maxAttempts: -1 (expected: 0..2147483647)");
        assertThatThrownBy(() -> ReconnectPolicy.builder().stablePeriod(Duration.ofSeconds(-1)))
                .hasMessage("reconnect.stablePeriod: -1s (expected: 0 to disable, or > 0 and <= 24h)");
        assertThatThrownBy(() -> ReconnectPolicy.builder().initialDelay(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ReconnectPolicy.builder().maxDelay(null)).isInstanceOf(NullPointerException.class);
    }
}
