package io.resilientconnector.internal;

import io.netty.channel.Channel;
import io.resilientconnector.ConnectorListener;
import io.resilientconnector.SendRejectedException;
import io.resilientconnector.cause.Disconnection;
import io.resilientconnector.transport.SocketTuning;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Turns a connector's steps into state changes and listener events. It hears the connection handler (ready,
 * idle, writable, ended) and the reconnect loop (connected, disconnected, scheduled, gave up), moves the
 * {@link Lifecycle}, hands the connection to the {@link PendingSends}, logs, and tells the application's
 * listeners, in that order. Runs on the connector's event loop.
 */
public final class ConnectorEvents implements ConnectionOwner, ConnectorListener {

    private static final Logger logger = LoggerFactory.getLogger("io.resilientconnector.ResilientConnector");

    private final Object endpoint;
    private final Lifecycle lifecycle;
    private final PendingSends pending;
    private final List<ConnectorListener> listeners;
    private final SocketTuning tuning;
    private final Duration writeStallTimeout;
    private final String heartbeatNote;
    private RateLimiter reconnectWarnings;
    private ReconnectLoop loop;

    /**
     * @param endpoint      what the log lines name as the connector's target
     * @param heartbeatNote what the "connected" line says of the heartbeat, or an empty string
     */
    public ConnectorEvents(Object endpoint, Lifecycle lifecycle, PendingSends pending, List<ConnectorListener> listeners,
                           SocketTuning tuning, Duration writeStallTimeout, String heartbeatNote) {
        this.heartbeatNote = heartbeatNote;
        this.endpoint = endpoint;
        this.lifecycle = lifecycle;
        this.pending = pending;
        this.listeners = listeners;
        this.tuning = tuning;
        this.writeStallTimeout = writeStallTimeout;
    }

    /** The loop whose steps these are; set once, before it starts. */
    public void loop(ReconnectLoop loop) {
        this.loop = loop;
    }

    // From the connection handler.

    @Override
    public void ready(Channel channel) {
        if (!lifecycle.ready(channel)) {
            channel.close();
            return;
        }
        pending.connected(channel);
        logger.info("{} connected: {}{}{}", ChannelLog.id(channel), tuning.readBack(channel).describe(writeStallTimeout),
                ProxyHandlers.describe(channel), heartbeatNote);
        loop.connected(channel);
    }

    @Override
    public void readIdle(Channel channel, int consecutive) {
        fire(l -> l.readIdle(channel, consecutive));
    }

    @Override
    public void heartbeat(Channel channel, long roundTripNanos) {
        Duration roundTrip = Duration.ofNanos(roundTripNanos);
        fire(l -> l.heartbeat(channel, roundTrip));
    }

    @Override
    public void writabilityChanged(Channel channel) {
        pending.writabilityChanged(channel);
    }

    @Override
    public void ended(Channel channel, Disconnection why) {
        pending.disconnected(channel);
        lifecycle.lost(channel);
        loop.lost(why);
    }

    // From the reconnect loop.

    @Override
    public void connected(Channel channel) {
        fire(l -> l.connected(channel));
    }

    @Override
    public void disconnected(Disconnection why) {
        lifecycle.lost(null);
        fire(l -> l.disconnected(why));
    }

    @Override
    public void reconnectScheduled(int attempt, Duration delay, Disconnection after) {
        if (!lifecycle.waiting()) {
            return;
        }
        long suppressed = warnings().tryAcquire();
        if (suppressed >= 0) {
            logger.warn("connector to {}: reconnecting in {} (attempt {}) after {}{}", endpoint,
                    Durations.approx(delay), attempt, after.cause(),
                    suppressed > 0 ? " (" + suppressed + " similar messages suppressed)" : "");
        }
        fire(l -> l.reconnectScheduled(attempt, delay, after));
    }

    @Override
    public void gaveUp(int attempts, Disconnection last) {
        if (!lifecycle.gaveUp()) {
            return;
        }
        logger.warn("connector to {}: gave up after {} attempts; last: {}", endpoint, attempts, last);
        pending.failAll(new SendRejectedException(SendRejectedException.Reason.GAVE_UP,
                "connector gave up reconnecting to " + endpoint + " after " + attempts + " attempts"));
        fire(l -> l.gaveUp(attempts, last));
    }

    private RateLimiter warnings() {
        // Created on the first reconnect: most connections never need it.
        if (reconnectWarnings == null) {
            reconnectWarnings = new RateLimiter(30, TimeUnit.SECONDS);
        }
        return reconnectWarnings;
    }

    private void fire(Consumer<ConnectorListener> event) {
        for (ConnectorListener listener : listeners) {
            try {
                event.accept(listener);
            } catch (RuntimeException e) {
                logger.warn("connector to {}: listener {} threw", endpoint, listener, e);
            }
        }
    }
}
