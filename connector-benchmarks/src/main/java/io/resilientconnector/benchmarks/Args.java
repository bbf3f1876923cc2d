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
                throw new IllegalArgumentException("argument: " + arg + " (expected: --name value)");
            }
            int eq = arg.indexOf('=');
            if (eq > 0) {
                values.put(arg.substring(2, eq), arg.substring(eq + 1));
            } else if (i + 1 < args.length) {
                values.put(arg.substring(2), args[++i]);
            } else {
                throw new IllegalArgumentException("argument: " + arg + " has no value");
            }
        }
    }

    String string(String name, String defaultValue) {
        used.add(name);
        return values.getOrDefault(name, defaultValue);
    }

    int integer(String name, int defaultValue) {
        return Integer.parseInt(string(name, String.valueOf(defaultValue)));
    }

    /** Whole milliseconds, such as {@code 250}, or an ISO-8601 duration, such as {@code PT5S}. */
    Duration millis(String name, Duration defaultValue) {
        String value = string(name, null);
        if (value == null) {
            return defaultValue;
        }
        return value.startsWith("P") ? Duration.parse(value) : Duration.ofMillis(Long.parseLong(value));
    }

    List<Integer> integers(String name, String defaultCsv) {
        List<Integer> result = new ArrayList<>();
        for (String part : string(name, defaultCsv).split(",")) {
            result.add(Integer.parseInt(part.trim()));
        }
        return result;
    }

    /** Fails on any argument that no call above asked for, so a typo cannot silently change a run. */
    void checkAllUsed() {
        Set<String> unknown = new HashSet<>(values.keySet());
        unknown.removeAll(used);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown arguments: " + unknown + " (known: " + used + ")");
        }
    }
}
