package io.resilientconnector.internal.session;

import io.resilientconnector.ResilientConnector;

import java.util.function.Function;

/**
 * Reaches a connector's session from the library's own binders without a public accessor on
 * {@link ResilientConnector}, which sets it as its class initializes (the JDK's "shared secrets" pattern).
 */
public final class SessionAccess {

    private static volatile Function<ResilientConnector, ConnectorSession> sessions;

    private SessionAccess() {
    }

    /** Called once, by {@link ResilientConnector}'s static initializer. */
    public static void set(Function<ResilientConnector, ConnectorSession> sessions) {
        if (SessionAccess.sessions != null) {
            throw new IllegalStateException("the session accessor is set already");
        }
        SessionAccess.sessions = sessions;
    }

    /** {@code connector}'s session; its class is initialized, as there is an instance of it. */
    public static ConnectorSession of(ResilientConnector connector) {
        return sessions.apply(connector);
    }
}
