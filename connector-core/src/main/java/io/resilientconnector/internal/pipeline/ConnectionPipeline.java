package io.resilientconnector.internal.pipeline;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.proxy.ProxyHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.ReferenceCountUtil;
import io.resilientconnector.DisconnectCause;
import io.resilientconnector.Disconnection;
import io.resilientconnector.internal.ending.DisconnectRecorder;
import io.resilientconnector.internal.ending.Disconnections;
import io.resilientconnector.util.ChannelLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * Builds each connection's pipeline, in two steps. A race's channels are bare ({@link #bare()}): nothing on them
 * but a proxy's handlers when there is a proxy, so that a loser costs a socket and no more. The winner then
 * gets TLS, the connector's one {@link ConnectionHandler} and the application's handlers
 * ({@link #install}). One instance serves every connection of a connector.
 */
public final class ConnectionPipeline {

    private static final Logger logger = LoggerFactory.getLogger(ConnectionPipeline.class);
    static final String BARE_TAIL = "rc-bare";

    private final ConnectionOwner owner;
    private final ConnectionSettings settings;
    private final ChannelHandler application;
    private final SslContext tls;
    private final boolean tlsHostnameVerification;
    private final Duration tlsHandshakeTimeout;
    private final Supplier<? extends ProxyHandler> proxy;
    private final Duration proxyHandshakeTimeout;
    private final AddressResolverGroup<InetSocketAddress> proxyResolvers;
    private final Bare bare = new Bare();

    /**
     * @param tls                   the client TLS context, or {@code null} for plain TCP
     * @param tlsHandshakeTimeout   how long the TLS handshake may take
     * @param proxy                 makes a proxy handler per connection, or {@code null} to connect directly
     * @param proxyHandshakeTimeout how long the proxy may take to open its tunnel
     * @param proxyResolvers        resolves the proxy's own address off the event loop
     */
    public ConnectionPipeline(ConnectionOwner owner, ConnectionSettings settings, ChannelHandler application,
                              SslContext tls, boolean tlsHostnameVerification, Duration tlsHandshakeTimeout,
                              Supplier<? extends ProxyHandler> proxy, Duration proxyHandshakeTimeout,
                              AddressResolverGroup<InetSocketAddress> proxyResolvers) {
        this.proxy = proxy;
        this.proxyHandshakeTimeout = proxyHandshakeTimeout;
        this.proxyResolvers = proxyResolvers;
        this.owner = owner;
        this.settings = settings;
        this.application = application;
        this.tls = tls;
        this.tlsHostnameVerification = tlsHostnameVerification;
        this.tlsHandshakeTimeout = tlsHandshakeTimeout;
    }

    /** What a race's bare channels start with: a proxy's handlers, or nothing. */
    public ChannelHandler bare() {
        return bare;
    }

    /**
     * {@code connect}, or, with a proxy, a future that completes once the proxy's tunnel is open: a route can
     * carry the application's traffic only then.
     */
    public ChannelFuture tunnel(ChannelFuture connect) {
        if (proxy == null) {
            return connect;
        }
        Channel ch = connect.channel();
        ChannelPromise open = ch.newPromise();
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                open.tryFailure(f.cause());
                return;
            }
            ProxyHandler handler = ch.pipeline().get(ProxyHandler.class);
            if (handler == null) {
                open.tryFailure(new ClosedChannelException());
                return;
            }
            handler.connectFuture().addListener(t -> {
                if (t.isSuccess()) {
                    open.trySuccess();
                } else {
                    open.tryFailure(t.cause());
                }
            });
        });
        return open;
    }

    /**
     * Turns a race's winner into the application's connection: TLS for {@code endpoint}'s name, the connection
     * handler, the application's handlers; then channelActive is replayed to them and reading starts
     * ({@link WinnerPipeline}). Call it on the channel's event loop.
     *
     * @return {@code null}, or why the connection could not be set up, in which case the channel is closed
     */
    public Disconnection install(Channel ch, InetSocketAddress endpoint) {
        List<Object> held = List.of();
        BareTail tail = (BareTail) ch.pipeline().get(BARE_TAIL);
        if (tail != null) {
            held = tail.take();
            ch.pipeline().remove(tail);
        }
        ChannelHandlerContext lastBare = ch.pipeline().lastContext();
        Winner winner = new Winner(endpoint);
        Disconnection failed;
        try {
            failed = WinnerPipeline.install(ch, "rc-winner", winner, true) ? null : winner.failure(ch);
        } catch (RuntimeException | LinkageError e) {
            // Netty refused the handler itself, for example one that is not @Sharable, added a second time.
            logger.warn("{} the application's handler could not be added; closing", ChannelLog.id(ch), e);
            failed = Disconnections.builder(DisconnectCause.OTHER, null, e)
                    .detail("the application's handler could not be added").build();
        }
        if (failed != null) {
            for (Object m : held) {
                ReferenceCountUtil.release(m);
            }
            ch.close();
            return DisconnectRecorder.named(failed, ch);
        }
        if (!held.isEmpty() && lastBare != null && !lastBare.isRemoved()) {
            // Bytes the endpoint sent in the same read as the proxy's reply; they belong to the application.
            for (Object m : held) {
                lastBare.fireChannelRead(m);
            }
            lastBare.fireChannelReadComplete();
        }
        return null;
    }

    private SslHandler tlsHandler(Channel ch, InetSocketAddress endpoint) {
        SslHandler handler = tls.newHandler(ch.alloc(), endpoint.getHostString(), endpoint.getPort());
        // Set either way: Netty 4.2 client contexts verify by default, so "off" has to be explicit too. The
        // JDK reads a null algorithm as "leave unchanged"; an empty one is what turns the identity check off.
        SSLEngine engine = handler.engine();
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm(tlsHostnameVerification ? "HTTPS" : "");
        engine.setSSLParameters(parameters);
        // Before the handler is added: on an active channel it starts the handshake, and its timer, at once.
        // Unset, Netty's own default (10 s) would apply whatever the connect timeout.
        handler.setHandshakeTimeoutMillis(tlsHandshakeTimeout.toMillis());
        return handler;
    }

    /**
     * The race's channels: a proxy's handlers when there is a proxy, else nothing. It sets the pipeline up when
     * it is added, which Netty does once the channel is registered, and removes itself, as a
     * {@code ChannelInitializer} would; it is not one, because every connector keeps its own, and a
     * {@code ChannelInitializer} carries a concurrent map to guard against running twice, which nothing here
     * can cause: Netty calls {@code handlerAdded} once per channel.
     */
    @ChannelHandler.Sharable
    private final class Bare extends ChannelHandlerAdapter {
        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            Channel ch = ctx.channel();
            ctx.pipeline().remove(this);
            if (proxy != null) {
                ProxyHandlers.install(ch, proxy.get(), proxyHandshakeTimeout, proxyResolvers);
                ch.pipeline().addLast(BARE_TAIL, new BareTail());
            }
        }
    }

    /**
     * The winner's own handlers, added by {@link WinnerPipeline#install}. The application's handlers go on first
     * and the connector's in front of them after: the connection handler starts as soon as it is added to the
     * active channel, and may declare the connection ready at once, so everything that should see the
     * connection's traffic must be in place by then.
     */
    private final class Winner extends ChannelInitializer<Channel> {
        private final InetSocketAddress endpoint;
        private Throwable ownFailure;
        private boolean applicationFailed;

        Winner(InetSocketAddress endpoint) {
            this.endpoint = endpoint;
        }

        @Override
        protected void initChannel(Channel ch) throws Exception {
            ChannelPipeline p = ch.pipeline();
            // This initializer's own context, which Netty removes once this returns: what follows goes after it.
            ChannelHandlerContext self = p.lastContext();
            if (!UserInitializer.install(ch, "rc-user", application)) {
                // Netty gave the exception to the application's exceptionCaught, which logged it and closed.
                applicationFailed = true;
                return;
            }
            String after = self.name();
            if (tls != null) {
                // Right after the proxy, so the handlers after it see plaintext; its own close on a failed
                // handshake does not pass the connection handler, which records the failure instead. Added to an
                // active channel, Netty's SslHandler starts its handshake at once.
                after = addAfter(p, after, "rc-tls", tlsHandler(ch, endpoint));
            }
            addAfter(p, after, "rc", new ConnectionHandler(owner, settings));
        }

        /** The connector's own setup failed: Netty hands that here instead of logging it. */
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ownFailure = cause;
            ctx.close();
        }

        /** Why {@code ch} closed while this was added. */
        Disconnection failure(Channel ch) {
            if (ownFailure != null) {
                logger.warn("{} could not set up the connection's handlers; closing", ChannelLog.id(ch), ownFailure);
                return Disconnections.builder(DisconnectCause.OTHER, null, ownFailure)
                        .detail("the connector could not set up the connection's handlers").build();
            }
            return Disconnections.builder(DisconnectCause.OTHER).detail(applicationFailed
                    ? "the application's ChannelInitializer failed; its exception is in the log"
                    : "the channel closed while its handlers were added").build();
        }

        private String addAfter(ChannelPipeline p, String after, String name, ChannelHandler handler) {
            if (after == null) {
                p.addFirst(name, handler);
            } else {
                p.addAfter(after, name, handler);
            }
            return name;
        }
    }

    /**
     * The end of a bare channel behind a proxy. It keeps what the endpoint sends in the read that also brings
     * the proxy's reply, for the application, and stops the proxy's failures at this end, where Netty would
     * log them a second time: the race reports them.
     */
    private static final class BareTail extends ChannelInboundHandlerAdapter {
        private final List<Object> held = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            held.add(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            logger.debug("{} bare connection failed", ChannelLog.id(ctx.channel()), cause);
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            release();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            release();
        }

        List<Object> take() {
            List<Object> out = new ArrayList<>(held);
            held.clear();
            return out;
        }

        private void release() {
            for (Object m : held) {
                ReferenceCountUtil.release(m);
            }
            held.clear();
        }
    }
}
