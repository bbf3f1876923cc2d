package io.resilientconnector.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code --name value} arguments of a benchmark main; an unknown name fails instead of being ignored. */
final class Args {

    private final Map<String, String> values = new HashMap<>();
    private final Set<String> used = new HashSet<>();

    Args(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new SetupException("argument: " + arg + " (expected: --name value)");
            }
            int eq = arg.indexOf('=');
            if (eq > 0) {
                values.put(arg.substring(2, eq), arg.substring(eq + 1));
            } else if (i + 1 < args.length) {
                values.put(arg.substring(2), args[++i]);
            } else {
                throw new SetupException("argument: " + arg + " has no value");
            }
        }
    }

    String string(String name, String defaultValue) {
        used.add(name);
        return values.getOrDefault(name, defaultValue);
    }

    /** A whole number of at least {@code min}. */
    int integer(String name, int defaultValue, int min) {
        return integer(name, defaultValue, min, Integer.MAX_VALUE);
    }

    /** A whole number in {@code min..max}. */
    int integer(String name, int defaultValue, int min, int max) {
        String value = string(name, String.valueOf(defaultValue));
        try {
            return checkRange(name, Integer.parseInt(value), min, max);
        } catch (NumberFormatException e) {
            throw new SetupException(name + ": " + value + " (expected: a whole number)");
        }
    }

    /** Whole milliseconds, such as {@code 250}, or an ISO-8601 duration, such as {@code PT5S}. */
    Duration millis(String name, Duration defaultValue) {
        String value = string(name, null);
        if (value == null) {
            return defaultValue;
        }
        try {
            return value.startsWith("P") ? Duration.parse(value) : Duration.ofMillis(Long.parseLong(value));
        } catch (RuntimeException e) {
            throw new SetupException(name + ": " + value + " (expected: milliseconds, or an ISO-8601 duration such as PT5S)");
        }
    }

    /** Whole numbers separated by commas, each at least {@code min}. */
    List<Integer> integers(String name, String defaultCsv, int min) {
        return integers(name, defaultCsv, min, Integer.MAX_VALUE);
    }

    /** Whole numbers separated by commas, each in {@code min..max}. */
    List<Integer> integers(String name, String defaultCsv, int min, int max) {
        List<Integer> result = new ArrayList<>();
        String csv = string(name, defaultCsv);
        for (String part : csv.split(",")) {
            int value;
            try {
                value = Integer.parseInt(part.trim());
            } catch (NumberFormatException e) {
                throw new SetupException(name + ": " + csv + " (expected: whole numbers separated by commas)");
            }
            result.add(checkRange(name, value, min, max));
        }
        return result;
    }

    /** One of {@code choices}, exactly as spelled there. */
    String choice(String name, String defaultValue, String... choices) {
        String value = string(name, defaultValue);
        if (!Arrays.asList(choices).contains(value)) {
            throw new SetupException(name + ": " + value + " (expected: one of " + String.join(", ", choices) + ")");
        }
        return value;
    }

    private static int checkRange(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new SetupException(name + ": " + value + " (expected: "
                    + (max == Integer.MAX_VALUE ? ">= " + min : min + ".." + max) + ")");
        }
        return value;
    }

    /** {@code text} as a constant of {@code type}, in any case, or a {@link SetupException} naming {@code name}. */
    static <E extends Enum<E>> E constant(Class<E> type, String name, String text) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(text.trim())) {
                return e;
            }
        }
        throw new SetupException(name + ": " + text + " (expected: one of " + Arrays.toString(type.getEnumConstants()) + ")");
    }

    /** Fails on any argument that no call above asked for, so a typo cannot silently change a run. */
    void checkAllUsed() {
        Set<String> unknown = new HashSet<>(values.keySet());
        unknown.removeAll(used);
        if (!unknown.isEmpty()) {
            throw new SetupException("unknown arguments: " + unknown + " (known: " + used + ")");
        }
    }
}
