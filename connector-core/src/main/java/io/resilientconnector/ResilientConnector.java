package io.resilientconnector;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.NoopAddressResolverGroup;
import io.resilientconnector.handler.ReceivedBytesLogger;
import io.resilientconnector.internal.connect.Dialer;
import io.resilientconnector.internal.connect.EndpointSequence;
import io.resilientconnector.internal.connect.Failback;
import io.resilientconnector.internal.connect.LeaveUnresolved;
import io.resilientconnector.internal.connect.Route;
import io.resilientconnector.internal.connect.RouteDatabase;
import io.resilientconnector.internal.connect.RouteOpener;
import io.resilientconnector.internal.liveness.ReadIdlePolicy;
import io.resilientconnector.internal.observe.JfrEvents;
import io.resilientconnector.internal.pipeline.ConnectionPipeline;
import io.resilientconnector.internal.pipeline.ConnectionSettings;
import io.resilientconnector.internal.pipeline.ReceivedBytesPreview;
import io.resilientconnector.internal.session.ConnectorSession;
import io.resilientconnector.internal.session.Listeners;
import io.resilientconnector.internal.session.PassAttempt;
import io.resilientconnector.internal.session.PendingSends;
import io.resilientconnector.internal.session.SessionAccess;
import io.resilientconnector.transport.HostResolver;
import io.resilientconnector.transport.OffLoopResolverGroup;
import io.resilientconnector.transport.SocketTuning;
import io.resilientconnector.transport.TransportType;
import io.resilientconnector.util.Durations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A TCP client connection that stays up: it detects a dead peer within the bound its keepalive options set,
 * says why each connection ended, and reconnects with backoff.
 *
 * <pre>{@code
 * ResilientConnector connector = ResilientConnector.builder(options)
 *         .handler(new ChannelInitializer<Channel>() {
 *             protected void initChannel(Channel ch) {
 *                 ch.pipeline().addLast(new LineBasedFrameDecoder(8192), new MyHandler());
 *             }
 *         })
 *         .listener(new ConnectorListener() { ... })
 *         .build();
 * connector.start();
 * connector.send(Unpooled.copiedBuffer("hello\n", US_ASCII));
 * }</pre>
 *
 * <h2>Delivery</h2>
 * {@link #send} hands a message to the current connection, or, while there is none, keeps it in a bounded
 * buffer and hands it to the next connection in order. Its future completes when the message's bytes have
 * been written to the socket, which means the kernel accepted them; it says nothing about whether the peer
 * received them. A connection that dies loses what the kernel had accepted but the peer had not
 * acknowledged: a byte stream cannot tell which bytes those were, so the connector never resends. Every
 * message either reaches the socket or its future fails with the reason: a write error, a full buffer
 * ({@link SendRejectedException.Reason#BUFFER_FULL}), {@link #close()}, or giving up. Delivery is therefore
 * at most once; protocols that need more must acknowledge at the application level.
 *
 * <p>Futures complete on an event loop thread; chain blocking work with the {@code ...Async} methods.
 *
 * <h2>Threads</h2>
 * Every method is thread-safe. Connectors share threads: those built without {@link Builder#resources} run on
 * the process-wide default {@link ConnectorResources} (one daemon thread per core), which are released a
 * second after the last of them closes. Each connector keeps to one event loop of its resources.
 */
public final class ResilientConnector implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(ResilientConnector.class);

    private static final Random SHARED_RANDOM = new Random();

    static {
        // The library's metrics binder observes the session, which no public method hands out.
        SessionAccess.set(connector -> connector.session);
    }

    private final ConnectorOptions options;
    private final ChannelHandler userHandler;
    private final ConnectorResources givenResources;
    private final HostResolver hostResolver;
    private final Random random;
    private final Listeners listeners;
    private final PendingSends pending;
    private final ConnectorSession session;

    private ResilientConnector(Builder b) {
        this.options = b.options;
        this.userHandler = b.handler;
        this.givenResources = b.resources;
        this.hostResolver = b.hostResolver;
        // Random is thread-safe: connectors that were given none share one, rather than keep 56 bytes each.
        this.random = b.random != null ? b.random : SHARED_RANDOM;
        List<ConnectorListener> all = new ArrayList<>(b.listeners);
        // Flight Recorder events first, so that their time stamps are not delayed by the application's listeners.
        JfrEvents flight = JfrEvents.AVAILABLE ? new JfrEvents(options.endpoint()) : null;
        if (flight != null) {
            all.add(0, flight.listener());
        }
        this.listeners = new Listeners(describeEndpoints(), all);
        this.pending = new PendingSends(options.maxPendingMessages(), options.maxPendingBytes(),
                rejected -> listeners.fire(null, l -> l.sendRejected(rejected)));
        this.session = new ConnectorSession(describeEndpoints(), options.endpoints(), pending, listeners,
                options.reconnect(), random, options.writeStallTimeout(), heartbeatNote());
        if (flight != null) {
            session.observe(flight);
        }
    }

    public static Builder builder(ConnectorOptions options) {
        return new Builder(options);
    }

    /**
     * Starts connecting. Failures to connect are not thrown: they are reported to listeners and retried. Does
     * nothing if the connector is closed while it starts.
     *
     * @throws IllegalStateException if the connector was started or closed before, if its resources are closed,
     *                               or if the requested transport is not available here (the message gives
     *                               Netty's reason) or does not match the resources'
     */
    public ResilientConnector start() {
        ConnectorState now = session.state();
        if (now != ConnectorState.NEW) {
            throw new IllegalStateException("connector cannot start in state " + now
                    + " (expected: NEW; a connector starts once)");
        }
        ConnectorResources res = givenResources;
        if (res != null) {
            res.checkOpen();
            TransportType wanted = options.transport();
            if (wanted != TransportType.AUTO && wanted != res.transport()) {
                throw new IllegalStateException("transport: " + wanted + " does not match the resources, which run "
                        + res.transport() + " (expected: AUTO or " + res.transport() + ")");
            }
        } else {
            res = SharedResources.acquire(options.transport());
        }
        if (givenResources != null) {
            // Fails for resources closed since the check above, before anything is taken.
            givenResources.adopt(session);
        }
        OffLoopResolverGroup ownResolver = hostResolver != null ? new OffLoopResolverGroup(hostResolver) : null;
        ConnectorResources taken = res;
        Runnable release = () -> {
            if (ownResolver != null) {
                ownResolver.close();
            }
            if (givenResources == null) {
                SharedResources.release(options.transport(), taken);
            } else {
                givenResources.forget(session);
            }
        };
        boolean started;
        try {
            started = session.start(wiring(res, ownResolver, release));
        } catch (RuntimeException | Error e) {
            release.run();
            throw e;
        }
        if (!started) {
            // Closed while it started: nothing will use what it took.
            release.run();
            return this;
        }
        logger.info("connector to {} starting: transport={} ({})", describeEndpoints(),
                res.resolvedTransport(), res.resolvedTransport().reason());
        for (String warning : res.tuning(options.keepAlive()).warnings()) {
            logger.warn("connector to {}: {}", describeEndpoints(), warning);
        }
        return this;
    }

    /** Everything a started connector works with, on {@code res}: one event loop, its passes and its pipeline. */
    private ConnectorSession.Wiring wiring(ConnectorResources res, OffLoopResolverGroup ownResolver, Runnable release) {
        SocketTuning tuning = res.tuning(options.keepAlive());
        EventLoop home = res.eventLoopGroup().next();
        ConnectionSettings settings = res.settings(options, ResilientConnector::connectionSettings);
        ProxyOptions proxy = options.proxy();
        AddressResolverGroup<InetSocketAddress> resolvers = ownResolver != null ? ownResolver : res.resolverGroup();
        ConnectionPipeline pipeline = new ConnectionPipeline(session, settings, userHandler,
                options.tls(), options.tlsHostnameVerification(), options.tlsHandshakeTimeout(),
                proxy == null ? null : proxy::newHandler, options.connectTimeout(), resolvers);
        RouteOpener opener = route -> open(res, home, tuning, pipeline, route);
        // Through a proxy, the proxy resolves the endpoints' names; the proxy's own name is resolved in the pipeline.
        AddressResolverGroup<InetSocketAddress> passResolvers = proxy == null ? resolvers : LeaveUnresolved.INSTANCE;
        List<InetSocketAddress> endpoints = new ArrayList<>();
        for (Endpoint e : options.endpoints()) {
            endpoints.add(e.unresolved());
        }
        Dialer dialer = new Dialer(sequence(endpoints), passResolvers, options.connectTimeout(), new RouteDatabase(),
                options.attemptDelay(), opener);
        PassAttempt attempt = new PassAttempt(dialer, home, pipeline, session);
        Failback failback = !options.failbackAfter().isZero() && endpoints.size() > 1
                ? new Failback(home, endpoints, dialer, options.failbackAfter(), attempt, attempt.events()) : null;
        return new ConnectorSession.Wiring(home, attempt, failback, tuning, res.limiter(), release);
    }

    /** What every connection of a connector with {@code options} is told; shared by connectors with equal options. */
    private static ConnectionSettings connectionSettings(ConnectorOptions options) {
        ConnectionSettings settings = new ConnectionSettings(options.readIdlePeriod(),
                new ReadIdlePolicy(options.readIdlePeriod(), options.readIdleCloseAfter(), options.readIdleLogLevel()),
                options.writeStallTimeout(),
                new ReceivedBytesPreview(options.receivedBytesLogLevel(), ReceivedBytesLogger.DEFAULT_PREVIEW_BYTES));
        HeartbeatOptions heartbeat = options.heartbeat();
        if (heartbeat != null) {
            settings = settings.withHeartbeat(heartbeat.idle(), heartbeat.timeout(), heartbeat::newProbe,
                    heartbeat.reply(), heartbeat.startWhenSignalled());
        }
        return settings;
    }

    /** What the "connected" line says of the heartbeat: the bound it sets on the whole path, or its absence. */
    private String heartbeatNote() {
        HeartbeatOptions heartbeat = options.heartbeat();
        if (heartbeat == null) {
            return options.proxy() == null ? ""
                    : " heartbeat=off (nothing watches the endpoint behind the proxy; set a heartbeat)";
        }
        return " heartbeat=idle " + Durations.format(heartbeat.idle()) + " timeout " + Durations.format(heartbeat.timeout())
                + " deadPeerBound[application]=" + Durations.format(heartbeat.idle().plus(heartbeat.timeout()))
                + " (the whole path)";
    }

    private EndpointSequence<InetSocketAddress> sequence(List<InetSocketAddress> endpoints) {
        switch (options.endpointOrder()) {
            case SHUFFLE:
                return EndpointSequence.shuffled(endpoints, random);
            case ROUND_ROBIN:
                return EndpointSequence.roundRobin(endpoints);
            default:
                return EndpointSequence.ordered(endpoints);
        }
    }

    private Object describeEndpoints() {
        return options.endpoints().size() == 1 ? options.endpoint() : options.endpoints();
    }

    /**
     * Opens a bare channel along {@code route}, for a pass: no handler but a proxy's, and auto-read off, so that
     * nothing is read before the application's handlers are on the winner. The connect timeout is this one
     * address's. The route's address is resolved already, or, through a proxy, left for the proxy to resolve.
     */
    private ChannelFuture open(ConnectorResources res, EventLoop home, SocketTuning tuning,
                               ConnectionPipeline pipeline, Route route) {
        Bootstrap bootstrap = tuning.applyTo(res.template().clone(home)
                .handler(pipeline.bare())
                .resolver(NoopAddressResolverGroup.INSTANCE)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) options.connectTimeout().toMillis()))
                .option(ChannelOption.AUTO_READ, false);
        return pipeline.tunnel(bootstrap.connect(route.address()));
    }

    /**
     * Sends {@code message}: at once when connected and the socket keeps up, otherwise after the messages
     * already waiting. The connector takes ownership of the message, releasing it if it is not written.
     *
     * @return a future that completes when the message is written to the socket, or fails with the reason it
     *         never will be
     */
    public CompletableFuture<Void> send(Object message) {
        Objects.requireNonNull(message, "message");
        return pending.send(message, session.state());
    }

    /** Where the connector is in its life. */
    public ConnectorState state() {
        return session.state();
    }

    /** The current connection, or {@code null} while there is none. */
    public Channel channel() {
        return session.channel();
    }

    /**
     * The endpoint of the current connection, or {@code null} while there is none. With several endpoints it says
     * which one the connector is on; the connection's {@link Channel#remoteAddress()} says which of its addresses.
     * Set before {@link ConnectorListener#connected} is called.
     */
    public Endpoint currentEndpoint() {
        return session.currentEndpoint();
    }

    /**
     * Cuts the current backoff wait short: the next pass starts now, still in turn under the resources'
     * connect-rate limit. Call it when the application learns that the network has changed, for example. Does
     * nothing while connected or connecting, after giving up, before {@link #start()} and after {@link #close()}.
     *
     * @return whether a wait was cut short
     */
    public boolean reconnectNow() {
        return session.reconnectNow();
    }

    /** The number of messages waiting for a connection or for the socket to drain. */
    public int pendingMessages() {
        return pending.size();
    }

    /** The bytes of the messages waiting for a connection or for the socket to drain. */
    public long pendingBytes() {
        return pending.bytes();
    }

    public ConnectorOptions options() {
        return options;
    }

    /**
     * A future that completes once the connector is closed and its connection with it: after {@link #close()}
     * or {@link #closeAsync()}, whoever called it. Each call returns a new view; completing it does nothing.
     */
    public CompletableFuture<Void> closeFuture() {
        return session.terminated().copy();
    }

    /** Adds a listener; it hears events from now on. */
    public void addListener(ConnectorListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Closes the connector: cancels any scheduled reconnect, closes the connection, fails every pending send
     * with {@link SendRejectedException.Reason#CLOSED}, and releases its share of the resources. It never
     * reconnects afterwards. Idempotent.
     *
     * @return a future that completes when the connection (and a failback's candidate or retired connection),
     *         and every attempt to open one, is closed, and the listeners have heard each connection's end
     */
    public CompletableFuture<Void> closeAsync() {
        ConnectorState was = session.close();
        if (was != null) {
            logger.info("connector to {} closing (was {})", describeEndpoints(), was);
        }
        return closeFuture();
    }

    /**
     * {@link #closeAsync()}, then waits up to 10 seconds for it, unless called from an event loop thread,
     * where waiting would deadlock.
     */
    @Override
    public void close() {
        CompletableFuture<Void> done = closeAsync();
        if (session.calledFromItsEventLoops()) {
            return;
        }
        try {
            done.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            logger.warn("connector to {}: close did not finish within 10s", describeEndpoints(), e);
        }
    }

    public static final class Builder {
        private final ConnectorOptions options;
        private ChannelHandler handler;
        private ConnectorResources resources;
        private HostResolver hostResolver;
        private Random random;
        private final List<ConnectorListener> listeners = new ArrayList<>();

        private Builder(ConnectorOptions options) {
            this.options = Objects.requireNonNull(options, "options");
        }

        /**
         * The application's handlers, installed fresh on every connection after the connector's own. Pass a
         * {@link ChannelInitializer}; any other handler must be {@link ChannelHandler.Sharable}. Required.
         *
         * <p>It is added with {@code pipeline.addLast}, as {@code Bootstrap.handler} adds it, so an initializer's
         * {@code handlerAdded} and {@code exceptionCaught} run as usual. When {@code initChannel} throws, Netty's
         * {@code exceptionCaught} logs the exception and closes the channel; the connector reports that
         * connection as {@code OTHER}, "the application's ChannelInitializer failed; its exception is in the
         * log", and reconnects as for any other loss.
         */
        public Builder handler(ChannelHandler handler) {
            Objects.requireNonNull(handler, "handler");
            if (handler instanceof ChannelHandlerAdapter && !((ChannelHandlerAdapter) handler).isSharable()) {
                throw new IllegalArgumentException("handler: " + handler.getClass().getName()
                        + " is not @Sharable (expected: a ChannelInitializer, which gives every connection fresh handlers)");
            }
            this.handler = handler;
            return this;
        }

        /**
         * The resources to run on, shared with other connectors. Defaults to the process-wide default for the
         * options' transport, shared by every connector built without resources.
         */
        public Builder resources(ConnectorResources resources) {
            this.resources = Objects.requireNonNull(resources, "resources");
            return this;
        }

        /**
         * Resolves this connector's host names with {@code hostResolver} instead of the resources' resolver.
         * Defaults to the resources' ({@link HostResolver#system()} unless set there).
         */
        public Builder hostResolver(HostResolver hostResolver) {
            this.hostResolver = Objects.requireNonNull(hostResolver, "hostResolver");
            return this;
        }

        /** The source of backoff jitter; seed it for a reproducible schedule. */
        public Builder random(Random random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        public Builder listener(ConnectorListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** @throws IllegalStateException if no handler was given */
        public ResilientConnector build() {
            if (handler == null) {
                throw new IllegalStateException("handler: not set (expected: a ChannelInitializer for the application's handlers)");
            }
            return new ResilientConnector(this);
        }
    }
}
