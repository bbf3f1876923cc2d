package io.resilientconnector.internal.session;

import io.netty.channel.Channel;
import io.resilientconnector.ConnectorListener;
import io.resilientconnector.Disconnection;
import io.resilientconnector.util.ApplicationCode;
import io.resilientconnector.util.ChannelLog;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A connector's listeners, and the one way to call them: through {@link ApplicationCode}, so that nothing a
 * listener throws changes what the connector does next. Thread-safe.
 */
public final class Listeners {

    private final Object name;
    private final List<ConnectorListener> listeners;

    /** @param name what a log line names when it is about the connector, not one connection */
    public Listeners(Object name, List<ConnectorListener> listeners) {
        this.name = name;
        this.listeners = new CopyOnWriteArrayList<>(listeners);
    }

    public void add(ConnectorListener listener) {
        listeners.add(listener);
    }

    /**
     * Tells every listener {@code event}. {@code about} is what it concerns, a {@link Channel}, a
     * {@link Disconnection} or {@code null} for the connector, and is turned into text only for a log line.
     */
    public void fire(Object about, Consumer<ConnectorListener> event) {
        for (ConnectorListener listener : listeners) {
            try {
                event.accept(listener);
            } catch (Throwable t) {
                ApplicationCode.threw(describe(about), listener, t);
            }
        }
    }

    /** The log's name for {@code about}: a connection's id and address, or the connector's target. */
    String describe(Object about) {
        if (about instanceof Channel) {
            return ChannelLog.id((Channel) about);
        }
        if (about instanceof Disconnection && ((Disconnection) about).connectionId() != null) {
            return "[" + ((Disconnection) about).connectionId() + "]";
        }
        return "connector to " + name;
    }
}
