package io.resilientconnector.internal;

import io.resilientconnector.ConnectorListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A connector's listeners, and the one way to call them. Application code is hostile by accident: whatever a
 * listener throws, an {@code Error} included, is logged with the connection it was told about and otherwise
 * ignored, so that it never changes what the connector does next. Only the JVM's own fatal errors go on
 * ({@link #rethrowIfFatal}). Thread-safe.
 */
public final class Listeners {

    private static final Logger logger = LoggerFactory.getLogger("io.resilientconnector.ResilientConnector");

    private final List<ConnectorListener> listeners;

    public Listeners(List<ConnectorListener> listeners) {
        this.listeners = new CopyOnWriteArrayList<>(listeners);
    }

    public void add(ConnectorListener listener) {
        listeners.add(listener);
    }

    /** Tells every listener {@code event}; {@code about} names the connection or connector for the log. */
    public void fire(Object about, Consumer<ConnectorListener> event) {
        for (ConnectorListener listener : listeners) {
            try {
                event.accept(listener);
            } catch (Throwable t) {
                rethrowIfFatal(t);
                logger.warn("{}: listener {} threw; the connector carries on", about, listener, t);
            }
        }
    }

    /**
     * Runs application code, {@code callback}, and logs what it throws instead of letting it unwind the caller.
     *
     * @param about what the log line names: a connection, or a connector
     */
    public static void guard(Object about, Runnable callback) {
        try {
            callback.run();
        } catch (Throwable t) {
            rethrowIfFatal(t);
            logger.warn("{}: listener threw; carrying on", about, t);
        }
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
