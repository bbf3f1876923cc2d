package io.resilientconnector.examples;

import org.slf4j.LoggerFactory;

/**
 * How much of the library's log the example shows. Every event already has its line on stdout, so by default
 * the library logs only warnings and errors: on a terminal, each event then shows once. {@code --verbose} brings
 * its INFO lines back. {@code logback.xml} starts at WARN, so nothing is logged at INFO before the flags are read.
 */
final class LibraryLog {

    /** The loggers set: the library's, the example's own included. */
    static final String LOGGERS = "io.resilientconnector";

    /** The levels the example uses. */
    enum Level {
        WARN, INFO
    }

    private LibraryLog() {
    }

    /**
     * Sets the library's level, where the logging backend is the example's own (logback), and returns the
     * level it had, for a caller that runs in a JVM it shares, such as a test, to put back.
     */
    static Level set(Level level) {
        if (!(LoggerFactory.getLogger(LOGGERS) instanceof ch.qos.logback.classic.Logger)) {
            return level;
        }
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(LOGGERS);
        Level was = logger.isInfoEnabled() ? Level.INFO : Level.WARN;
        logger.setLevel(level == Level.INFO ? ch.qos.logback.classic.Level.INFO : ch.qos.logback.classic.Level.WARN);
        return was;
    }
}
