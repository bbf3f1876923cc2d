package io.resilientconnector;

import io.resilientconnector.transport.KeepAliveOptions;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every option name a builder's validation reports is the way a user reaches that option: its builder's path and
 * the method's name, such as {@code reconnect.initialDelay} for {@code ConnectorOptions.builder().reconnect(
 * ReconnectPolicy.builder().initialDelay(...))}. Each one-argument builder method is called with null and with an
 * out-of-range value, and the names its exceptions report are compared with the method's.
 */
class OptionNamesTest {

    /** Each builder, made afresh, by the path a user takes to it. */
    private static final Map<String, Supplier<Object>> BUILDERS = Map.of(
            "", ConnectorOptions::builder,
            "reconnect.", ReconnectPolicy::builder,
            "keepAlive.", KeepAliveOptions::builder,
            "heartbeat.", HeartbeatOptions::builder);

    @Test
    void everyOptionNameAValidationReportsIsItsBuildersPathAndMethodName() throws Exception {
        List<String> checked = new ArrayList<>();
        for (Map.Entry<String, Supplier<Object>> builder : BUILDERS.entrySet()) {
            for (Method m : builder.getValue().get().getClass().getMethods()) {
                if (m.getDeclaringClass() == Object.class || m.getParameterCount() != 1
                        || !Modifier.isPublic(m.getModifiers())) {
                    continue;
                }
                for (Object bad : badValues(m.getParameterTypes()[0])) {
                    String name = reportedName(m, builder.getValue().get(), bad);
                    if (name == null) {
                        continue;
                    }
                    String expected = builder.getKey() + m.getName();
                    assertThat(name).as("%s%s(%s)", builder.getKey(), m.getName(), bad)
                            .matches(java.util.regex.Pattern.quote(expected) + "(\\[\\d+])?");
                    checked.add(name);
                }
            }
        }
        assertThat(checked).contains("reconnect.initialDelay", "reconnect.multiplier", "reconnect.maxDelay",
                "reconnect.jitter", "reconnect.maxAttempts", "keepAlive.count", "connectTimeout", "heartbeat.idle");
    }

    private static List<Object> badValues(Class<?> type) {
        List<Object> values = new ArrayList<>();
        if (type == int.class) {
            values.add(Integer.MIN_VALUE);
        } else if (type == long.class) {
            values.add(Long.MIN_VALUE);
        } else if (type == double.class) {
            values.add(Double.NaN);
        } else if (!type.isPrimitive()) {
            values.add(null);
            if (type == Duration.class) {
                values.add(Duration.ofSeconds(-1));
            }
        }
        return values;
    }

    /** The option name the call reports, or {@code null} if it accepts the value or reports no name. */
    private static String reportedName(Method m, Object builder, Object value) throws IllegalAccessException {
        try {
            m.invoke(builder, value);
            return null;
        } catch (InvocationTargetException e) {
            Throwable t = e.getCause();
            if (t instanceof InvalidOptionException) {
                return ((InvalidOptionException) t).option();
            }
            if (t instanceof NullPointerException) {
                return t.getMessage();
            }
            return null;
        }
    }
}
