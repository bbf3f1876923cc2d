package io.resilientconnector.util;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class DurationsTest {

    @Test
    void usesTheLargestExactUnit() {
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0ms");
        assertThat(Durations.format(Duration.ofMillis(500))).isEqualTo("500ms");
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Durations.format(Duration.ofSeconds(15))).isEqualTo("15s");
        assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(Durations.format(Duration.ofMinutes(2))).isEqualTo("2m");
        assertThat(Durations.format(Duration.ofHours(3))).isEqualTo("3h");
        assertThat(Durations.format(Duration.ofNanos(1500))).isEqualTo("1500ns");
        assertThat(Durations.format(Duration.ofSeconds(-2))).isEqualTo("-2s");
    }

    @Test
    void approximatesForPeopleReadingLogLines() {
        assertThat(Durations.approx(Duration.ofNanos(439_907_148))).isEqualTo("439ms");
        assertThat(Durations.approx(Duration.ofMillis(1949))).isEqualTo("1.9s");
        assertThat(Durations.approx(Duration.ofMillis(1950))).isEqualTo("2s");
        assertThat(Durations.approx(Duration.ofSeconds(30))).isEqualTo("30s");
    }
}
