package io.resilientconnector.internal.pipeline;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.proxy.HttpProxyHandler;
import io.netty.handler.proxy.ProxyConnectException;
import io.netty.handler.proxy.ProxyHandler;
import io.netty.handler.proxy.Socks5ProxyHandler;
import io.netty.resolver.NoopAddressResolverGroup;
import io.resilientconnector.DisconnectCause;
import io.resilientconnector.ProxyHandshakeException;
import io.resilientconnector.ResolveTimeoutException;
import io.resilientconnector.handler.ConnectionEventLogger;
import io.resilientconnector.internal.ending.CauseClassifier;
import io.resilientconnector.internal.ending.ConnectionRecord;
import io.resilientconnector.testing.Closer;
import io.resilientconnector.transport.HostResolver;
import io.resilientconnector.transport.OffLoopResolverGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The proxy watch against scripted proxy replies in an {@link EmbeddedChannel}, and the one trap that needs a
 * real socket to show.
 */
class ProxyHandlersTest {

    private static final InetSocketAddress PROXY = InetSocketAddress.createUnresolved("127.0.0.1", 1080);
    private static final InetSocketAddress ENDPOINT = InetSocketAddress.createUnresolved("endpoint.test", 7000);

    @RegisterExtension
    final Closer closer = new Closer();

    /** What a handshake against a scripted proxy ended with. */
    private record Outcome(ProxyHandler proxy, Channel channel) {
        ProxyHandshakeException failure() {
            assertThat(proxy.connectFuture().cause()).isInstanceOf(ProxyHandshakeException.class);
            return (ProxyHandshakeException) proxy.connectFuture().cause();
        }

        DisconnectCause recorded() throws InterruptedException {
            assertThat(channel.closeFuture().await(5, TimeUnit.SECONDS)).as("closed after the failure").isTrue();
            return ConnectionRecord.of(channel).recorded().cause();
        }
    }

