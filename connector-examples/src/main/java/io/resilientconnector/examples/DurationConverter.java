package io.resilientconnector.examples;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a duration from the command line, with one grammar for every flag: a whole number and a unit,
 * {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h} or {@code 1d}. A bare number means seconds only for a flag
 * the kernel counts in whole seconds (the keepalive times); anywhere else it is rejected, so that
 * {@code --user-timeout 5000} cannot quietly mean 5000 seconds. A bare {@code 0} is zero in every unit, so it
 * needs none. These are the units the library prints, so a value from a log line can be pasted back as a flag.
 * Ranges are left to the option builders.
 */
final class DurationConverter implements ITypeConverter<Duration> {

    /** What a bare number means for a flag. */
    enum BareNumber {
        /** Seconds: the flag is documented in whole seconds. */
        SECONDS,
        /** Rejected: the flag's value needs a unit. */
        NEEDS_UNIT
    }

    /** The units, for error messages and the help text. */
    static final String UNITS = "500ms, 5s, 2m, 1h or 1d";

    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)?");

    private final BareNumber bare;

    DurationConverter(BareNumber bare) {
        this.bare = bare;
    }

    /** The expected form, for error messages. */
    String form() {
        return bare == BareNumber.SECONDS
                ? "a duration such as " + UNITS + "; a bare number means seconds"
                : "a duration with a unit, such as " + UNITS;
    }

    /** The grammar, as a sentence for the help text of a flag that reads durations this way. */
    String helpSentence() {
        return bare == BareNumber.SECONDS
                ? "Units: ms, s, m, h, d; a bare number means seconds."
                : "Units: ms, s, m, h, d; a bare number needs one.";
    }

    @Override
    public Duration convert(String value) {
        Matcher m = DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new TypeConversionException("'" + value + "' (expected: " + form() + ")");
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2);
        if (unit == null) {
            if (amount == 0) {
                return Duration.ZERO;
            }
            if (bare == BareNumber.NEEDS_UNIT) {
                // The seconds it would mean are suggested as themselves: 5000 -> 5000ms or 5s.
                String seconds = amount % 1000 == 0 ? amount / 1000 + "s" : amount + "s";
                throw new TypeConversionException(amount + " needs a unit, for example " + amount + "ms or "
                        + seconds + " (expected: " + form() + ")");
            }
            unit = "s";
        }
        switch (unit) {
            case "ms":
                return Duration.ofMillis(amount);
            case "s":
                return Duration.ofSeconds(amount);
            case "m":
                return Duration.ofMinutes(amount);
            case "h":
                return Duration.ofHours(amount);
            case "d":
                return Duration.ofDays(amount);
            default:
                throw new AssertionError(unit);
        }
    }
}
