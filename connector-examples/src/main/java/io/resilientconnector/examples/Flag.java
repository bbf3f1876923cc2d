package io.resilientconnector.examples;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.File;
import java.time.Duration;
import java.util.List;

/**
 * One command-line flag, declared once: its name, the form of its value, its default, its help text, and the
 * builder option it sets. The builder option is what lets an error from a builder name the flag instead of
 * the builder's own name for the value.
 *
 * @param name     the flag, such as {@code --keepalive-count}
 * @param label    the value's placeholder in the help, such as {@code N}; {@code null} for a switch
 * @param type     what picocli converts the value to
 * @param element  the element type of a repeatable flag, else {@code null}
 * @param reader   reads the value where picocli's own conversion will not do, else {@code null}
 * @param option   the builder option it sets, as {@link io.resilientconnector.InvalidOptionException#option()}
 *                 names it, such as {@code keepAlive.count}; {@code null} if it sets none
 * @param fallback the default as the flag would be typed, or {@code null} for none
 * @param help     the help text; {@code ${DEFAULT-VALUE}} stands for the default
 * @param needs    the flags of which one must be given for this one to mean anything; empty if none
 * @param <T>      the type of the value the command reads
 */
record Flag<T>(String name, String label, Class<?> type, Class<?> element, ITypeConverter<?> reader,
               String option, String fallback, String help, List<Flag<?>> needs) {

    /** A flag that takes a word, such as a host name. */
    static Flag<String> text(String name, String label) {
        return new Flag<>(name, label, String.class, null, null, null, null, null, List.of());
    }

    /** A flag that takes a whole number and has no default: {@code null} when not given. */
    static Flag<Integer> optionalNumber(String name, String label) {
        return new Flag<>(name, label, Integer.class, null, null, null, null, null, List.of());
    }

    /** A flag that takes a whole number that may not fit an int; give it a {@link #byDefault default}. */
    static Flag<Long> longNumber(String name, String label) {
        return new Flag<>(name, label, long.class, null, null, null, null, null, List.of());
    }

    /** A flag that takes a whole number; give it a {@link #byDefault default}. */
    static Flag<Integer> number(String name, String label) {
        return new Flag<>(name, label, int.class, null, null, null, null, null, List.of());
    }

    /** A flag that takes a duration with a unit, as {@link DurationConverter} reads it. */
    static Flag<Duration> duration(String name) {
        return new Flag<>(name, "DURATION", Duration.class, null,
                new DurationConverter(DurationConverter.BareNumber.NEEDS_UNIT), null, null, null, List.of());
    }

    /** A flag that takes a duration the kernel counts in whole seconds, so a bare number means seconds. */
    static Flag<Duration> seconds(String name) {
        return new Flag<>(name, "DURATION", Duration.class, null,
                new DurationConverter(DurationConverter.BareNumber.SECONDS), null, null, null, List.of());
    }

    /** A flag that can be repeated, each time with a word. */
    static Flag<List<String>> texts(String name, String label) {
        return new Flag<>(name, label, List.class, String.class, null, null, null, null, List.of());
    }

    /** A flag that takes a file name. */
    static Flag<File> file(String name, String label) {
        return new Flag<>(name, label, File.class, null, null, null, null, null, List.of());
    }

    /** A flag that takes no value: present or not. */
    static Flag<Boolean> toggle(String name) {
        return new Flag<>(name, null, boolean.class, null, null, null, null, null, List.of());
    }

    /** A flag whose value {@code reader} reads. */
    static <T> Flag<T> read(String name, String label, Class<T> type, ITypeConverter<T> reader) {
        return new Flag<>(name, label, type, null, reader, null, null, null, List.of());
    }

    /** This flag, setting the builder option {@code builderOption}. */
    Flag<T> sets(String builderOption) {
        return new Flag<>(name, label, type, element, reader, builderOption, fallback, help, needs);
    }

    /** This flag, with {@code value} (as it would be typed) when not given. */
    Flag<T> byDefault(String value) {
        return new Flag<>(name, label, type, element, reader, option, value, help, needs);
    }

    /** This flag, with its help text. */
    Flag<T> help(String text) {
        return new Flag<>(name, label, type, element, reader, option, fallback, text, needs);
    }

    /** This flag, meaningful only with one of {@code flags}: given without any of them, it is an error. */
    Flag<T> needs(Flag<?>... flags) {
        return new Flag<>(name, label, type, element, reader, option, fallback, help, List.of(flags));
    }

    /** The help text as {@code --help} shows it: for a duration, with the grammar its value is read with. */
    String description() {
        return reader instanceof DurationConverter ? help + " " + ((DurationConverter) reader).helpSentence() : help;
    }

    /** A fresh picocli option for one parse: the option holds the value it parses. */
    OptionSpec spec() {
        OptionSpec.Builder b = OptionSpec.builder(name).type(type).description(description());
        if (label != null) {
            b.paramLabel(label);
        }
        if (element != null) {
            b.auxiliaryTypes(element);
        }
        if (reader != null) {
            b.converters(reader);
        }
        if (fallback != null) {
            b.defaultValue(fallback);
        }
        return b.build();
    }

    /** Whether this flag was on the command line, as opposed to taking its default. */
    boolean given(CommandSpec command) {
        return command.commandLine().getParseResult().hasMatchedOption(name);
    }

    /** The value parsed into {@code command}: the default when not given, {@code null} if it has none. */
    @SuppressWarnings("unchecked")
    T value(CommandSpec command) {
        return (T) command.findOption(name).getValue();
    }
}
