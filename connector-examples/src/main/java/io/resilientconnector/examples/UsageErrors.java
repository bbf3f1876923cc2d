package io.resilientconnector.examples;

import io.resilientconnector.InvalidOptionException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.List;
import java.util.function.Supplier;

/**
 * What the command says about invalid input: one line on stderr that names the flag and the form it expects,
 * never a stack trace, and exit code 2. A builder's complaint is restated in terms of the flag that set the
 * value, found from the option the builder names.
 */
final class UsageErrors {

    static final int EXIT_USAGE = CommandLine.ExitCode.USAGE;

    private final CommandLine commandLine;

    UsageErrors(CommandLine commandLine) {
        this.commandLine = commandLine;
    }

    /** {@code Invalid value for option '--flag': what (expected: expected)}. */
    ParameterException invalid(Flag<?> flag, String what, String expected) {
        return invalid(flag.name(), what, expected);
    }

    /** {@code Missing option '--flag' (expected: expected)}. */
    ParameterException missing(Flag<?> flag, String expected) {
        return new ParameterException(commandLine, "Missing option '" + flag.name() + "' (expected: " + expected + ")");
    }

    /** {@code Invalid combination of options: what}. */
    ParameterException combination(String what) {
        return new ParameterException(commandLine, "Invalid combination of options: " + what);
    }

    /** Runs one builder step, turning its complaint about a value into an error about the flag that set it. */
    void check(Supplier<?> step) {
        try {
            step.get();
        } catch (InvalidOptionException e) {
            throw invalid(Flags.flagFor(e.option()), oneLine(e.value()), e.expected());
        }
    }

    /**
     * Runs a step that checks several options against each other, such as a builder's {@code build()}, naming
     * the flags in its complaint.
     */
    <T> T together(Supplier<T> step) {
        try {
            return step.get();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw combination(Flags.restate(oneLine(String.valueOf(e.getMessage()))));
        }
    }

    private ParameterException invalid(String flag, String what, String expected) {
        return new ParameterException(commandLine, "Invalid value for option '" + flag + "': " + what
                + " (expected: " + expected + ")");
    }

    /** Prints {@code e} as one line on the command's stderr and returns the exit code for invalid input. */
    static int print(ParameterException e, String[] args) {
        String message = oneLine(String.valueOf(e.getMessage()));
        if (e instanceof UnmatchedArgumentException) {
            List<String> suggestions = ((UnmatchedArgumentException) e).getSuggestions();
            message += " (expected: one of the options --help lists"
                    + (suggestions.isEmpty() ? "" : "; did you mean " + String.join(" or ", suggestions) + "?") + ")";
        }
        PrintWriter err = e.getCommandLine().getErr();
        err.println(message);
        err.flush();
        return EXIT_USAGE;
    }

    /** {@code text} on one line, so that a value or a wrapped message cannot break the one-line form. */
    static String oneLine(String text) {
        return text.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }
}
