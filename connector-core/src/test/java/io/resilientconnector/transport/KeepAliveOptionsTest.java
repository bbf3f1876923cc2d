package io.resilientconnector.transport;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeepAliveOptionsTest {

    @Test
    void defaultsMatchTheirNamedConstants() {
        KeepAliveOptions k = KeepAliveOptions.defaults();
        assertThat(k.enabled()).isTrue();
        assertThat(k.idle()).isEqualTo(Duration.ofSeconds(60)).isEqualTo(KeepAliveOptions.DEFAULT_IDLE);
        assertThat(k.interval()).isEqualTo(Duration.ofSeconds(15)).isEqualTo(KeepAliveOptions.DEFAULT_INTERVAL);
        assertThat(k.count()).isEqualTo(4).isEqualTo(KeepAliveOptions.DEFAULT_COUNT);
    }

    @Test
    void derivesTheUserTimeoutFromIdleIntervalAndCount() {
        assertThat(KeepAliveOptions.defaults().userTimeout()).isEqualTo(Duration.ofSeconds(120));
        KeepAliveOptions k = KeepAliveOptions.builder().idle(Duration.ofSeconds(2)).interval(Duration.ofSeconds(1)).count(3).build();
        assertThat(k.userTimeoutDerived()).isTrue();
        assertThat(k.userTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void clampsADerivedUserTimeoutToTheKernelsIntOfMilliseconds() {
        KeepAliveOptions k = KeepAliveOptions.builder().idle(Duration.ofSeconds(32767))
                .interval(Duration.ofSeconds(32767)).count(127).build();
        assertThat(k.userTimeout()).isEqualTo(Duration.ofMillis(Integer.MAX_VALUE));
    }

    @Test
    void userTimeoutCanBeSetOrDisabled() {
        assertThat(KeepAliveOptions.builder().userTimeout(Duration.ofMillis(2500)).build().userTimeout())
                .isEqualTo(Duration.ofMillis(2500));
        KeepAliveOptions off = KeepAliveOptions.builder().userTimeout(Duration.ZERO).build();
        assertThat(off.userTimeout()).isZero();
        assertThat(off.toBuilder().derivedUserTimeout().build().userTimeout()).isEqualTo(Duration.ofSeconds(120));
    }

    @Test
    void disablingKeepAliveTurnsOffTheDerivedUserTimeout() {
        KeepAliveOptions off = KeepAliveOptions.builder().enabled(false).build();
        assertThat(off.userTimeoutDerived()).isTrue();
        assertThat(off.userTimeout()).isZero();
        assertThat(off).hasToString("KeepAliveOptions{enabled=false, idle=1m, interval=15s, count=4, userTimeout=derived(disabled)}");
        assertThat(off.toBuilder().enabled(true).build().userTimeout()).isEqualTo(Duration.ofSeconds(120));
    }

    @Test
    void anExplicitUserTimeoutStillAppliesWithKeepAliveDisabled() {
        KeepAliveOptions off = KeepAliveOptions.builder().enabled(false).userTimeout(Duration.ofSeconds(9)).build();
        assertThat(off.userTimeoutDerived()).isFalse();
        assertThat(off.userTimeout()).isEqualTo(Duration.ofSeconds(9));
    }

    @Test
    void idleDetectionBoundIsIdlePlusIntervalTimesCount() {
        KeepAliveOptions k = KeepAliveOptions.builder().idle(Duration.ofSeconds(2)).interval(Duration.ofSeconds(1)).count(3).build();
        assertThat(k.idleDetectionBound(false)).isEqualTo(Duration.ofSeconds(5));
        assertThat(k.idleDetectionBound(true)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void idleDetectionBoundWithAUserTimeoutIsTheFirstProbeTickAtOrAfterIt() {
        KeepAliveOptions.Builder b = KeepAliveOptions.builder().idle(Duration.ofSeconds(10)).interval(Duration.ofSeconds(4)).count(9);
        // A user timeout shorter than idle still needs one probe out: idle + interval.
        assertThat(b.userTimeout(Duration.ofSeconds(3)).build().idleDetectionBound(true)).isEqualTo(Duration.ofSeconds(14));
        // 10 + 4k >= 19 → k = 3.
        assertThat(b.userTimeout(Duration.ofSeconds(19)).build().idleDetectionBound(true)).isEqualTo(Duration.ofSeconds(22));
        assertThat(b.userTimeout(Duration.ofSeconds(19)).build().idleDetectionBound(false)).isEqualTo(Duration.ofSeconds(46));
    }

    @Test
    void roundTripsThroughToBuilder() {
        KeepAliveOptions k = KeepAliveOptions.builder().enabled(false).idle(Duration.ofSeconds(7))
                .interval(Duration.ofSeconds(3)).count(9).userTimeout(Duration.ofMillis(4321)).build();
        assertThat(k.toBuilder().build()).isEqualTo(k).hasSameHashCodeAs(k);
        assertThat(KeepAliveOptions.defaults().toBuilder().build()).isEqualTo(KeepAliveOptions.defaults());
        assertThat(k).hasToString("KeepAliveOptions{enabled=false, idle=7s, interval=3s, count=9, userTimeout=4321ms}");
    }

    @Test
    void rejectsKeepAliveCountAbove127() {
        assertThatThrownBy(() -> KeepAliveOptions.builder().count(200)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("keepAlive.count: 200 (expected: 1..127)");
    }

    @Test
    void rejectsKeepAliveCountBelow1() {
        assertThatThrownBy(() -> KeepAliveOptions.builder().count(0)).hasMessage("keepAlive.count: 0 (expected: 1..127)");
    }

    @Test
    void rejectsIdleOutsideTheKernelsRange() {
        assertThatThrownBy(() -> KeepAliveOptions.builder().idle(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("keepAlive.idle: 0ms (expected: whole seconds in 1..32767)");
        assertThatThrownBy(() -> KeepAliveOptions.builder().idle(Duration.ofSeconds(32768)))
                .hasMessage("keepAlive.idle: 32768s (expected: whole seconds in 1..32767)");
        assertThatThrownBy(() -> KeepAliveOptions.builder().idle(Duration.ofSeconds(-3)))
                .hasMessage("keepAlive.idle: -3s (expected: whole seconds in 1..32767)");
    }

    @Test
    void rejectsSubSecondIntervalsInsteadOfRoundingThem() {
        assertThatThrownBy(() -> KeepAliveOptions.builder().interval(Duration.ofMillis(1500)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("keepAlive.interval: 1500ms (expected: whole seconds in 1..32767)");
        assertThatThrownBy(() -> KeepAliveOptions.builder().interval(Duration.ofMillis(500)))
                .hasMessage("keepAlive.interval: 500ms (expected: whole seconds in 1..32767)");
    }

    @Test
    void rejectsUserTimeoutOutOfRange() {
        assertThatThrownBy(() -> KeepAliveOptions.builder().userTimeout(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("keepAlive.userTimeout: -1ms (expected: 0 to disable, or whole milliseconds in 1..2147483647 ms)");
        assertThatThrownBy(() -> KeepAliveOptions.builder().userTimeout(Duration.ofNanos(1_000_500)))
                .hasMessageContaining("keepAlive.userTimeout: 1000500ns");
        assertThatThrownBy(() -> KeepAliveOptions.builder().userTimeout(Duration.ofMillis(Integer.MAX_VALUE + 1L)))
                .hasMessageContaining("keepAlive.userTimeout: 2147483648ms");
        assertThatThrownBy(() -> KeepAliveOptions.builder().userTimeout(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("keepAlive.userTimeout");
    }
}
