package io.resilientconnector.examples;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Users copy examples: an example that reaches into the library's internals teaches them to. */
class PublicApiImportTest {

    /** The packages the core module does not export: its internals and the helpers its own layers share. */
    private static final Pattern INTERNAL = Pattern.compile("\\bio\\.resilientconnector\\.(internal|util)\\b");

    @Test
    void examplesUseOnlyPublicApi() throws IOException {
        Path sources = Paths.get(System.getProperty("basedir", ".")).resolve("src/main/java");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(sources)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).collect(Collectors.toList());
        }
        // Guards against scanning the wrong directory and passing on nothing.
        assertThat(files).as("example sources under %s", sources.toAbsolutePath())
                .anyMatch(p -> p.endsWith("ConnectorMain.java"));
        List<String> offenders = new ArrayList<>();
        for (Path file : files) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                if (INTERNAL.matcher(lines.get(i)).find()) {
                    offenders.add(sources.relativize(file) + ":" + (i + 1) + ": " + lines.get(i).trim());
                }
            }
        }
        assertThat(offenders).as("references to io.resilientconnector.internal or .util in the examples").isEmpty();
    }

    @Test
    void theScanSeesAnInternalImport() {
        assertThat(INTERNAL.matcher("import io.resilientconnector.internal.session.ConnectorSession;").find()).isTrue();
        assertThat(INTERNAL.matcher("import io.resilientconnector.util.Durations;").find()).isTrue();
        assertThat(INTERNAL.matcher("import static io.resilientconnector.util.LogText.escape;").find()).isTrue();
        assertThat(INTERNAL.matcher("import io.resilientconnector.internalized.Thing;").find()).isFalse();
        assertThat(INTERNAL.matcher("import io.resilientconnector.Disconnection;").find()).isFalse();
    }
}
