package io.resilientconnector.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
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

    int integer(String name, int defaultValue) {
        String value = string(name, String.valueOf(defaultValue));
        try {
            return Integer.parseInt(value);
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

    List<Integer> integers(String name, String defaultCsv) {
        List<Integer> result = new ArrayList<>();
        String csv = string(name, defaultCsv);
        for (String part : csv.split(",")) {
            try {
                result.add(Integer.parseInt(part.trim()));
            } catch (NumberFormatException e) {
                throw new SetupException(name + ": " + csv + " (expected: whole numbers separated by commas)");
            }
        }
        return result;
    }

    /** {@code text} as a constant of {@code type}, in any case, or a {@link SetupException} naming {@code name}. */
    static <E extends Enum<E>> E constant(Class<E> type, String name, String text) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(text.trim())) {
                return e;
            }
        }
        throw new SetupException(name + ": " + text + " (expected: one of " + java.util.Arrays.toString(type.getEnumConstants()) + ")");
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
