package io.resilientconnector.internal;

import io.resilientconnector.Disconnection;
import io.resilientconnector.DisconnectCause;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.resilientconnector.handler.ConnectionEventLogger;
import io.resilientconnector.testing.FullBacklogListener;
import io.resilientconnector.testing.LineServer;
import io.resilientconnector.testing.Ports;
import io.resilientconnector.testing.Transports;
import io.resilientconnector.transport.OffLoopResolverGroup;
import io.resilientconnector.transport.Transport;
import io.resilientconnector.transport.TransportType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Classification of real exceptions raised by real sockets on each transport. The native transports report
 * the errno; NIO reports none, and is classified by exception type alone.
 */
class CauseClassificationTest {

    private EventLoopGroup group;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    static List<TransportType> transports() {
        return Transports.linuxAndNio();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        if (group != null) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
    }

    private Bootstrap bootstrap(TransportType type) {
        Transports.assumeAvailable(type);
        Transport transport = Transport.resolve(type);
        group = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        return new Bootstrap().group(group).channelFactory(transport.channelFactory())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new ConnectionEventLogger(), new ChannelInboundHandlerAdapter() {
                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                // Classified at the head of the pipeline; the transport closes the channel.
                            }
                        });
                    }
                });
    }

    private static String expectedErrno(TransportType type, String name) {
        return type == TransportType.NIO ? null : name;
    }

    @ParameterizedTest
    @MethodSource("transports")
    void aClosedPortIsConnectRefused(TransportType type) throws Exception {
        Bootstrap b = bootstrap(type);
        ChannelFuture f = b.connect("127.0.0.1", Ports.closed()).await();
        Disconnection why = CauseClassifier.classifyConnectFailure(f.cause());
        assertThat(why.cause()).isEqualTo(DisconnectCause.CONNECT_REFUSED);
        // Neither Netty's native finishConnect nor the JDK attach an errno to a refused connect.
        assertThat(why.errno()).isNull();
    }

    @ParameterizedTest
    @MethodSource("transports")
    void aFullAcceptQueueIsConnectTimeout(TransportType type) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Transports.isLinux(),
                "relies on Linux dropping SYNs to a full accept queue; other kernels may refuse them instead");
        Bootstrap b = bootstrap(type).option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 300);
        FullBacklogListener full = new FullBacklogListener();
        closeables.add(full);
        ChannelFuture f = b.connect("127.0.0.1", full.port()).await();
        Disconnection why = CauseClassifier.classifyConnectFailure(f.cause());
        assertThat(why.cause()).isEqualTo(DisconnectCause.CONNECT_TIMEOUT);
    }

    @ParameterizedTest
    @MethodSource("transports")
    void aNameThatDoesNotResolveIsUnresolved(TransportType type) throws Exception {
        Bootstrap b = bootstrap(type).resolver(new OffLoopResolverGroup(host -> {
            throw new UnknownHostException(host + ": no such host (test resolver)");
        }));
        ChannelFuture f = b.connect(InetSocketAddress.createUnresolved("gateway.invalid", 7000)).await();
        Disconnection why = CauseClassifier.classifyConnectFailure(f.cause());
        assertThat(why.cause()).isEqualTo(DisconnectCause.UNRESOLVED);
        assertThat(why.exception()).isInstanceOf(UnknownHostException.class);
    }

    @ParameterizedTest
    @MethodSource("transports")
    void aRstFromThePeerIsReset(TransportType type) throws Exception {
        Bootstrap b = bootstrap(type);
        try (LineServer server = LineServer.start()) {
            Channel ch = b.connect("127.0.0.1", server.port()).sync().channel();
            server.awaitOpenConnections(1);
            server.resetConnections();
            await().atMost(5, TimeUnit.SECONDS).until(() -> ConnectionRecord.of(ch).recorded() != null);
            Disconnection why = ConnectionRecord.of(ch).recorded();
            assertThat(why.cause()).isEqualTo(DisconnectCause.RESET);
            assertThat(why.errno()).isEqualTo(expectedErrno(type, "ECONNRESET"));
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void aFinFromThePeerIsPeerClosed(TransportType type) throws Exception {
        Bootstrap b = bootstrap(type);
        try (LineServer server = LineServer.start()) {
            Channel ch = b.connect("127.0.0.1", server.port()).sync().channel();
            server.awaitOpenConnections(1);
            server.closeConnections();
            // The close future completes just before channelInactive, where the peer's close is recorded.
            await().atMost(5, TimeUnit.SECONDS).until(() -> ConnectionRecord.of(ch).recorded() != null);
            Disconnection why = ConnectionRecord.of(ch).recorded();
            assertThat(why.cause()).isEqualTo(DisconnectCause.PEER_CLOSED);
            assertThat(why.exception()).isNull();
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void closingFromThisSideIsLocalClose(TransportType type) throws Exception {
        Bootstrap b = bootstrap(type);
        try (LineServer server = LineServer.start()) {
            Channel ch = b.connect("127.0.0.1", server.port()).sync().channel();
            ch.close().sync();
            assertThat(ConnectionRecord.of(ch).recorded().cause()).isEqualTo(DisconnectCause.LOCAL_CLOSE);
        }
    }
}
