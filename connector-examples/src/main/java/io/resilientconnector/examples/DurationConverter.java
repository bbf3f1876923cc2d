package io.resilientconnector.examples;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a duration from the command line: {@code 500ms}, {@code 5s}, {@code 2m} or {@code 1h}; a bare number
 * means seconds, the unit the kernel uses for keepalive. The same units the library prints in its logs, so
 * a value from a log line can be pasted back as a flag. Ranges are left to the option builders.
 */
final class DurationConverter implements ITypeConverter<Duration> {

    /** The expected form, for error messages and the help text. */
    static final String FORM = "a duration such as 500ms, 5s or 2m; a bare number means seconds";

    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h)?");

    @Override
    public Duration convert(String value) {
        Matcher m = DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new TypeConversionException("'" + value + "' (expected: " + FORM + ")");
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        switch (unit) {
            case "ms":
                return Duration.ofMillis(amount);
            case "s":
                return Duration.ofSeconds(amount);
            case "m":
                return Duration.ofMinutes(amount);
            case "h":
                return Duration.ofHours(amount);
            default:
                throw new AssertionError(unit);
        }
    }
}
