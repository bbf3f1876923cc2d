package io.resilientconnector;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Micrometer is an optional dependency: the core runs without it, and only {@code io.resilientconnector.micrometer}
 * refers to it.
 */
class WorksWithoutMicrometerTest {

    private static final String BINDER_PACKAGE = "io/resilientconnector/micrometer/";

    @Test
    void aConnectorRunsInAClassLoaderWithoutMicrometer() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : testClassPath()) {
            if (!isMicrometer(entry)) {
                urls.add(new File(entry).toURI().toURL());
            }
        }
        try (URLClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader())) {
            // The control: this loader really has no Micrometer, and the binder cannot load in it.
            assertThatThrownBy(() -> loader.loadClass("io.micrometer.core.instrument.MeterRegistry"))
                    .isInstanceOf(ClassNotFoundException.class);
            Class<?> binder = loader.loadClass("io.resilientconnector.micrometer.ConnectorMetrics");
            assertThatThrownBy(() -> binder.getMethods()).isInstanceOf(NoClassDefFoundError.class);

            Object events = loader.loadClass("io.resilientconnector.testing.WithoutMicrometer")
                    .getMethod("run").invoke(null);
            assertThat(events).isEqualTo("CONNECTED DISCONNECTED PEER_CLOSED REJECTED CLOSED");
        }
    }

    @Test
    void noCoreClassOutsideTheBinderReferencesMicrometer() throws IOException {
        Path classes = Path.of(ResilientConnector.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        List<String> offenders;
        try (Stream<Path> files = Files.walk(classes)) {
            offenders = files.filter(p -> p.toString().endsWith(".class"))
                    .filter(p -> !classes.relativize(p).toString().replace(File.separatorChar, '/').startsWith(BINDER_PACKAGE))
                    .filter(WorksWithoutMicrometerTest::mentionsMicrometer)
                    .map(p -> classes.relativize(p).toString())
                    .collect(Collectors.toList());
        }
        assertThat(offenders).isEmpty();
        try (Stream<Path> binder = Files.list(classes.resolve(BINDER_PACKAGE))) {
            assertThat(binder.filter(WorksWithoutMicrometerTest::mentionsMicrometer))
                    .as("the check can fail: the binder does mention it").isNotEmpty();
        }
    }

    private static boolean mentionsMicrometer(Path classFile) {
        try {
            return new String(Files.readAllBytes(classFile), StandardCharsets.ISO_8859_1).contains("io/micrometer/");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean isMicrometer(String entry) {
        String name = new File(entry).getName().toLowerCase(java.util.Locale.ROOT);
        return name.startsWith("micrometer-") || name.startsWith("hdrhistogram") || name.startsWith("latencyutils");
    }

    /** The test class path, as Surefire gives it even when it launches through a manifest-only jar. */
    private static List<String> testClassPath() {
        String path = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return Arrays.stream(path.split(File.pathSeparator)).filter(s -> !s.isEmpty()).collect(Collectors.toList());
    }
}
