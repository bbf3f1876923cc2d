package io.resilientconnector;

/**
 * An option was given a value outside its range. The message restates the check, as
 * {@code option: value (expected: range)}, and the three parts are available on their own, so that a caller
 * such as a command line can name its own flag without parsing the message.
 *
 * <p>Thrown by every options builder for a bad value. Settings that contradict each other are found at
 * {@code build()} and reported as an {@link IllegalStateException} instead.
 */
public final class InvalidOptionException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String option;
    private final String value;
    private final String expected;

    /**
     * @param option   the option's name as its builder spells it, for example {@code keepAlive.count}
     * @param value    the rejected value, formatted as the message shows it, for example {@code 1500ms}
     * @param expected what the option accepts, for example {@code 1..127}
     */
    public InvalidOptionException(String option, String value, String expected) {
        super(option + ": " + value + " (expected: " + expected + ")");
        this.option = option;
        this.value = value;
        this.expected = expected;
    }

    /** The option's name as its builder spells it, for example {@code keepAlive.count}. */
    public String option() {
        return option;
    }

    /** The rejected value, formatted as the message shows it, for example {@code 200} or {@code 1500ms}. */
    public String value() {
        return value;
    }

    /** What the option accepts, for example {@code 1..127} or {@code whole seconds in 1..32767}. */
    public String expected() {
        return expected;
    }
}
