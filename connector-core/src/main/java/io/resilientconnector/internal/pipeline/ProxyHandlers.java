package io.resilientconnector.internal.pipeline;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.socksx.v5.Socks5AuthMethod;
import io.netty.handler.codec.socksx.v5.Socks5CommandResponse;
import io.netty.handler.codec.socksx.v5.Socks5InitialResponse;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthResponse;
import io.netty.handler.proxy.ProxyHandler;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.resilientconnector.ProxyHandshakeException.Reason;
import io.resilientconnector.ProxyHandshakeException;
import io.resilientconnector.ResolveTimeoutException;
import io.resilientconnector.util.ChannelLog;
import io.resilientconnector.util.Durations;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Puts a Netty {@link ProxyHandler} first in a pipeline, with the two things it lacks:
 * <ul>
 *   <li>it connects to the proxy's address as given, so an unresolved one fails on every transport; a small
 *       outbound handler in front of it resolves it through the connector's resolver, off the event loop,
 *       on every attempt, within the handshake timeout;</li>
 *   <li>it says why a handshake failed only in its exception's message. A watch between its codec and itself
 *       reads the decoded replies (the SOCKS5 method choice, authentication status and command reply; the HTTP
 *       status) and fails the handshake with a {@link ProxyHandshakeException} that carries the reason and
 *       the reply code. It also owns the handshake timeout, for the same reason.</li>
 * </ul>
 * The watch also covers a trap: when the proxy closes the connection mid-handshake, Netty's handler fails its
 * future but does not pass {@code channelInactive} on, so the handlers after it would never hear of the loss.
 * The watch sees the close first and fails the handshake, after which the handler passes the event on.
 */
public final class ProxyHandlers {

    static final String RESOLVER_NAME = "rc-proxy-resolver";
    static final String PROXY_NAME = "rc-proxy";
    static final String WATCH_NAME = "rc-proxy-watch";

    private ProxyHandlers() {
    }

    /**
     * Adds {@code proxy} at the head of {@code ch}'s pipeline, with its resolver and its watch. Call it from
     * a {@code ChannelInitializer}, where the channel is registered, so that the handler's codec is in place
     * before the watch goes in behind it.
     *
     * @param handshakeTimeout how long the proxy may take to open the tunnel once the TCP connection to it is up,
     *                         and how long its name may take to resolve before that; zero waits for ever
     * @param resolvers        resolves the proxy's address; the bootstrap itself must leave the endpoint
     *                         unresolved, for the proxy to resolve
     */
    public static void install(Channel ch, ProxyHandler proxy, Duration handshakeTimeout,
                               AddressResolverGroup<InetSocketAddress> resolvers) {
        Objects.requireNonNull(proxy, "proxy");
        Objects.requireNonNull(resolvers, "resolvers");
        // Netty's own timer fails with a ProxyConnectException that says "timeout" only in its text; the watch
        // fails with a reason instead.
        proxy.setConnectTimeoutMillis(0);
        ChannelPipeline p = ch.pipeline();
        p.addFirst(PROXY_NAME, proxy);
        p.addBefore(PROXY_NAME, WATCH_NAME, new Watch(proxy, handshakeTimeout));
        p.addFirst(RESOLVER_NAME, new ProxyAddressResolver(resolvers, handshakeTimeout));
    }

    /**
     * Runs {@code next} once the tunnel through the proxy is open, or at once on a channel without a proxy.
     * A failed handshake closes the channel, and {@code next} never runs.
     */
    public static void afterTunnel(Channel ch, Runnable next) {
        ProxyHandler proxy = ch.pipeline().get(ProxyHandler.class);
        if (proxy == null) {
            next.run();
            return;
        }
        proxy.connectFuture().addListener(f -> {
            if (f.isSuccess()) {
                next.run();
            }
        });
    }

    /**
     * For the "connected" line: empty without a proxy, otherwise which proxy, and that the socket options
     * watch the hop to it only.
     */
    public static String describe(Channel ch) {
        ProxyHandler proxy = ch.pipeline().get(ProxyHandler.class);
        if (proxy == null) {
            return "";
        }
        return " via=" + proxy.protocol() + " proxy " + ChannelLog.address(proxy.proxyAddress())
                + " (keepalive and user timeout bound the hop to the proxy only)";
    }

    /**
     * Resolves the address the proxy handler connects to, as a bootstrap would resolve its remote address. The
     * channel's connect timeout starts only once the address is known, so the lookup has a deadline of its own.
     */
    private static final class ProxyAddressResolver extends ChannelOutboundHandlerAdapter {
        private final AddressResolverGroup<InetSocketAddress> resolvers;
        private final Duration timeout;

        ProxyAddressResolver(AddressResolverGroup<InetSocketAddress> resolvers, Duration timeout) {
            this.resolvers = resolvers;
            this.timeout = Objects.requireNonNull(timeout, "timeout");
        }

        @Override
        public void connect(ChannelHandlerContext ctx, SocketAddress remoteAddress, SocketAddress localAddress,
                            ChannelPromise promise) {
            AddressResolver<InetSocketAddress> resolver = resolvers.getResolver(ctx.executor());
            if (!resolver.isSupported(remoteAddress) || resolver.isResolved(remoteAddress)) {
                ctx.connect(remoteAddress, localAddress, promise);
                return;
            }
            ScheduledFuture<?> deadline = timeout.isZero() ? null : ctx.executor().schedule(() -> {
                String host = ((InetSocketAddress) remoteAddress).getHostString();
                fail(ctx, promise, new ResolveTimeoutException(host, timeout));
            }, timeout.toNanos(), TimeUnit.NANOSECONDS);
            resolver.resolve(remoteAddress).addListener((Future<InetSocketAddress> f) -> {
                if (deadline != null) {
                    deadline.cancel(false);
                }
                if (promise.isDone()) {
                    // Timed out, or cancelled, before the answer came.
                    return;
                }
                if (f.isSuccess()) {
                    ctx.connect(f.getNow(), localAddress, promise);
                } else {
                    fail(ctx, promise, f.cause());
                }
            });
        }

