package io.resilientconnector.internal;

import io.netty.channel.Channel;
import io.resilientconnector.ConnectorState;

/**
 * Where a connector is in its life, and its current connection. Every change is one synchronized step, so
 * the application's threads and the event loop see one order of events. Thread-safe.
 */
public final class Lifecycle {

    private ConnectorState state = ConnectorState.NEW;
    private Channel channel;

    public synchronized ConnectorState state() {
        return state;
    }

    public synchronized Channel channel() {
        return channel;
    }

    /** NEW to CONNECTING; fails for any other state. */
    public synchronized void start() {
        if (state != ConnectorState.NEW) {
            throw new IllegalStateException("connector cannot start in state " + state
                    + " (expected: NEW; a connector starts once)");
        }
        state = ConnectorState.CONNECTING;
    }

    /** {@code ch} is ready: CONNECTED, unless the connector has ended, in which case it returns false. */
    public synchronized boolean ready(Channel ch) {
        if (state.isTerminal()) {
            return false;
        }
        state = ConnectorState.CONNECTED;
        channel = ch;
        return true;
    }

    /** A connection or an attempt ended: CONNECTING again, unless the connector has ended. */
    public synchronized void lost(Channel ch) {
        if (channel == ch) {
            channel = null;
        }
        if (!state.isTerminal()) {
            state = ConnectorState.CONNECTING;
        }
    }

    /** A reconnect is scheduled; returns false if the connector has ended. */
    public synchronized boolean waiting() {
        if (state.isTerminal()) {
            return false;
        }
        state = ConnectorState.WAITING_TO_RECONNECT;
        return true;
    }

    /** The policy gave up; returns false if the connector had ended already. */
    public synchronized boolean gaveUp() {
        if (state.isTerminal()) {
            return false;
        }
        state = ConnectorState.GAVE_UP;
        return true;
    }

    /**
     * CLOSED. Returns the state it was in, or {@code null} if it was closed already; {@link #channel()} then
     * still names the connection to close, which {@link #takeChannel()} hands over.
     */
    public synchronized ConnectorState close() {
        if (state == ConnectorState.CLOSED) {
            return null;
        }
        ConnectorState was = state;
        state = ConnectorState.CLOSED;
        return was;
    }

    /** The current connection, which the caller now closes. */
    public synchronized Channel takeChannel() {
        Channel ch = channel;
        channel = null;
        return ch;
    }
}
