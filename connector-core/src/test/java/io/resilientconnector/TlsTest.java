package io.resilientconnector;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.resilientconnector.handler.ConnectionEventLogger;
import io.resilientconnector.internal.ending.ConnectionRecord;
import io.resilientconnector.testing.Closer;
import io.resilientconnector.testing.EventRecorder;
import io.resilientconnector.testing.Fast;
import io.resilientconnector.testing.LineServer;
import io.resilientconnector.testing.NoopInitializer;
import io.resilientconnector.testing.TlsLineServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

import static io.resilientconnector.testing.Fast.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TLS against a local server whose certificate a test CA signed. */
class TlsTest {

    @RegisterExtension
    final Closer closer = new Closer();
    private final EventRecorder events = new EventRecorder();

    private static SslContext trustingTestCa() throws Exception {
        try (InputStream ca = TlsLineServer.caCertificate()) {
            return SslContextBuilder.forClient().trustManager(ca).build();
        }
    }

    private TlsLineServer server(String certificate) throws Exception {
        return closer.add(new TlsLineServer(certificate));
    }

    private ResilientConnector start(ConnectorOptions.Builder options) {
        ResilientConnector connector = ResilientConnector.builder(options.reconnect(Fast.RECONNECT).build())
                .handler(new NoopInitializer()).listener(events).build();
        closer.add(connector);
        return connector.start();
    }

    @Test
    void connectsToATrustedServerAndReconnectsOverTls() throws Exception {
        TlsLineServer server = server("localhost");
        ResilientConnector connector = start(ConnectorOptions.builder().endpoint("127.0.0.1", server.port())
                .tls(trustingTestCa()));
        events.await("CONNECTED", WAIT);
        connector.send(Unpooled.copiedBuffer("over tls\n", StandardCharsets.US_ASCII)).get(5, TimeUnit.SECONDS);
        assertThat(server.pollLine(5, TimeUnit.SECONDS)).isEqualTo("over tls");

        server.closeConnections();
        assertThat(events.await("DISCONNECTED", WAIT)).isIn("DISCONNECTED PEER_CLOSED", "DISCONNECTED RESET");
        events.await("CONNECTED", WAIT);
        connector.send(Unpooled.copiedBuffer("again\n", StandardCharsets.US_ASCII)).get(5, TimeUnit.SECONDS);
        assertThat(server.pollLine(5, TimeUnit.SECONDS)).isEqualTo("again");
    }