        private static void fail(ChannelHandlerContext ctx, ChannelPromise promise, Throwable cause) {
            // As Bootstrap does on a failed lookup: the channel never connects, so nothing else closes it.
            ctx.channel().close();
            promise.tryFailure(cause);
        }
    }

    /** Reads the proxy's decoded replies on their way to the proxy handler, and times the handshake. */
    private static final class Watch extends ChannelInboundHandlerAdapter {
        private final ProxyHandler proxy;
        private final Duration timeout;
        private ScheduledFuture<?> timer;
        private int httpStatus = -1;

        Watch(ProxyHandler proxy, Duration timeout) {
            this.proxy = proxy;
            this.timeout = Objects.requireNonNull(timeout, "timeout");
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            proxy.connectFuture().addListener(f -> {
                cancelTimer();
                if (f.isSuccess() && !ctx.isRemoved()) {
                    // The tunnel is open; what follows is the endpoint's data.
                    ctx.pipeline().remove(this);
                }
            });
            if (ctx.channel().isActive()) {
                startTimer(ctx);
            }
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            startTimer(ctx);
            super.channelActive(ctx);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ProxyHandshakeException failure = proxy.connectFuture().isDone() ? null : failure(msg);
            if (failure == null) {
                ctx.fireChannelRead(msg);
                return;
            }
            ReferenceCountUtil.release(msg);
            // The proxy handler fails its future with this exception as it is, passes it on, and closes.
            ctx.fireExceptionCaught(failure);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            cancelTimer();
            if (!proxy.connectFuture().isDone()) {
                ctx.fireExceptionCaught(exception(Reason.REFUSED, -1, "the proxy closed the connection during the handshake"));
            }
            super.channelInactive(ctx);
        }

        /** The failure a reply reports, or {@code null} if it reports none (Netty then carries on). */
        private ProxyHandshakeException failure(Object msg) {
            if (msg instanceof Socks5InitialResponse) {
                Socks5AuthMethod method = ((Socks5InitialResponse) msg).authMethod();
                if (method.equals(Socks5AuthMethod.UNACCEPTED)) {
                    return exception(Reason.AUTH_FAILED, method.byteValue() & 0xFF, "accepts none of the offered"
                            + " authentication methods (" + ("none".equals(proxy.authScheme())
                            ? "no credentials are set" : "offered: none, password") + ")");
                }
            } else if (msg instanceof Socks5PasswordAuthResponse) {
                Socks5PasswordAuthResponse reply = (Socks5PasswordAuthResponse) msg;
                if (!reply.status().isSuccess()) {
                    // RFC 1929: any status but 0 is a failure; Netty names only 0xFF, so give the number.
                    int status = reply.status().byteValue() & 0xFF;
                    return exception(Reason.AUTH_FAILED, status, "authentication failed: status " + status);
                }
            } else if (msg instanceof Socks5CommandResponse) {
                Socks5CommandResponse reply = (Socks5CommandResponse) msg;
                if (!reply.status().isSuccess()) {
                    return exception(Reason.REFUSED, reply.status().byteValue() & 0xFF, "reply " + reply.status());
                }
            }
            if (msg instanceof HttpResponse) {
                httpStatus = ((HttpResponse) msg).status().code();
            }
            // Netty decides at the end of the response, so that its body is consumed first; so does this.
            if (msg instanceof LastHttpContent && httpStatus >= 0 && httpStatus != HttpResponseStatus.OK.code()) {
                // 407 is the proxy's own; tinyproxy (1.11) answers a wrong password with 401 instead.
                boolean auth = httpStatus == HttpResponseStatus.PROXY_AUTHENTICATION_REQUIRED.code()
                        || httpStatus == HttpResponseStatus.UNAUTHORIZED.code();
                return exception(auth ? Reason.AUTH_FAILED : Reason.REFUSED, httpStatus,
                        "status " + HttpResponseStatus.valueOf(httpStatus));
            }
            return null;
        }

        private void startTimer(ChannelHandlerContext ctx) {
            if (timer != null || timeout.isZero() || proxy.connectFuture().isDone()) {
                return;
            }
            timer = ctx.executor().schedule(() -> {
                if (!proxy.connectFuture().isDone()) {
                    ctx.fireExceptionCaught(exception(Reason.TIMEOUT, -1,
                            "no tunnel within " + Durations.format(timeout)));
                }
            }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        }

        private void cancelTimer() {
            if (timer != null) {
                timer.cancel(false);
            }
        }

        /** As Netty words its own: protocol, authentication, proxy => endpoint, then what happened. */
        private ProxyHandshakeException exception(Reason reason, int code, String what) {
            return new ProxyHandshakeException(reason, code, proxy.protocol() + ", " + proxy.authScheme() + ", "
                    + address(proxy.proxyAddress()) + " => " + address(proxy.destinationAddress()) + ", " + what);
        }

        private static String address(SocketAddress address) {
            return address == null ? "?" : ChannelLog.address(address);
        }
    }
}
