package io.resilientconnector.examples;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/example-connector.md lists exactly the flags --help lists, with the same defaults. */
class ExampleDocTest {

    /** What the table says when a flag has no default value. */
    static final String NO_DEFAULT = "none";

    private static final Pattern CODE = Pattern.compile("`([^`]*)`");
    private static final Pattern FLAG = Pattern.compile("(?<![\\w-])(--?[a-z][a-z-]*)");

    @Test
    void flagTableListsExactlyTheFlagsOfTheHelpWithTheirDefaults() throws IOException {
        Map<String, String> documented = table(Files.readString(page(), StandardCharsets.UTF_8));
        Map<String, String> declared = declared(ConnectorMain.commandLine(new ConnectorMain()).getCommandSpec());

        assertThat(documented.keySet()).as("flags the page lists that --help does not")
                .isSubsetOf(declared.keySet());
        assertThat(declared.keySet()).as("flags --help lists that the page does not")
                .isSubsetOf(documented.keySet());
        assertThat(documented).as("defaults on the page, against --help").isEqualTo(declared);
    }

    @Test
    void seesADriftInEitherDirection() {
        String page = "# Page\n\n## Flags\n\n| flag | default | what it does |\n|---|---|---|\n"
                + "| `--host HOST` | none | x |\n| `--order ORDER` | `shuffle` | x |\n| `-h`, `--help` | none | x |\n";

        assertThat(table(page)).containsExactly(Map.entry("--host", NO_DEFAULT), Map.entry("--order", "shuffle"),
                Map.entry("-h", NO_DEFAULT), Map.entry("--help", NO_DEFAULT));
        assertThat(table(page)).isNotEqualTo(declared(ConnectorMain.commandLine(new ConnectorMain()).getCommandSpec()));
    }

    /** Each flag of the page's one table under {@code ## Flags}, and its default: the code in the cell, or {@link #NO_DEFAULT}. */
    static Map<String, String> table(String page) {
        int start = page.indexOf("\n## Flags");
        assertThat(start).as("a ## Flags section").isNotNegative();
        int end = page.indexOf("\n## ", start + 1);
        String section = end < 0 ? page.substring(start) : page.substring(start, end);
        Map<String, String> flags = new LinkedHashMap<>();
        boolean header = true;
        for (String line : section.lines().toList()) {
            if (!line.startsWith("|")) {
                continue;
            }
            List<String> cells = List.of(line.substring(1, line.lastIndexOf('|')).split("\\|", -1));
            if (header) {
                assertThat(cells).extracting(String::trim).containsExactly("flag", "default", "what it does");
                header = false;
                continue;
            }
            if (cells.get(0).trim().startsWith("---")) {
                continue;
            }
            String defaultCell = cells.get(1).trim();
            Matcher code = CODE.matcher(defaultCell);
            String fallback = code.matches() ? code.group(1) : defaultCell;
            assertThat(code.matches() || defaultCell.equals(NO_DEFAULT)).as("default cell %s", defaultCell).isTrue();
            Matcher names = CODE.matcher(cells.get(0));
            int found = 0;
            while (names.find()) {
                Matcher flag = FLAG.matcher(names.group(1));
                if (flag.lookingAt()) {
                    assertThat(flags.put(flag.group(1), fallback)).as("%s listed twice", flag.group(1)).isNull();
                    found++;
                }
            }
            assertThat(found).as("a flag in row %s", line).isPositive();
        }
        return flags;
    }

    /** Each name of each option, and its default as picocli declares it, or {@link #NO_DEFAULT}. */
    static Map<String, String> declared(CommandSpec command) {
        Map<String, String> flags = new LinkedHashMap<>();
        for (OptionSpec option : command.options()) {
            for (String name : option.names()) {
                flags.put(name, option.defaultValue() != null ? option.defaultValue() : NO_DEFAULT);
            }
        }
        return flags;
    }

    private static Path page() {
        Path page = Paths.get(System.getProperty("basedir", ".")).toAbsolutePath().resolve("../docs/example-connector.md")
                .normalize();
        assertThat(page).as("the page, from %s", page).exists();
        return page;
    }
}
