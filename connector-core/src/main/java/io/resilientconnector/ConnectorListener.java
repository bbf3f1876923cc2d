package io.resilientconnector;

import io.netty.channel.Channel;
import io.resilientconnector.cause.Disconnection;

import java.time.Duration;

/**
 * Told about a connector's life, or, through {@link io.resilientconnector.handler.ReconnectHandler}, about
 * any reconnecting bootstrap's. Every event names its connection: a {@link Channel} (its id and remote
 * address), or a {@link Disconnection}, whose {@link Disconnection#connectionId()} and
 * {@link Disconnection#remoteAddress()} say which connection or attempt it was. Every method has an empty
 * default, so implement only what you need. Callbacks run on an event loop thread: they must not block. A
 * callback that throws is logged and ignored.
 */
public interface ConnectorListener {

    /** A connection is up, and messages sent while disconnected have been handed to it. */
    default void connected(Channel channel) {
    }

    /** A connection ended, or an attempt to open one failed; {@code why} says which, and why. */
    default void disconnected(Disconnection why) {
    }

    /** Attempt number {@code attempt} will start after {@code delay}, because of {@code after}. */
    default void reconnectScheduled(int attempt, Duration delay, Disconnection after) {
    }

    /** The reconnect policy allows no more attempts. The connector is now {@link ConnectorState#GAVE_UP}. */
    default void gaveUp(int attempts, Disconnection last) {
    }

    /** Nothing was read for a read-timeout period; {@code consecutive} counts periods since the last read. */
    default void readIdle(Channel channel, int consecutive) {
    }

    /**
     * A heartbeat probe was answered after {@code roundTrip}. A missed heartbeat ends the connection, reported
     * to {@link #disconnected} with the cause {@code UNRESPONSIVE}.
     */
    default void heartbeat(Channel channel, Duration roundTrip) {
    }

    /**
     * A message handed to {@link ResilientConnector#send} will not reach the socket; its future fails with
     * {@code rejected}, whose {@link SendRejectedException#reason()} says why. Runs on the thread that sent the
     * message ({@code BUFFER_FULL}), that closed the connector ({@code CLOSED}), or on the event loop
     * ({@code GAVE_UP}), once per message.
     */
    default void sendRejected(SendRejectedException rejected) {
    }
}
