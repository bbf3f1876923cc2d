package io.resilientconnector.internal.session;

import io.resilientconnector.ConnectorListener;
import io.resilientconnector.util.ApplicationCode;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A connector's listeners, and the one way to call them: through {@link ApplicationCode}, so that nothing a
 * listener throws changes what the connector does next. Thread-safe.
 */
public final class Listeners {

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
                ApplicationCode.threw(about, listener, t);
            }
        }
    }
}
