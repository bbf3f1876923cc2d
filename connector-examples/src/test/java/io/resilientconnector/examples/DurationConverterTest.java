package io.resilientconnector.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DurationConverterTest {

    private final DurationConverter converter = new DurationConverter();

    @Test
    void parsesMillisecondsSecondsMinutesAndHours() {
        assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(converter.convert("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(converter.convert("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(converter.convert("1h")).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void readsABareNumberAsSeconds() {
        assertThat(converter.convert("7")).isEqualTo(Duration.ofSeconds(7));
        assertThat(converter.convert("0")).isEqualTo(Duration.ZERO);
    }

    @Test
    void ignoresCaseAndSurroundingSpace() {
        assertThat(converter.convert(" 5S ")).isEqualTo(Duration.ofSeconds(5));
        assertThat(converter.convert("250MS")).isEqualTo(Duration.ofMillis(250));
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "", "-5s", "1.5s", "5 s", "5sec", "5d", "ms", "1234567890123s"})
    void rejectsAnythingElseWithTheExpectedForm(String value) {
        assertThatThrownBy(() -> converter.convert(value))
                .isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("'" + value + "'")
                .hasMessageContaining("(expected: a duration such as 500ms, 5s or 2m; a bare number means seconds)");
    }
}
