package io.resilientconnector.util;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls into application code, which is hostile by accident: whatever it throws, an {@code Error} included, is
 * logged with what it was told about and otherwise ignored, so that it never changes what the library does next.
 * Only the JVM's own fatal errors go on ({@link #rethrowIfFatal}).
 */
public final class ApplicationCode {

    private static final Logger logger = LoggerFactory.getLogger("io.resilientconnector.ResilientConnector");

    private ApplicationCode() {
    }

    /**
     * Runs {@code callback}, a call into {@code listener}, and logs what it throws instead of letting it unwind
     * the caller.
     *
     * @param about what the log line names: a connection, or a connector
     */
    public static void run(Object about, Object listener, Runnable callback) {
        try {
            callback.run();
        } catch (Throwable t) {
            threw(about, listener, t);
        }
    }

    /** {@code listener} threw {@code t} when told about {@code about}: logged, unless the JVM itself is failing. */
    public static void threw(Object about, Object listener, Throwable t) {
        rethrowIfFatal(t);
        logger.warn("{}: listener {} threw; carrying on", about, listener, t);
    }

    /**
     * Rethrows the errors after which the JVM cannot be trusted to go on: a {@link VirtualMachineError} other
     * than a {@link StackOverflowError}, which unwinds the stack it overflowed and leaves the JVM sound.
     */
    public static void rethrowIfFatal(Throwable t) {
        if (t instanceof VirtualMachineError && !(t instanceof StackOverflowError)) {
            throw (VirtualMachineError) t;
        }
    }
}