    @Test
    void aTlsFailureAfterTheHandshakeIsTlsErrorNotTlsHandshake() throws Exception {
        TlsLineServer server = server("localhost");
        EventLoopGroup group = closer.addGroup(new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory()));
        SslContext tls = trustingTestCa();
        Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(tls.newHandler(ch.alloc(), "127.0.0.1", server.port()), new ConnectionEventLogger(),
                                new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                        // The application's part: a stream it cannot decode is closed.
                                        ctx.close();
                                    }
                                });
                    }
                }).connect("127.0.0.1", server.port()).sync().channel();
        ch.pipeline().get(SslHandler.class).handshakeFuture().sync();
        ch.writeAndFlush(Unpooled.copiedBuffer("over tls\n", StandardCharsets.US_ASCII)).sync();
        assertThat(server.pollLine(5, TimeUnit.SECONDS)).as("the server finished its handshake").isEqualTo("over tls");

        server.sendPlaintext("not a TLS record\n");

        assertThat(ch.closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
        Disconnection why = ConnectionRecord.of(ch).recorded();
        assertThat(why.cause()).isEqualTo(DisconnectCause.TLS_ERROR);
        assertThat(why.exception()).hasRootCauseInstanceOf(SSLException.class);
    }

    @Test
    void rejectsACertificateForAnotherHostWithAClearCause() throws Exception {
        TlsLineServer server = server("wrong-host");
        ResilientConnector connector = start(ConnectorOptions.builder().endpoint("127.0.0.1", server.port())
                .tls(trustingTestCa()));
        assertThat(events.await("CONNECT_FAILED", WAIT)).isEqualTo("CONNECT_FAILED TLS_HANDSHAKE");
        Disconnection why = events.connectFailures().get(0);
        assertThat(why.exception()).hasCauseInstanceOf(java.security.cert.CertificateException.class)
                .isInstanceOf(SSLHandshakeException.class);
        assertThat(why.toString()).startsWith("cause=TLS_HANDSHAKE").contains("SSLHandshakeException", "127.0.0.1");
        events.await("RECONNECTING", WAIT);
        assertThat(connector.state()).isNotEqualTo(ConnectorState.CONNECTED);
    }

    @Test
    void rejectsAServerSignedByAnUntrustedCa() throws Exception {
        TlsLineServer server = server("localhost");
        start(ConnectorOptions.builder().endpoint("127.0.0.1", server.port())
                .tls(SslContextBuilder.forClient().build()));
        assertThat(events.await("CONNECT_FAILED", WAIT)).isEqualTo("CONNECT_FAILED TLS_HANDSHAKE");
        assertThat(events.connectFailures().get(0).cause()).isEqualTo(DisconnectCause.TLS_HANDSHAKE);
    }

    @Test
    void hostnameVerificationCanBeTurnedOff() throws Exception {
        TlsLineServer server = server("wrong-host");
        start(ConnectorOptions.builder().endpoint("127.0.0.1", server.port()).tls(trustingTestCa())
                .tlsHostnameVerification(false));
        String first = events.await("", WAIT);
        assertThat(first).as("first event; disconnections: %s", events.disconnections()).isEqualTo("CONNECTED");
    }

    @Test
    void aServerThatNeverAnswersTheHandshakeFailsTheAttemptWithinTheTlsHandshakeTimeout() throws Exception {
        // A plain TCP server: it accepts, reads the ClientHello as a line it never finishes, and answers nothing.
        LineServer server = closer.add(LineServer.start());
        long startedAt = System.nanoTime();
        start(ConnectorOptions.builder().endpoint("127.0.0.1", server.port()).tls(trustingTestCa())
                .tlsHandshakeTimeout(Duration.ofMillis(300)));

        assertThat(events.await("CONNECT_FAILED", WAIT)).isEqualTo("CONNECT_FAILED TLS_HANDSHAKE");
        Duration took = Duration.ofNanos(System.nanoTime() - startedAt);
        // Netty's own default is 10 s, so this bound fails without the option, with room for a busy machine.
        assertThat(took).isLessThan(Duration.ofSeconds(5));
        Disconnection why = events.connectFailures().get(0);
        assertThat(why.exception()).isInstanceOf(SslHandshakeTimeoutException.class);
        assertThat(why.detail()).isEqualTo("the TLS handshake timed out: not done within 300ms");
        assertThat(why.toString()).startsWith("cause=TLS_HANDSHAKE (the TLS handshake timed out: not done within 300ms)")
                .doesNotContain("io.resilientconnector");
        events.await("RECONNECTING", WAIT);
    }

    @Test
    void readIdleDoesNotStartBeforeTheTlsHandshakeSucceeds() throws Exception {
        // A plain TCP server that sends nothing, so the handshake never finishes. Read idle used to run from the
        // TCP connect, and reported READ_IDLE for a connection the listener was never told was connected.
        LineServer server = closer.add(LineServer.start());
        start(ConnectorOptions.builder().endpoint("127.0.0.1", server.port()).tls(trustingTestCa())
                .readIdlePeriod(Duration.ofMillis(100)).tlsHandshakeTimeout(Duration.ofMillis(800)));

        assertThat(events.await("CONNECT_FAILED", WAIT)).isEqualTo("CONNECT_FAILED TLS_HANDSHAKE");
        events.await("RECONNECTING", WAIT);
        List<String> all = events.all();
        assertThat(all.subList(0, all.indexOf("CONNECT_FAILED TLS_HANDSHAKE")))
                .as("events before the failed handshake ended the attempt").isEmpty();
        assertThat(all).noneMatch(e -> e.startsWith("READ_IDLE") || e.equals("CONNECTED"));
    }

    @Test
    void readIdleStartsOnceTheTlsHandshakeHasSucceeded() throws Exception {
        TlsLineServer server = server("localhost");
        start(ConnectorOptions.builder().endpoint("127.0.0.1", server.port()).tls(trustingTestCa())
                .readIdlePeriod(Duration.ofMillis(100)));

        events.await("READ_IDLE 1", WAIT);
        List<String> all = events.all();
        assertThat(all.indexOf("CONNECTED")).as("CONNECTED in %s", all).isZero();
        assertThat(all.indexOf("READ_IDLE 1")).isGreaterThan(all.indexOf("CONNECTED"));
    }

    @Test
    void rejectsAServerContextAsClientTls() throws Exception {
        SslContext serverContext;
        try (InputStream cert = getClass().getResourceAsStream("/tls/localhost.pem");
             InputStream key = getClass().getResourceAsStream("/tls/localhost.key")) {
            serverContext = SslContextBuilder.forServer(cert, key).build();
        }
        assertThatThrownBy(() -> ConnectorOptions.builder().tls(serverContext))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tls: a server SslContext");
    }
}
