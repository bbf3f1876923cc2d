package io.resilientconnector.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.proxy.ProxyHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.resolver.AddressResolverGroup;
import io.netty.handler.ssl.SslHandler;
import io.resilientconnector.Endpoint;
import io.resilientconnector.cause.DisconnectCause;
import io.resilientconnector.cause.Disconnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Builds each connection's pipeline: a proxy's handlers and TLS when they are on, the connector's one {@link ConnectionHandler}, then the
 * application's handlers. One instance serves every connection of a connector.
 */
@ChannelHandler.Sharable
public final class ConnectionPipeline extends ChannelInitializer<Channel> {

    private static final Logger logger = LoggerFactory.getLogger(ConnectionPipeline.class);

    private final ConnectionOwner owner;
    private final ConnectionSettings settings;
    private final ChannelHandler application;
    private final SslContext tls;
    private final boolean tlsHostnameVerification;
    private final Endpoint endpoint;
    private final Supplier<? extends ProxyHandler> proxy;
    private final Duration proxyHandshakeTimeout;
    private final AddressResolverGroup<InetSocketAddress> proxyResolvers;

    /**
     * @param tls                   the client TLS context, or {@code null} for plain TCP
     * @param proxy                 makes a proxy handler per connection, or {@code null} to connect directly
     * @param proxyHandshakeTimeout how long the proxy may take to open its tunnel
     * @param proxyResolvers        resolves the proxy's own address off the event loop
     */
    public ConnectionPipeline(ConnectionOwner owner, ConnectionSettings settings, ChannelHandler application,
                              SslContext tls, boolean tlsHostnameVerification, Endpoint endpoint,
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
        this.endpoint = endpoint;
    }

    @Override
    protected void initChannel(Channel ch) {
        if (proxy != null) {
            // Ahead of TLS, which then runs through the tunnel.
            ProxyHandlers.install(ch, proxy.get(), proxyHandshakeTimeout, proxyResolvers);
        }
        if (tls != null) {
            // First, so the handlers after it see plaintext; its own close on a failed handshake does not
            // pass the connection handler, which records the handshake failure instead of a local close.
            ch.pipeline().addLast("rc-tls", tlsHandler(ch));
        }
        ch.pipeline().addLast("rc", new ConnectionHandler(owner, settings));
        try {
            UserInitializer.install(ch, "rc-user", application);
        } catch (Exception | LinkageError e) {
            ConnectionRecord.of(ch).record(Disconnection.of(DisconnectCause.OTHER, null, e)
                    .withDetail("the application's ChannelInitializer threw"));
            logger.warn("{} the application's ChannelInitializer threw; closing", ChannelLog.id(ch), e);
            ch.close();
            return;
        }
    }

    private SslHandler tlsHandler(Channel ch) {
        SslHandler handler = tls.newHandler(ch.alloc(), endpoint.host(), endpoint.port());
        // Set either way: Netty 4.2 client contexts verify by default, so "off" has to be explicit too. The
        // JDK reads a null algorithm as "leave unchanged"; an empty one is what turns the identity check off.
        SSLEngine engine = handler.engine();
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm(tlsHostnameVerification ? "HTTPS" : "");
        engine.setSSLParameters(parameters);
        return handler;
    }
}
