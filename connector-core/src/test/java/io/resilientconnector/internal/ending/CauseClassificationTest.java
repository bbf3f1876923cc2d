package io.resilientconnector.internal.ending;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.resilientconnector.DisconnectCause;
import io.resilientconnector.Disconnection;
import io.resilientconnector.handler.ConnectionEventLogger;
import io.resilientconnector.testing.Closer;
import io.resilientconnector.testing.FullBacklogListener;
import io.resilientconnector.testing.LineServer;
import io.resilientconnector.testing.Ports;
import io.resilientconnector.testing.Transports;
import io.resilientconnector.transport.OffLoopResolverGroup;
import io.resilientconnector.transport.Transport;
import io.resilientconnector.transport.TransportType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Classification of real exceptions raised by real sockets on each transport. The native transports report
 * the errno; NIO reports none, and is classified by exception type alone.
 */
class CauseClassificationTest {

    @RegisterExtension
    final Closer closer = new Closer();

    static List<TransportType> transports() {
        return Transports.linuxAndNio();
    }

    private Bootstrap bootstrap(TransportType type) {
        Transports.assumeAvailable(type);
        Transport transport = Transport.resolve(type);
        EventLoopGroup group = closer.addGroup(new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory()));
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
        FullBacklogListener full = closer.add(new FullBacklogListener());
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

    static List<TransportType> transportsThatTellAResetDuringConnect() {
        return List.of(TransportType.IO_URING, TransportType.NIO);
    }

    /**
     * Connects to a listener that never accepts, and closes the listener once the kernel has completed the
     * handshake, which resets the queued connection. On epoll and NIO, whose connect is a system call made at
     * once, the event loop is held from the connect until then, so that the reset comes before it finishes the
     * connect. io_uring submits the connect only when the loop enters the ring, so its loop is not held.
     */
    private ChannelFuture connectThenResetBeforeAccept(TransportType type) throws Exception {
        assumeTrue(Transports.isLinux(), "relies on Linux resetting the connections queued on a listener that closes");
        Bootstrap b = bootstrap(type);
        // Added before the listener, so that a failed test closes the listener before it lets the loop go, as below.
        CountDownLatch reset = closer.add(new CountDownLatch(1), CountDownLatch::countDown);
        ServerSocket listener = closer.add(new ServerSocket(0, 4, InetAddress.getLoopbackAddress()));
        if (type != TransportType.IO_URING) {
            b.handler(new ChannelOutboundHandlerAdapter() {
                @Override
                public void connect(ChannelHandlerContext ctx, SocketAddress remote, SocketAddress local,
                                    ChannelPromise promise) throws Exception {
                    ctx.connect(remote, local, promise);
                    // Held on purpose, with a deadline: the race between finishConnect and a reset is the subject.
                    reset.await(10, TimeUnit.SECONDS);
                }
            });
        }
        ChannelFuture f = b.connect("127.0.0.1", listener.getLocalPort());
        await().atMost(Duration.ofSeconds(10)).until(() -> queuedOn(listener.getLocalPort()));
        listener.close();
        reset.countDown();
        return f.await();
    }

    /** Whether a connection the kernel completed waits in the accept queue of the listener on {@code port}. */
    private static boolean queuedOn(int port) throws IOException {
        String local = String.format(":%04X", port);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] fields = line.trim().split("\\s+");
                // 01 is TCP_ESTABLISHED; the listener itself is 0A.
                if (fields.length > 3 && fields[1].endsWith(local) && fields[3].equals("01")) {
                    return true;
                }
            }
        }
        return false;
    }

    @ParameterizedTest
    @MethodSource("transportsThatTellAResetDuringConnect")
    void aResetDuringConnectIsNotReportedAsRefused(TransportType type) throws Exception {
        ChannelFuture f = connectThenResetBeforeAccept(type);
        if (type == TransportType.NIO) {
            // The JDK's finishConnect raises a plain SocketException for ECONNRESET, with no errno: a type it gives
            // every errno it does not map, ENETUNREACH too, so it is OTHER rather than RESET.
            assertThat(f.isSuccess()).isFalse();
            assertThat(f.cause()).isInstanceOf(SocketException.class).isNotInstanceOf(ConnectException.class);
            Disconnection why = CauseClassifier.classifyConnectFailure(f.cause());
            assertThat(why.cause()).isEqualTo(DisconnectCause.OTHER);
            assertThat(why.errno()).isNull();
        } else {
            // io_uring's connect completed with the handshake; the reset then ends an established connection.
            assertThat(f.isSuccess()).as("connect: %s", f.cause()).isTrue();
            Channel ch = f.channel();
            await().atMost(5, TimeUnit.SECONDS).until(() -> ConnectionRecord.of(ch).recorded() != null);
            Disconnection why = ConnectionRecord.of(ch).recorded();
            assertThat(why.cause()).isEqualTo(DisconnectCause.RESET);
            assertThat(why.errno()).isEqualTo("ECONNRESET");
        }
    }

    @Test
    void aResetDuringConnectOnEpollArrivesWithoutAnErrnoAndStaysRefused() throws Exception {
        ChannelFuture f = connectThenResetBeforeAccept(TransportType.EPOLL);
        // Netty's finishConnect raises the same plain ConnectException for ECONNRESET as for ECONNREFUSED, the
        // errno only in its message. Should Netty attach the errno, this fails: then classify it by the errno.
        assertThat(f.isSuccess()).isFalse();
        assertThat(f.cause()).isInstanceOf(ConnectException.class);
        for (Throwable t = f.cause(); t != null; t = t.getCause()) {
            assertThat(t).isNotInstanceOf(io.netty.channel.unix.Errors.NativeIoException.class);
            assertThat(t.getClass().getName()).doesNotContain("NativeConnectException");
        }
        assertThat(CauseClassifier.classifyConnectFailure(f.cause()).cause()).isEqualTo(DisconnectCause.CONNECT_REFUSED);
    }

    @Test
    void aTlsHandshakeThatTimedOutSaysSoAndNamesItsTimeout() {
        Throwable timedOut = new io.netty.handler.ssl.SslHandshakeTimeoutException("handshake timed out after 300ms");
        Disconnection why = CauseClassifier.classifyHandshakeFailure(timedOut, Duration.ofMillis(300));
        assertThat(why.cause()).isEqualTo(DisconnectCause.TLS_HANDSHAKE);
        assertThat(why.detail()).isEqualTo("the TLS handshake timed out: not done within 300ms");
        assertThat(why.exception()).isSameAs(timedOut);
        assertThat(CauseClassifier.classifyEstablished(timedOut).detail()).isEqualTo("the TLS handshake timed out");
    }

    @Test
    void aTlsHandshakeThatFailedOtherwiseHasNoTimeoutDetail() {
        Throwable untrusted = new javax.net.ssl.SSLHandshakeException("PKIX path building failed");
        Disconnection why = CauseClassifier.classifyHandshakeFailure(untrusted, Duration.ofMillis(300));
        assertThat(why.cause()).isEqualTo(DisconnectCause.TLS_HANDSHAKE);
        assertThat(why.detail()).isNull();
        assertThat(CauseClassifier.classifyEstablished(untrusted).cause()).isEqualTo(DisconnectCause.TLS_HANDSHAKE);
    }
}
