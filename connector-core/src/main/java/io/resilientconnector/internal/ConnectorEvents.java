package io.resilientconnector.internal;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.resilientconnector.ConnectorListener;
import io.resilientconnector.Endpoint;
import io.resilientconnector.SendRejectedException;
import io.resilientconnector.DisconnectCause;
import io.resilientconnector.Disconnection;
import io.resilientconnector.transport.SocketTuning;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Turns a connector's steps into state changes and listener events. It hears the connection handler (ready,
 * idle, writable, ended) and the reconnect loop (connected, disconnected, scheduled, gave up), moves the
 * {@link Lifecycle}, hands the connection to the {@link PendingSends}, logs, and tells the application's
 * listeners, in that order. Runs on the connector's event loop.
 *
 * <p>It also knows each connection it is told about ({@link #installing}): the endpoint it reached, and its
 * part. The current connection's end starts a reconnect. A failback's candidate replaces the current connection
 * once ready; the connection it replaces is then retired: its sends are flushed, it is closed, and its end is
 * reported without a reconnect.
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
    // Sized for the usual one endpoint and one connection: a default table costs 80 bytes a connector.
    private final Map<InetSocketAddress, Endpoint> endpoints = new LinkedHashMap<>(2);
    private Failback failback;
    private volatile Endpoint currentEndpoint;
    // Confined to the event loop: every connection between its setup and its end.
    private final Map<Channel, Connection> connections = new HashMap<>(2);

    /** A connection's part in the connector. */
    private enum Part { CURRENT, CANDIDATE, RETIRED }

    private static final class Connection {
        final Endpoint endpoint;
        Part part;
        // What a close waits on: run once this connection's end has been told.
        Runnable afterEnd;

        Connection(Endpoint endpoint, Part part) {
            this.endpoint = endpoint;
            this.part = part;
        }
    }

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

    /** The connector's endpoints, in the order given; set once, before the loop starts. */
    public void endpoints(List<Endpoint> list) {
        for (Endpoint e : list) {
            endpoints.put(e.unresolved(), e);
        }
    }

    /** Moves the connection back to a higher endpoint, or {@code null}; set once, before the loop starts. */
    public void failback(Failback failback) {
        this.failback = failback;
    }

    /** The endpoint of the current connection, or {@code null} while there is none. */
    public Endpoint currentEndpoint() {
        return currentEndpoint;
    }

    /**
     * A race's winner, along {@code endpoint}, is about to get the application's pipeline: as the next current
     * connection, or as a failback's candidate. Returns false if the connector has ended.
     */
    public boolean installing(Channel channel, InetSocketAddress endpoint, boolean candidate) {
        if (lifecycle.state().isTerminal()) {
            return false;
        }
        connections.put(channel, new Connection(endpoint(endpoint), candidate ? Part.CANDIDATE : Part.CURRENT));
        return true;
    }

    /** The pipeline could not be set up on {@code channel}, which is closed; its failure is reported by the caller. */
    public void notInstalled(Channel channel) {
        connections.remove(channel);
    }

    /**
     * The connector is closing: no more failback, and the connections it holds besides the current one (a
     * failback's candidate, a connection it retired) close. Runs {@code allTold} once their ends have been told.
     */
    public void closing(Runnable allTold) {
        if (failback != null) {
            failback.stop();
        }
        List<Channel> others = new ArrayList<>(2);
        connections.forEach((channel, c) -> {
            if (c.part != Part.CURRENT) {
                others.add(channel);
            }
        });
        if (others.isEmpty()) {
            allTold.run();
            return;
        }
        // Confined to the event loop, as the ends are told on it.
        int[] left = {others.size()};
        for (Channel channel : others) {
            channel.close();
            afterEnd(channel, () -> {
                if (--left[0] == 0) {
                    allTold.run();
                }
            });
        }
    }

    // From a pass.

    /** An attempt to {@code address}, one of {@code endpoint}'s, starts. */
    public void attemptStarted(InetSocketAddress endpoint, InetSocketAddress address) {
        Endpoint e = endpoint(endpoint);
        fire(l -> l.attemptStarted(e, address));
    }

    /** The attempt to {@code address} failed. */
    public void attemptFailed(InetSocketAddress endpoint, InetSocketAddress address, Disconnection why) {
        Endpoint e = endpoint(endpoint);
        logger.debug("connector to {}: attempt to {} ({}) failed: {}", this.endpoint, e, ChannelLog.address(address), why);
        fire(l -> l.attemptFailed(e, address, why));
    }

    private Endpoint endpoint(InetSocketAddress unresolved) {
        Endpoint e = endpoints.get(unresolved);
        return e != null ? e : Endpoint.of(unresolved.getHostString(), unresolved.getPort());
    }
    // From the connection handler.

    @Override
    public void ready(Channel channel) {
        Connection c = connections.get(channel);
        Channel previous = lifecycle.channel();
        if (c != null && c.part == Part.CANDIDATE && (previous == null || failback == null || !failback.hasCandidate())) {
            // The connection it was to replace ended meanwhile, and the reconnect loop is in charge again.
            channel.close();
            return;
        }
        if (c == null || c.part == Part.RETIRED || !lifecycle.ready(channel)) {
            channel.close();
            return;
        }
        c.part = Part.CURRENT;
        pending.connected(channel);
        logger.info("{} connected: {}{}{}", ChannelLog.id(channel), tuning.readBack(channel).describe(writeStallTimeout),
                ProxyHandlers.describe(channel), heartbeatNote);
        currentEndpoint = c.endpoint;
        if (previous != null && previous != channel) {
            retire(previous, c.endpoint);
        }
        loop.connected(channel);
        if (failback != null) {
            failback.connected(c.endpoint.unresolved());
        }
    }

    /**
     * Lets {@code old} go after a failback: sends from now on go to the new connection, and what {@code old}
     * already has goes out before it closes. Netty's close fails whatever waits in the channel's outbound
     * buffer, so the close waits for an empty write, flushed from the connection handler behind every earlier
     * write: it completes once all of them have reached the socket.
     */
    private void retire(Channel old, Endpoint to) {
        Connection c = connections.get(old);
        if (c != null) {
            c.part = Part.RETIRED;
        }
        pending.disconnected(old);
        ConnectionHandler handler = old.pipeline().get(ConnectionHandler.class);
        if (handler != null) {
            handler.record().record(Disconnection.of(DisconnectCause.LOCAL_CLOSE)
                    .withDetail("replaced by a connection to " + to + " (failback)"));
        }
        ChannelHandlerContext ctx = old.pipeline().context(ConnectionHandler.class);
        if (ctx == null) {
            old.close();
            return;
        }
        logger.info("{} failing back to {}: closing this connection once its writes are flushed", ChannelLog.id(old), to);
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> old.close());
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

    /**
     * Runs {@code then} once the end of {@code channel} has been told to the listeners, or now if it has been, so
     * that a close completes after its DISCONNECTED event, not between the channel's close and its
     * {@code channelInactive}.
     */
    public void afterEnd(Channel channel, Runnable then) {
        Connection c = connections.get(channel);
        if (c == null) {
            then.run();
        } else {
            Runnable before = c.afterEnd;
            c.afterEnd = before == null ? then : () -> {
                before.run();
                then.run();
            };
        }
    }

    @Override
    public void ended(Channel channel, Disconnection why) {
        Connection c = connections.remove(channel);
        try {
            told(c, channel, why);
        } finally {
            if (c != null && c.afterEnd != null) {
                c.afterEnd.run();
            }
        }
    }

    private void told(Connection c, Channel channel, Disconnection why) {
        if (c != null && c.part == Part.RETIRED) {
            fire(l -> l.disconnected(why));
            return;
        }
        if (c != null && c.part == Part.CANDIDATE) {
            if (failback != null) {
                failback.candidateFailed(why);
            }
            InetSocketAddress address = why.remoteAddress() instanceof InetSocketAddress
                    ? (InetSocketAddress) why.remoteAddress() : c.endpoint.unresolved();
            fire(l -> l.attemptFailed(c.endpoint, address, why));
            return;
        }
        if (failback != null && channel == lifecycle.channel()) {
            failback.stop();
        }
        if (channel == lifecycle.channel()) {
            currentEndpoint = null;
        }
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