    /**
     * Connects through a loopback "proxy" that answers each chunk it reads with the next reply, then waits for
     * the handshake to finish. {@code make} builds the handler for the proxy's address.
     */
    private Outcome handshake(java.util.function.Function<InetSocketAddress, ProxyHandler> make, String... replies)
            throws Exception {
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread script = new Thread(() -> {
            try (ServerSocket ss = server; Socket s = ss.accept()) {
                byte[] buffer = new byte[1024];
                for (String reply : replies) {
                    if (s.getInputStream().read(buffer) < 0) {
                        return;
                    }
                    s.getOutputStream().write(reply.getBytes(StandardCharsets.ISO_8859_1));
                }
                while (s.getInputStream().read(buffer) >= 0) {
                    // Hold the connection until the client closes it.
                }
            } catch (IOException ignored) {
                // The client closed first.
            }
        }, "scripted-proxy");
        script.setDaemon(true);
        script.start();
        ProxyHandler proxy = make.apply(InetSocketAddress.createUnresolved("127.0.0.1", server.getLocalPort()));
        EventLoopGroup group = closer.addGroup(new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory()));
        Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .resolver(NoopAddressResolverGroup.INSTANCE)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel c) {
                        ProxyHandlers.install(c, proxy, Duration.ofSeconds(5), new OffLoopResolverGroup(HostResolver.system()));
                        c.pipeline().addLast(new ConnectionEventLogger(), new Swallow());
                    }
                })
                .connect(ENDPOINT).sync().channel();
        assertThat(proxy.connectFuture().await(5, TimeUnit.SECONDS)).as("handshake finished").isTrue();
        return new Outcome(proxy, ch);
    }

    /** Ends the test pipeline, taking the failed handshake's exception. */
    private static final class Swallow extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // Recorded by the event logger in front.
        }
    }

    private static String bytes(int... values) {
        StringBuilder s = new StringBuilder();
        for (int v : values) {
            s.append((char) v);
        }
        return s.toString();
    }

    @Test
    void socks5AuthenticationFailureIsReadFromTheReplyNotTheMessage() throws Exception {
        Outcome o = handshake(a -> new Socks5ProxyHandler(a, "alice", "wrong"),
                bytes(0x05, 0x02),      // method: username/password
                bytes(0x01, 0x01));     // status: failure
        assertThat(o.failure().reason()).isEqualTo(ProxyHandshakeException.Reason.AUTH_FAILED);
        assertThat(o.failure().replyCode()).isEqualTo(1);
        assertThat(o.failure().getMessage()).contains("socks5, password, 127.0.0.1:", "=> endpoint.test:7000",
                "authentication failed: status 1").doesNotContain("wrong");
        assertThat(o.recorded()).isEqualTo(DisconnectCause.PROXY_AUTH_FAILED);
    }

    @Test
    void socks5ProxyThatWantsCredentialsNoneWereSetForIsAnAuthenticationFailure() throws Exception {
        Outcome o = handshake(Socks5ProxyHandler::new, bytes(0x05, 0xFF));    // no acceptable method
        assertThat(o.failure().reason()).isEqualTo(ProxyHandshakeException.Reason.AUTH_FAILED);
        assertThat(o.failure().getMessage()).contains("no credentials are set");
        assertThat(o.recorded()).isEqualTo(DisconnectCause.PROXY_AUTH_FAILED);
    }

    @Test
    void socks5ReplyOtherThanSucceededIsARefusalWithItsCode() throws Exception {
        Outcome o = handshake(Socks5ProxyHandler::new, bytes(0x05, 0x00),
                bytes(0x05, 0x05, 0x00, 0x01, 127, 0, 0, 1, 0x10, 0x00));        // connection refused
        assertThat(o.failure().reason()).isEqualTo(ProxyHandshakeException.Reason.REFUSED);
        assertThat(o.failure().replyCode()).isEqualTo(5);
        assertThat(o.recorded()).isEqualTo(DisconnectCause.PROXY_REFUSED);
    }

    @Test
    void socks5SuccessOpensTheTunnelAndRemovesTheWatch() throws Exception {
        Outcome o = handshake(Socks5ProxyHandler::new, bytes(0x05, 0x00),
                bytes(0x05, 0x00, 0x00, 0x01, 127, 0, 0, 1, 0x10, 0x00));
        assertThat(o.proxy().connectFuture().isSuccess()).isTrue();
        // The future's waiters wake before its listeners run, and a listener removes the watch.
        await().atMost(Duration.ofSeconds(5)).until(() -> o.channel().pipeline().get(ProxyHandlers.WATCH_NAME) == null);
        assertThat(ProxyHandlers.describe(o.channel())).matches(
                " via=socks5 proxy 127\\.0\\.0\\.1:\\d+ \\(keepalive and user timeout bound the hop to the proxy only\\)");
        o.channel().close().sync();
    }

    @Test
    void http407IsAnAuthenticationFailure() throws Exception {
        Outcome o = handshake(a -> new HttpProxyHandler(a, "alice", "wrong"), "HTTP/1.1 407 Proxy Authentication Required\r\n"
                + "Proxy-Authenticate: Basic realm=\"p\"\r\nContent-Length: 5\r\n\r\nnope!");
        assertThat(o.failure().reason()).isEqualTo(ProxyHandshakeException.Reason.AUTH_FAILED);
        assertThat(o.failure().replyCode()).isEqualTo(407);
        assertThat(o.failure().getMessage()).contains("http, basic, 127.0.0.1:", "407").doesNotContain("wrong");
        assertThat(o.recorded()).isEqualTo(DisconnectCause.PROXY_AUTH_FAILED);
    }

    @Test
    void httpStatusOtherThan200IsARefusal() throws Exception {
        Outcome o = handshake(HttpProxyHandler::new, "HTTP/1.0 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
        assertThat(o.failure().reason()).isEqualTo(ProxyHandshakeException.Reason.REFUSED);
        assertThat(o.failure().replyCode()).isEqualTo(502);
        assertThat(o.recorded()).isEqualTo(DisconnectCause.PROXY_REFUSED);
    }

    @Test
    void aHandshakeWithoutAReplyTimesOutAfterTheGivenTimeout() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(new ConnectionEventLogger());
        // SOCKS5 opens with a greeting that needs no endpoint, so an already active channel will do.
        ProxyHandlers.install(ch, new Socks5ProxyHandler(PROXY), Duration.ofSeconds(3),
                new OffLoopResolverGroup(HostResolver.system()));
        ProxyHandler proxy = ch.pipeline().get(ProxyHandler.class);
        ch.advanceTimeBy(2999, TimeUnit.MILLISECONDS);
        ch.runPendingTasks();
        assertThat(proxy.connectFuture().isDone()).isFalse();
        ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        ch.runPendingTasks();
        assertThat(proxy.connectFuture().cause()).isInstanceOf(ProxyHandshakeException.class)
                .hasMessageContaining("no tunnel within 3s");
        assertThat(((ProxyHandshakeException) proxy.connectFuture().cause()).reason())
                .isEqualTo(ProxyHandshakeException.Reason.TIMEOUT);
        assertThatThrownBy(ch::checkException).isSameAs(proxy.connectFuture().cause());
        assertThat(ch.isOpen()).isFalse();
        assertThat(ConnectionRecord.of(ch).recorded().cause()).isEqualTo(DisconnectCause.PROXY_CONNECT_TIMEOUT);
        ch.releaseOutbound();
    }

    @Test
    void classifiesProxyExceptionsByTypeAndWrappedIoErrorsByThatError() {
        assertThat(CauseClassifier.classifyEstablished(new ProxyConnectException("socks5, none, a => b, status: x"))
                .cause()).isEqualTo(DisconnectCause.PROXY_REFUSED);
        assertThat(CauseClassifier.classifyEstablished(new ProxyConnectException("x", new SocketException("reset")))
                .cause()).isEqualTo(DisconnectCause.RESET);
        assertThat(CauseClassifier.classifyEstablished(new ProxyConnectException("x", new IOException("timed out")))
                .cause()).isEqualTo(DisconnectCause.TIMED_OUT);
        assertThat(CauseClassifier.classifyConnectFailure(new ProxyHandshakeException(
                ProxyHandshakeException.Reason.TIMEOUT, -1, "x")).cause()).isEqualTo(DisconnectCause.PROXY_CONNECT_TIMEOUT);
        assertThat(CauseClassifier.classifyConnectFailure(new ProxyConnectException("x")).cause())
                .isEqualTo(DisconnectCause.PROXY_REFUSED);
        assertThat(DisconnectCause.PROXY_REFUSED.isConnectFailure()).isTrue();
        assertThat(DisconnectCause.PROXY_AUTH_FAILED.isConnectFailure()).isTrue();
        assertThat(DisconnectCause.PROXY_CONNECT_TIMEOUT.isConnectFailure()).isTrue();
    }

    @Test
    void anUnresolvableProxyNameFailsTheConnectAndClosesTheChannel() throws Exception {
        EventLoopGroup loop = closer.addGroup(new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory()));
        OffLoopResolverGroup resolvers = new OffLoopResolverGroup(host -> {
            throw new UnknownHostException(host + ": not in this test's resolver");
        });
        io.netty.channel.ChannelFuture connect = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .resolver(NoopAddressResolverGroup.INSTANCE)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel c) {
                        ProxyHandlers.install(c, new Socks5ProxyHandler(
                                InetSocketAddress.createUnresolved("proxy.invalid", 1080)), Duration.ofSeconds(5), resolvers);
                    }
                })
                .connect(InetSocketAddress.createUnresolved("endpoint.invalid", 7000));
        assertThat(connect.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(connect.cause()).isInstanceOf(UnknownHostException.class).hasMessageContaining("proxy.invalid");
        assertThat(CauseClassifier.classifyConnectFailure(connect.cause()).cause()).isEqualTo(DisconnectCause.UNRESOLVED);
        assertThat(connect.channel().closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aProxyNameThatHangsFailsTheConnectAsUnresolvedWhenTheHandshakeTimeoutEnds() throws Exception {
        EventLoopGroup loop = closer.addGroup(new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory()));
        CountDownLatch release = closer.add(new CountDownLatch(1), CountDownLatch::countDown);
        OffLoopResolverGroup resolvers = closer.add(new OffLoopResolverGroup(host -> {
            try {
                release.await(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new UnknownHostException(host + ": released by the test");
        }));
        io.netty.channel.ChannelFuture connect = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .resolver(NoopAddressResolverGroup.INSTANCE)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel c) {
                        ProxyHandlers.install(c, new Socks5ProxyHandler(InetSocketAddress.createUnresolved(
                                "proxy.hangs.test", 1080)), Duration.ofMillis(300), resolvers);
                    }
                })
                .connect(InetSocketAddress.createUnresolved("endpoint.invalid", 7000));
        assertThat(connect.await(5, TimeUnit.SECONDS)).as("fails within the timeout, with a margin").isTrue();
        assertThat(connect.cause()).isInstanceOf(ResolveTimeoutException.class)
                .hasMessageContaining("proxy.hangs.test").hasMessageContaining("timed out");
        assertThat(CauseClassifier.classifyConnectFailure(connect.cause()).cause()).isEqualTo(DisconnectCause.UNRESOLVED);
        assertThat(connect.channel().closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
    }

    /**
     * The trap the watch covers, shown with Netty's handler alone: a proxy that closes mid-handshake fails the
     * handshake, but the handlers behind the proxy handler never see {@code channelInactive}.
     */
    @Test
    void withoutTheWatchAProxyClosingMidHandshakeHidesTheCloseFromLaterHandlers() throws Exception {
        assertThat(inactiveSeenBehindProxy(false)).as("control: Netty's handler alone").isFalse();
        assertThat(inactiveSeenBehindProxy(true)).as("with the watch").isTrue();
    }

    private static boolean inactiveSeenBehindProxy(boolean watch) throws Exception {
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread closer = new Thread(() -> {
                try (Socket s = server.accept()) {
                    s.getInputStream().read();  // the greeting, then close without a reply
                } catch (IOException ignored) {
                    // The test fails on its own if the client never connects.
                }
            });
            closer.setDaemon(true);
            closer.start();
            CountDownLatch inactive = new CountDownLatch(1);
            InetSocketAddress proxyAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
            Socks5ProxyHandler proxy = new Socks5ProxyHandler(proxyAddress);
            new Bootstrap().group(loop).channel(NioSocketChannel.class)
                    .resolver(NoopAddressResolverGroup.INSTANCE)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel c) {
                            if (watch) {
                                ProxyHandlers.install(c, proxy, Duration.ofSeconds(5),
                                        new OffLoopResolverGroup(HostResolver.system()));
                            } else {
                                c.pipeline().addLast(proxy);
                            }
                            c.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelInactive(ChannelHandlerContext ctx) {
                                    inactive.countDown();
                                }

                                @Override
                                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                    // Expected: the failed handshake.
                                }
                            });
                        }
                    })
                    .connect(InetSocketAddress.createUnresolved("endpoint.invalid", 7000)).sync();
            assertThat(proxy.connectFuture().await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(proxy.connectFuture().isSuccess()).isFalse();
            return inactive.await(watch ? 5 : 1, TimeUnit.SECONDS);
        } finally {
            loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
    }
}
