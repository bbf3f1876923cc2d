package io.resilientconnector;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.NettyRuntime;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.resilientconnector.internal.pipeline.ConnectionSettings;
import io.resilientconnector.internal.reconnect.ConnectRateLimiter;
import io.resilientconnector.internal.session.ConnectorSession;
import io.resilientconnector.transport.HostResolver;
import io.resilientconnector.transport.KeepAliveOptions;
import io.resilientconnector.transport.OffLoopResolverGroup;
import io.resilientconnector.transport.SocketTuning;
import io.resilientconnector.transport.Transport;
import io.resilientconnector.transport.TransportType;
import io.resilientconnector.util.Checks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * What many connectors share: the event loop group (one daemon thread per core, on the best transport), the
 * pool that resolves host names off the event loops, the transport and its socket-option plans, a template
 * bootstrap, and an optional limit on connection attempts per second.
 *
 * <p>Connectors built without resources share a process-wide default per transport, created on first use and
 * released a second after its last connector closes, so close-then-reopen does not churn threads. Create
 * resources yourself to isolate a group of connectors, to use your own event loop group, or to limit their
 * connect rate; close them after their connectors:
 *
 * <pre>{@code
 * try (ConnectorResources resources = ConnectorResources.builder().connectRateLimit(200).build()) {
 *     for (Endpoint device : devices) {
 *         connectors.add(ResilientConnector.builder(optionsFor(device)).resources(resources)
 *                 .handler(initializer).build().start());
 *     }
 *     ...
 * }
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class ConnectorResources implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(ConnectorResources.class);

    /** The most attempts per second {@link Builder#connectRateLimit} accepts. */
    public static final double MAX_CONNECT_RATE = 1_000_000;
    /** The largest burst {@link Builder#connectBurst} accepts. */
    public static final int MAX_CONNECT_BURST = 1_000_000;
    /** Defaults to 1: attempts are spread evenly at the limit. */
    public static final int DEFAULT_CONNECT_BURST = 1;
    private static final int MAX_SHARED_SETTINGS = 256;

    /** The most threads {@link Builder#threads} accepts. */
    public static final int MAX_THREADS = 1024;

    private final Transport transport;
    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final OffLoopResolverGroup resolverGroup;
    private final ConnectRateLimiter limiter;
    private final double connectRate;
    private final int connectBurst;
    private final Bootstrap template;
    private final ConcurrentMap<KeepAliveOptions, SocketTuning> plans = new ConcurrentHashMap<>();
    private final ConcurrentMap<List<Object>, ConnectionSettings> settings = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
    // Guarded by this: the connectors started on these resources and not yet ended, closed with them.
    private final Set<ConnectorSession> sessions = new HashSet<>();
    private volatile boolean closed;

    private ConnectorResources(Builder b) {
        this.ownsGroup = b.group == null;
        this.transport = b.group != null ? Transport.forGroup(b.transport, b.group) : Transport.resolve(b.transport);
        int threads = b.threads > 0 ? b.threads : NettyRuntime.availableProcessors();
        this.group = b.group != null ? b.group : new MultiThreadIoEventLoopGroup(threads,
                new DefaultThreadFactory("resilient-connector", true), transport.ioHandlerFactory());
        this.resolverGroup = new OffLoopResolverGroup(b.hostResolver);
        this.connectRate = b.connectRate;
        this.connectBurst = b.connectBurst;
        this.limiter = b.connectRate > 0 ? new ConnectRateLimiter(b.connectRate, b.connectBurst) : null;
        this.template = new Bootstrap().group(group).channelFactory(transport.channelFactory()).resolver(resolverGroup);
        logger.debug("connector resources: transport={} ({}), {} event loop thread(s){}", transport, transport.reason(),
                threads, limiter != null ? ", at most " + b.connectRate + " connects a second" : "");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The transport every connector of these resources uses. */
    public TransportType transport() {
        return transport.type();
    }

    /** The event loop group the connectors run on. */
    public EventLoopGroup eventLoopGroup() {
        return group;
    }

    /** The connect-rate limit in attempts per second, or 0 if there is none. */
    public double connectRateLimit() {
        return connectRate;
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes the resources: shuts down the event loop group if they created it (a group given to the builder
     * is left running). Close the connectors that use them first: a connector still running is closed here, with
     * a warning, before the group goes. Idempotent.
     */
    public CompletableFuture<Void> closeAsync() {
        List<ConnectorSession> live;
        synchronized (this) {
            if (closed) {
                return closeFuture;
            }
            closed = true;
            live = new ArrayList<>(sessions);
        }
        // Each connector closes its connections on its loop while the loop still runs, so that their ends pass
        // through the pipeline and are told; a group that shuts down closes its channels without that.
        List<CompletableFuture<Void>> ended = new ArrayList<>(live.size());
        for (ConnectorSession session : live) {
            session.resourcesClosed();
            ended.add(session.terminated());
        }
        CompletableFuture.allOf(ended.toArray(new CompletableFuture[0]))
                .completeOnTimeout(null, 5, TimeUnit.SECONDS)
                .whenComplete((ignored, error) -> {
                    resolverGroup.close();
                    if (ownsGroup) {
                        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).addListener(f -> closeFuture.complete(null));
                    } else {
                        closeFuture.complete(null);
                    }
                });
        return closeFuture;
    }

    /** {@link #closeAsync()}, waiting up to 10 seconds unless called from one of the group's own threads. */
    @Override
    public void close() {
        CompletableFuture<Void> done = closeAsync();
        for (EventExecutor executor : group) {
            if (executor.inEventLoop()) {
                return;
            }
        }
        try {
            done.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            logger.warn("connector resources: close did not finish within 10s", e);
        }
    }

    @Override
    public String toString() {
        return "ConnectorResources{transport=" + transport + ", group=" + (ownsGroup ? "own" : "given")
                + (limiter != null ? ", connectRateLimit=" + connectRate + "/s, connectBurst=" + connectBurst : "")
                + (closed ? ", closed" : "") + '}';
    }

    Transport resolvedTransport() {
        return transport;
    }

    /** The template every connect attempt clones: group, channel type and resolver are set. */
    Bootstrap template() {
        return template;
    }

    /** The resolver the template uses: host names are looked up off the event loops. */
    OffLoopResolverGroup resolverGroup() {
        return resolverGroup;
    }

    ConnectRateLimiter limiter() {
        return limiter;
    }

    /** The socket options for {@code keepAlive} on this transport, worked out once per distinct options. */
    SocketTuning tuning(KeepAliveOptions keepAlive) {
        return plans.computeIfAbsent(keepAlive,
                k -> SocketTuning.plan(transport, k, !k.userTimeoutDerived()));
    }

    /**
     * What every connection of connectors with {@code options} is told, made once per distinct options, so that
     * thousands of connectors built from equal options share it.
     */
    ConnectionSettings settings(ConnectorOptions options, Function<ConnectorOptions, ConnectionSettings> make) {
        // Keyed by what the settings are made of, not by the options, which differ in their endpoints.
        List<Object> key = Arrays.asList(options.readIdlePeriod(), options.readIdleCloseAfter(),
                options.readIdleLogLevel(), options.writeStallTimeout(), options.receivedBytesLogLevel(),
                options.heartbeat());
        ConnectionSettings shared = settings.get(key);
        if (shared != null) {
            return shared;
        }
        ConnectionSettings made = make.apply(options);
        // Bounded: connectors that each set their own periods get their own settings.
        if (settings.size() < MAX_SHARED_SETTINGS) {
            ConnectionSettings raced = settings.putIfAbsent(key, made);
            return raced != null ? raced : made;
        }
        return made;
    }

    /** {@code session} runs on these resources until it ends; it is closed with them. */
    void adopt(ConnectorSession session) {
        synchronized (this) {
            if (!closed) {
                sessions.add(session);
                return;
            }
        }
        checkOpen();
    }

    /** {@code session} has ended. */
    synchronized void forget(ConnectorSession session) {
        sessions.remove(session);
    }

    /** Throws the error a connector gets for starting on closed resources. */
    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("resources: " + this + " are closed (expected: open resources; "
                    + "close connectors before their resources, and build new resources to start again)");
        }
    }

    public static final class Builder {
        private TransportType transport = TransportType.AUTO;
        private int threads;
        private EventLoopGroup group;
        private HostResolver hostResolver = HostResolver.system();
        private double connectRate;
        private int connectBurst = DEFAULT_CONNECT_BURST;

        private Builder() {
        }

        /** Defaults to {@link TransportType#AUTO}: the best transport here, or the given group's. */
        public Builder transport(TransportType transport) {
            this.transport = Checks.notNull(transport, "transport");
            return this;
        }

        /** Event loop threads, 1..1024. Defaults to the number of cores. Not with {@link #eventLoopGroup}. */
        public Builder threads(int threads) {
            this.threads = Checks.inRange(threads, 1, MAX_THREADS, "threads");
            return this;
        }

        /**
         * Runs the connectors on {@code group} instead of a group of the resources' own. The group's I/O
         * handler decides the transport, and closing the resources leaves the group running.
         */
        public Builder eventLoopGroup(EventLoopGroup group) {
            this.group = Checks.notNull(group, "eventLoopGroup");
            return this;
        }

        /** Defaults to {@link HostResolver#system()}. */
        public Builder hostResolver(HostResolver hostResolver) {
            this.hostResolver = Checks.notNull(hostResolver, "hostResolver");
            return this;
        }

        /**
         * At most this many connection attempts a second, over every connector of these resources, first
         * connects and reconnects alike; an attempt over the limit waits for its turn. An attempt is a pass: one
         * try of every address of every endpoint, however many addresses that is, because the limit is there to
         * spread a fleet's reconnects over time, and a pass is what each connector's backoff schedules. Off by
         * default.
         */
        public Builder connectRateLimit(double attemptsPerSecond) {
            if (!(attemptsPerSecond > 0) || attemptsPerSecond > MAX_CONNECT_RATE) {
                throw new IllegalArgumentException("connectRateLimit: " + attemptsPerSecond
                        + " (expected: > 0 and <= " + (long) MAX_CONNECT_RATE + " attempts per second)");
            }
            this.connectRate = attemptsPerSecond;
            return this;
        }

        /**
         * How many attempts may start at once after a quiet period, 1..1000000. Defaults to
         * {@link #DEFAULT_CONNECT_BURST}. Needs {@link #connectRateLimit}.
         */
        public Builder connectBurst(int burst) {
            this.connectBurst = Checks.inRange(burst, 1, MAX_CONNECT_BURST, "connectBurst");
            return this;
        }

        /**
         * @throws IllegalStateException if settings contradict each other, or if the transport asked for is
         *                               not available here (the message gives Netty's reason)
         */
        public ConnectorResources build() {
            Checks.state(group == null || threads == 0, "threads: " + threads
                    + " with an eventLoopGroup (expected: one or the other; the group decides its threads)");
            Checks.state(connectBurst == DEFAULT_CONNECT_BURST || connectRate > 0, "connectBurst: " + connectBurst
                    + " without a connectRateLimit (expected: connectRateLimit(attemptsPerSecond) too)");
            return new ConnectorResources(this);
        }
    }
}
