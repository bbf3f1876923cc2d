package io.resilientconnector;

/** Where a {@link ResilientConnector} is in its life. */
public enum ConnectorState {
    /** Built, not started. Sends wait in the pending buffer. */
    NEW,
    /** An attempt to connect is under way. */
    CONNECTING,
    /** Connected; sends go to the socket. */
    CONNECTED,
    /** Disconnected, with a reconnect scheduled after the backoff delay. */
    WAITING_TO_RECONNECT,
    /** The reconnect policy allows no more attempts. Pending and new sends fail. Final. */
    GAVE_UP,
    /** {@link ResilientConnector#close()} was called. It never reconnects. Final. */
    CLOSED;

    /** Whether the connector will never connect again. */
    public boolean isTerminal() {
        return this == GAVE_UP || this == CLOSED;
    }
}
