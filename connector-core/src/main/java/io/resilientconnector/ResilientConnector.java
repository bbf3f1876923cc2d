package io.resilientconnector;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultMessageSizeEstimator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.resilientconnector.cause.DisconnectCause;
import io.resilientconnector.cause.Disconnection;
import io.resilientconnector.handler.ConnectionEventLogger;
import io.resilientconnector.handler.ReadIdleAction;
import io.resilientconnector.handler.ReadIdleHandler;
import io.resilientconnector.handler.ReceivedBytesLogger;
import io.resilientconnector.handler.ReconnectHandler;
import io.resilientconnector.handler.WriteProgressWatchdog;
import io.resilientconnector.internal.ChannelLog;
import io.resilientconnector.internal.Durations;
import io.resilientconnector.internal.ProxyHandlers;
import io.resilientconnector.internal.RateLimiter;
import io.resilientconnector.internal.UserInitializer;
import io.resilientconnector.transport.HostResolver;
import io.resilientconnector.transport.OffLoopResolverGroup;
import io.resilientconnector.transport.SocketTuning;
import io.resilientconnector.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

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
 * Every method is thread-safe. The connector owns an event loop group of one thread unless one is given,
 * and shuts it down on {@link #close()}.
 */
public final class ResilientConnector implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(ResilientConnector.class);

    private static final MessageSizeEstimator.Handle SIZES = DefaultMessageSizeEstimator.DEFAULT.newHandle();
    private static final ConnectionEventLogger EVENT_LOGGER = new ConnectionEventLogger();

    private final ConnectorOptions options;
    private final ChannelHandler userHandler;
    private final EventLoopGroup givenGroup;
    private final HostResolver hostResolver;
    private final Random random;
    private final List<ConnectorListener> listeners;
    private final ReceivedBytesLogger bytesLogger;
    private final RateLimiter reconnectWarnings = new RateLimiter(30, TimeUnit.SECONDS);
    private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();

    private final Object lock = new Object();
    // Guarded by lock.
    private ConnectorState state = ConnectorState.NEW;
    private Channel channel;
    private final ArrayDeque<PendingSend> pending = new ArrayDeque<>();
    private long pendingBytes;
    private long inFlightBytes;
    private boolean draining;
    private EventLoopGroup group;
    private ReconnectHandler reconnect;
    private OffLoopResolverGroup resolverGroup;
    private SocketTuning tuning;
    private long highWaterMark;

    private ResilientConnector(Builder b) {
        this.options = b.options;
        this.userHandler = b.handler;
        this.givenGroup = b.group;
        this.hostResolver = b.hostResolver;
        this.random = b.random;
        this.listeners = new CopyOnWriteArrayList<>(b.listeners);
        this.bytesLogger = new ReceivedBytesLogger(options.receivedBytesLogLevel(), ReceivedBytesLogger.DEFAULT_PREVIEW_BYTES);
    }

    public static Builder builder(ConnectorOptions options) {
        return new Builder(options);
    }

    /**
     * Starts connecting. Failures to connect are not thrown: they are reported to listeners and retried.
     *
     * @throws IllegalStateException if the connector was started before, or if the requested transport is not
     *                               available here (the message gives Netty's reason)
     */
    public ResilientConnector start() {
        synchronized (lock) {
            if (state != ConnectorState.NEW) {
                throw new IllegalStateException("connector cannot start in state " + state + " (expected: NEW; a connector starts once)");
            }
            Transport transport = givenGroup != null
                    ? Transport.forGroup(options.transport(), givenGroup) : Transport.resolve(options.transport());
            tuning = SocketTuning.plan(transport, options.keepAlive(), !options.keepAlive().userTimeoutDerived());
            group = givenGroup != null ? givenGroup : new MultiThreadIoEventLoopGroup(1,
                    new DefaultThreadFactory("resilient-connector", true), transport.ioHandlerFactory());
            resolverGroup = new OffLoopResolverGroup(hostResolver);
            Bootstrap bootstrap = new Bootstrap()
                    .group(group)
                    .channelFactory(transport.channelFactory())
                    // Through a proxy, the proxy resolves the endpoint; the proxy's own address is resolved in the pipeline.
                    .resolver(options.proxy() == null ? resolverGroup : NoopAddressResolverGroup.INSTANCE)
                    .remoteAddress(options.endpoint().unresolved())
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) options.connectTimeout().toMillis())
                    .handler(new Initializer());
            tuning.applyTo(bootstrap);
            reconnect = new ReconnectHandler(bootstrap, options.reconnect(), random, new ReconnectEvents());
            state = ConnectorState.CONNECTING;
            logger.info("connector to {} starting: transport={} ({})", options.endpoint(), transport, transport.reason());
            for (String warning : tuning.warnings()) {
                logger.warn("connector to {}: {}", options.endpoint(), warning);
            }
            reconnect.connect();
        }
        return this;
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
        CompletableFuture<Void> future = new CompletableFuture<>();
        int size = Math.max(0, SIZES.size(message));
        SendRejectedException rejected = null;
        synchronized (lock) {
            if (state.isTerminal()) {
                rejected = terminalRejection();
            } else if (channel != null && pending.isEmpty() && inFlightBytes < highWaterMark) {
                write(channel, message, size, future);
                channel.flush();
                return future;
            } else if (pending.size() >= options.maxPendingMessages() || pendingBytes + size > options.maxPendingBytes()) {
                rejected = new SendRejectedException(SendRejectedException.Reason.BUFFER_FULL,
                        "pending-send buffer full: " + pending.size() + " messages, " + pendingBytes
                                + " bytes waiting (limits: maxPendingMessages " + options.maxPendingMessages()
                                + ", maxPendingBytes " + options.maxPendingBytes() + "); state " + state);
            } else {
                pending.add(new PendingSend(message, size, future));
                pendingBytes += size;
                return future;
            }
        }
        ReferenceCountUtil.release(message);
        future.completeExceptionally(rejected);
        return future;
    }

    /** Where the connector is in its life. */
    public ConnectorState state() {
        synchronized (lock) {
            return state;
        }
    }

    /** The current connection, or {@code null} while there is none. */
    public Channel channel() {
        synchronized (lock) {
            return channel;
        }
    }

    /** The number of messages waiting for a connection or for the socket to drain. */
    public int pendingMessages() {
        synchronized (lock) {
            return pending.size();
        }
    }

    public ConnectorOptions options() {
        return options;
    }

    /** Adds a listener; it hears events from now on. */
    public void addListener(ConnectorListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Closes the connector: cancels any scheduled reconnect, closes the connection, fails every pending send
     * with {@link SendRejectedException.Reason#CLOSED}, and shuts down the event loop group if the connector
     * owns it. It never reconnects afterwards. Idempotent.
     *
     * @return a future that completes when the connection is closed and owned threads have stopped
     */
    public CompletableFuture<Void> closeAsync() {
        Channel open;
        List<PendingSend> failed;
        ConnectorState was;
        synchronized (lock) {
            if (state == ConnectorState.CLOSED) {
                return closeFuture;
            }
            was = state;
            state = ConnectorState.CLOSED;
            open = channel;
            channel = null;
            failed = new ArrayList<>(pending);
            pending.clear();
            pendingBytes = 0;
        }
        if (reconnect != null) {
            reconnect.stop();
        }
        failAll(failed, new SendRejectedException(SendRejectedException.Reason.CLOSED,
                "connector closed before the message was written"));
        logger.info("connector to {} closing (was {})", options.endpoint(), was);
        CompletableFuture<Void> channelClosed = new CompletableFuture<>();
        if (open != null) {
            Disconnection.record(open, Disconnection.of(DisconnectCause.LOCAL_CLOSE));
            open.close().addListener(f -> channelClosed.complete(null));
        } else {
            channelClosed.complete(null);
        }
        channelClosed.whenComplete((ignored, error) -> {
            if (resolverGroup != null) {
                resolverGroup.close();
            }
            if (givenGroup == null && group != null) {
                group.shutdownGracefully(0, 2, TimeUnit.SECONDS).addListener(f -> closeFuture.complete(null));
            } else {
                closeFuture.complete(null);
            }
        });
        return closeFuture;
    }

    /**
     * {@link #closeAsync()}, then waits up to 10 seconds for it, unless called from an event loop thread,
     * where waiting would deadlock.
     */
    @Override
    public void close() {
        CompletableFuture<Void> done = closeAsync();
        EventLoopGroup g;
        synchronized (lock) {
            g = group;
        }
        if (g != null && inEventLoop(g)) {
            return;
        }
        try {
            done.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            logger.warn("connector to {}: close did not finish within 10s", options.endpoint(), e);
        }
    }

    private static boolean inEventLoop(EventLoopGroup g) {
        for (io.netty.util.concurrent.EventExecutor executor : g) {
            if (executor.inEventLoop()) {
                return true;
            }
        }
        return false;
    }

    private SendRejectedException terminalRejection() {
        return state == ConnectorState.GAVE_UP
                ? new SendRejectedException(SendRejectedException.Reason.GAVE_UP,
                        "connector gave up reconnecting to " + options.endpoint())
                : new SendRejectedException(SendRejectedException.Reason.CLOSED, "connector is closed");
    }

    /** Writes one message to {@code ch}; caller holds the lock and flushes. */
    private void write(Channel ch, Object message, int size, CompletableFuture<Void> future) {
        inFlightBytes += size;
        ch.write(message).addListener(f -> {
            if (f.isSuccess()) {
                future.complete(null);
            } else {
                future.completeExceptionally(f.cause());
            }
            synchronized (lock) {
                inFlightBytes -= size;
                if (channel == ch && !pending.isEmpty()) {
                    drain(ch);
                }
            }
        });
    }

    /**
     * Hands waiting messages to {@code ch} while the socket keeps up. Caller holds the lock.
     *
     * <p>A flush on the event loop can complete writes before it returns (epoll and NIO write at once), and
     * their listeners cannot drain again while this runs, so it goes round until the socket stops taking
     * bytes; otherwise messages would wait with nothing left to wake them. A closing channel gets nothing:
     * its messages stay for the next connection.
     */
    private void drain(Channel ch) {
        if (draining) {
            return;
        }
        draining = true;
        try {
            while (canDrainTo(ch)) {
                do {
                    PendingSend next = pending.poll();
                    pendingBytes -= next.size;
                    write(ch, next.message, next.size, next.future);
                } while (canDrainTo(ch));
                ch.flush();
            }
        } finally {
            draining = false;
        }
    }

    private boolean canDrainTo(Channel ch) {
        return !pending.isEmpty() && inFlightBytes < highWaterMark && channel == ch && ch.isActive();
    }

    private static void failAll(List<PendingSend> sends, SendRejectedException why) {
        for (PendingSend send : sends) {
            ReferenceCountUtil.release(send.message);
            send.future.completeExceptionally(why);
        }
    }

    private void fire(Consumer<ConnectorListener> event) {
        for (ConnectorListener listener : listeners) {
            try {
                event.accept(listener);
            } catch (RuntimeException e) {
                logger.warn("connector to {}: listener {} threw", options.endpoint(), listener, e);
            }
        }
    }

    /** Builds each connection's pipeline: the connector's handlers, then the user's. */
    private final class Initializer extends ChannelInitializer<Channel> {
        @Override
        protected void initChannel(Channel ch) {
            if (options.proxy() != null) {
                // Ahead of TLS, which then runs through the tunnel.
                ProxyHandlers.install(ch, options.proxy().newHandler(), options.connectTimeout(), resolverGroup);
            }
            if (options.tls() != null) {
                // First, so the handlers after it see plaintext; its own close on a failed handshake does not
                // pass the event logger, which records the handshake failure instead of a local close.
                ch.pipeline().addLast("rc-tls", tlsHandler(ch));
            }
            ch.pipeline().addLast("rc-events", EVENT_LOGGER);
            ch.pipeline().addLast("rc-reconnect", reconnect);
            Duration stall = options.writeStallTimeout();
            if (!stall.isZero()) {
                ch.pipeline().addLast("rc-watchdog", new WriteProgressWatchdog(stall));
            }
            if (!options.readTimeout().isZero()) {
                ch.pipeline().addLast("rc-idle", new ReadIdleHandler(options.readTimeout()));
                ch.pipeline().addLast("rc-idle-action",
                        new ReadIdleAction(options.readTimeout(), options.readIdleCloseAfter(), options.readIdleLogLevel()));
            }
            ch.pipeline().addLast("rc-bytes", bytesLogger);
            ch.pipeline().addLast("rc-connector", new IdleReporter());
            try {
                UserInitializer.install(ch, "rc-user", userHandler);
            } catch (Exception | LinkageError e) {
                Disconnection.record(ch, Disconnection.of(DisconnectCause.OTHER, null, e)
                        .withDetail("the application's ChannelInitializer threw"));
                logger.warn("{} the application's ChannelInitializer threw; closing", ChannelLog.id(ch), e);
                ch.close();
                return;
            }
            ch.pipeline().addLast("rc-tail", new Tail());
        }
    }

    private SslHandler tlsHandler(Channel ch) {
        Endpoint endpoint = options.endpoint();
        SslHandler handler = options.tls().newHandler(ch.alloc(), endpoint.host(), endpoint.port());
        // Set either way: Netty 4.2 client contexts verify by default, so "off" has to be explicit too. The
        // JDK reads a null algorithm as "leave unchanged"; an empty one is what turns the identity check off.
        SSLEngine engine = handler.engine();
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm(options.tlsHostnameVerification() ? "HTTPS" : "");
        engine.setSSLParameters(parameters);
        return handler;
    }

    /** Tells listeners about read-idle periods, whatever the user's handlers do with the event. */
    private final class IdleReporter extends ChannelInboundHandlerAdapter {
        private int consecutive;

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof IdleStateEvent && ((IdleStateEvent) evt).state() == IdleState.READER_IDLE) {
                consecutive = ((IdleStateEvent) evt).isFirst() ? 1 : consecutive + 1;
                int n = consecutive;
                fire(l -> l.readIdle(ctx.channel(), n));
            }
            super.userEventTriggered(ctx, evt);
        }
    }

    /** Ends the pipeline: exceptions were logged and classified at its head, so they stop here quietly. */
    private static final class Tail extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            logger.debug("{} exception reached the end of the pipeline", ChannelLog.id(ctx.channel()), cause);
        }
    }

    /** Turns the reconnect handler's steps into state changes and listener events. */
    private final class ReconnectEvents implements ReconnectHandler.Listener {
        @Override
        public void connected(Channel ch) {
            // Through a proxy, connected means its tunnel is open first; a failed handshake closes the channel
            // and is reported as lost.
            ProxyHandlers.afterTunnel(ch, () -> afterTunnel(ch));
        }

        private void afterTunnel(Channel ch) {
            SslHandler tls = ch.pipeline().get(SslHandler.class);
            if (tls == null) {
                ready(ch);
            } else {
                // Connected means the handshake succeeded; a failure closes the channel and is reported as lost.
                tls.handshakeFuture().addListener(f -> {
                    if (f.isSuccess()) {
                        ready(ch);
                    }
                });
            }
        }

        private void ready(Channel ch) {
            synchronized (lock) {
                if (state.isTerminal()) {
                    ch.close();
                    return;
                }
                state = ConnectorState.CONNECTED;
                channel = ch;
                highWaterMark = ch.config().getWriteBufferHighWaterMark();
                inFlightBytes = 0;
                drain(ch);
            }
            logger.info("{} connected: {}{}", ChannelLog.id(ch), tuning.readBack(ch).describe(options.writeStallTimeout()),
                    ProxyHandlers.describe(ch));
            fire(l -> l.connected(ch));
        }

        @Override
        public void connectionLost(Channel ch, Disconnection why) {
            synchronized (lock) {
                if (channel == ch) {
                    channel = null;
                }
                if (!state.isTerminal()) {
                    state = ConnectorState.CONNECTING;
                }
            }
            fire(l -> l.disconnected(why));
        }

        @Override
        public void reconnectScheduled(int attempt, Duration delay, Disconnection after) {
            synchronized (lock) {
                if (state.isTerminal()) {
                    return;
                }
                state = ConnectorState.WAITING_TO_RECONNECT;
            }
            long suppressed = reconnectWarnings.tryAcquire();
            if (suppressed >= 0) {
                logger.warn("connector to {}: reconnecting in {} (attempt {}) after {}{}", options.endpoint(),
                        Durations.approx(delay), attempt, after.cause(),
                        suppressed > 0 ? " (" + suppressed + " similar messages suppressed)" : "");
            }
            fire(l -> l.reconnectScheduled(attempt, delay));
        }

        @Override
        public void gaveUp(int attempts, Disconnection last) {
            List<PendingSend> failed;
            synchronized (lock) {
                if (state.isTerminal()) {
                    return;
                }
                state = ConnectorState.GAVE_UP;
                failed = new ArrayList<>(pending);
                pending.clear();
                pendingBytes = 0;
            }
            logger.warn("connector to {}: gave up after {} attempts; last: {}", options.endpoint(), attempts, last);
            failAll(failed, new SendRejectedException(SendRejectedException.Reason.GAVE_UP,
                    "connector gave up reconnecting to " + options.endpoint() + " after " + attempts + " attempts"));
            fire(l -> l.gaveUp(attempts, last));
        }
    }

    private static final class PendingSend {
        final Object message;
        final int size;
        final CompletableFuture<Void> future;

        PendingSend(Object message, int size, CompletableFuture<Void> future) {
            this.message = message;
            this.size = size;
            this.future = future;
        }
    }

    public static final class Builder {
        private final ConnectorOptions options;
        private ChannelHandler handler;
        private EventLoopGroup group;
        private HostResolver hostResolver = HostResolver.system();
        private Random random = new Random();
        private final List<ConnectorListener> listeners = new ArrayList<>();

        private Builder(ConnectorOptions options) {
            this.options = Objects.requireNonNull(options, "options");
        }

        /**
         * The application's handlers, installed fresh on every connection after the connector's own. Pass a
         * {@link ChannelInitializer}; any other handler must be {@link ChannelHandler.Sharable}. Required.
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
         * Runs the connector on {@code group} instead of a group of its own. The group's I/O handler decides the
         * transport, and the connector leaves the group running on close.
         */
        public Builder eventLoopGroup(EventLoopGroup group) {
            this.group = Objects.requireNonNull(group, "eventLoopGroup");
            return this;
        }

        /** Defaults to {@link HostResolver#system()}. */
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
