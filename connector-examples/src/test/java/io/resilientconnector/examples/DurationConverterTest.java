package io.resilientconnector.examples;

import io.resilientconnector.examples.DurationConverter.BareNumber;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One grammar for every duration flag: a number and a unit; a bare number is seconds only where documented. */
class DurationConverterTest {

    private final DurationConverter needsUnit = new DurationConverter(BareNumber.NEEDS_UNIT);
    private final DurationConverter seconds = new DurationConverter(BareNumber.SECONDS);

    @ParameterizedTest
    @EnumSource(BareNumber.class)
    void parsesMillisecondsSecondsMinutesHoursAndDays(BareNumber bare) {
        DurationConverter converter = new DurationConverter(bare);

        assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(converter.convert("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(converter.convert("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(converter.convert("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(converter.convert("1d")).isEqualTo(Duration.ofDays(1));
    }

    @ParameterizedTest
    @EnumSource(BareNumber.class)
    void readsABareZeroAsZeroInEveryUnit(BareNumber bare) {
        assertThat(new DurationConverter(bare).convert("0")).isEqualTo(Duration.ZERO);
    }

    @Test
    void readsABareNumberAsSecondsWhereTheFlagIsInSeconds() {
        assertThat(seconds.convert("7")).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void rejectsABareNumberWhereTheFlagNeedsAUnit() {
        assertThatThrownBy(() -> needsUnit.convert("5000"))
                .isInstanceOf(TypeConversionException.class)
                .hasMessageStartingWith("5000 needs a unit, for example 5000ms or 5s")
                .hasMessageContaining("(expected: a duration with a unit, such as 500ms, 5s, 2m, 1h or 1d)");
    }

    @Test
    void ignoresCaseAndSurroundingSpace() {
        assertThat(needsUnit.convert(" 5S ")).isEqualTo(Duration.ofSeconds(5));
        assertThat(needsUnit.convert("250MS")).isEqualTo(Duration.ofMillis(250));
        assertThat(needsUnit.convert("1D")).isEqualTo(Duration.ofDays(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "", "-5s", "1.5s", "5 s", "5sec", "5w", "ms", "1234567890123s"})
    void rejectsAnythingElseWithTheExpectedForm(String value) {
        assertThatThrownBy(() -> needsUnit.convert(value))
                .isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("'" + value + "'")
                .hasMessageContaining("(expected: a duration with a unit, such as 500ms, 5s, 2m, 1h or 1d)");
        assertThatThrownBy(() -> seconds.convert(value))
                .isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("(expected: a duration such as 500ms, 5s, 2m, 1h or 1d; a bare number means seconds)");
    }

    @Test
    void everyDurationFlagsHelpStatesItsGrammar() {
        for (Flag<?> flag : Flags.all()) {
            if (flag.reader() instanceof DurationConverter) {
                String grammar = ((DurationConverter) flag.reader()).helpSentence();
                assertThat(flag.spec().description()).as(flag.name()).singleElement().asString().endsWith(". " + grammar);
            }
        }
        assertThat(Flags.KEEPALIVE_IDLE.spec().description()[0]).endsWith("a bare number means seconds.");
        assertThat(Flags.USER_TIMEOUT.spec().description()[0]).endsWith("a bare number needs one.");
    }
}
