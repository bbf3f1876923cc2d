package io.resilientconnector;

import ch.qos.logback.classic.Level;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.ssl.SslContextBuilder;
import io.resilientconnector.realserver.DanteSocks;
import io.resilientconnector.realserver.RealServer;
import io.resilientconnector.realserver.TinyProxy;
import io.resilientconnector.testing.Closer;
import io.resilientconnector.testing.EventRecorder;
import io.resilientconnector.testing.Fast;
import io.resilientconnector.testing.LineServer;
import io.resilientconnector.testing.LogCapture;
import io.resilientconnector.testing.Ports;
import io.resilientconnector.testing.TlsLineServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.resilientconnector.testing.Fast.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The connector through real proxies (Dante for SOCKS5, Tinyproxy for HTTP CONNECT) to a real server on
 * loopback. The proxies come from Debian packages: without them, or without root for Dante, these tests are
 * skipped, except with {@code CI=true}, where they fail.
 */
class ProxyTest {

    @RegisterExtension
    final Closer closer = new Closer();
    private final EventRecorder events = new EventRecorder();
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();

    private LineServer server() throws IOException {
        return closer.add(LineServer.start());
    }

    private static ProxyOptions socks5(DanteSocks dante) {
        ProxyOptions.Builder b = ProxyOptions.builder().type(ProxyOptions.Type.SOCKS5).address(dante.host(), dante.port());
        return (dante.userName() == null ? b : b.credentials(dante.userName(), dante.password())).build();
    }

    private static ProxyOptions http(RealServer proxy) {
        return ProxyOptions.http(proxy.host(), proxy.port());
    }

    private ConnectorOptions.Builder options(ProxyOptions proxy, int port) {
        return ConnectorOptions.builder().endpoint("127.0.0.1", port).proxy(proxy).reconnect(Fast.RECONNECT);
    }

    /** The connector the test started last. */
    private ResilientConnector connector;

    private ResilientConnector start(ConnectorOptions options) {
        connector = ResilientConnector.builder(options)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new LineBasedFrameDecoder(1024), new StringDecoder(StandardCharsets.US_ASCII),
                                new SimpleChannelInboundHandler<String>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, String line) {
                                        received.add(line);
                                    }
                                });
                    }
                })
                .listener(events).build();
        return closer.add(connector).start();
    }

    /** Connected, one line each way through the tunnel. */
    private void assertRoundTrip(ResilientConnector connector, LineServer server, String text) throws Exception {
        events.await("CONNECTED", WAIT);
        assertThat(connector.state()).isEqualTo(ConnectorState.CONNECTED);
        connector.send(Unpooled.copiedBuffer(text + "\n", StandardCharsets.US_ASCII)).get(5, TimeUnit.SECONDS);
        assertThat(server.pollLine(5, TimeUnit.SECONDS)).isEqualTo(text);
        server.broadcast("echo " + text + "\n");
        assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("echo " + text);
    }

    /** The first disconnection is {@code cause}, a retry follows, and it fails the same way. */
    private void assertFailsAndRetries(DisconnectCause cause, LineServer server) throws Exception {
        assertThat(events.await("CONNECT_FAILED", WAIT)).isEqualTo("CONNECT_FAILED " + cause);
        assertThat(events.await("RECONNECTING", WAIT)).isEqualTo("RECONNECTING 2");
        assertThat(events.await("CONNECT_FAILED", WAIT)).isEqualTo("CONNECT_FAILED " + cause);
        assertThat(events.await("RECONNECTING", WAIT)).isEqualTo("RECONNECTING 3");
        assertThat(events.disconnections()).as("no established connection ended").isEmpty();
        assertThat(events.connectFailures()).allMatch(d -> d.cause().isConnectFailure());
        assertThat(server.acceptedCount()).as("connections that reached the endpoint").isZero();
    }

    @Test
    void connectsThroughASocks5ProxyWithoutAuthentication() throws Exception {
        DanteSocks dante = closer.add(DanteSocks.startForTest());
        LineServer server = server();
        assertRoundTrip(start(options(socks5(dante), server.port()).build()), server, "via socks5");
    }

    @Test
    void connectsThroughASocks5ProxyWithUserNameAndPassword() throws Exception {
        DanteSocks dante = closer.add(DanteSocks.startWithUserForTest("s3cret-Pw"));
        LineServer server = server();
        assertRoundTrip(start(options(socks5(dante), server.port()).build()), server, "via socks5 with a password");
    }

    @Test
    void connectsThroughAnHttpProxyWithoutAuthentication() throws Exception {
        TinyProxy tinyproxy = closer.add(TinyProxy.startForTest());
        LineServer server = server();
        assertRoundTrip(start(options(http(tinyproxy), server.port()).build()), server, "via http");
    }

    @Test
    void connectsThroughAnHttpProxyWithBasicAuthentication() throws Exception {
        TinyProxy tinyproxy = closer.add(TinyProxy.startForTest("alice", "s3cret-Pw"));
        LineServer server = server();
        ProxyOptions proxy = http(tinyproxy).toBuilder().credentials("alice", "s3cret-Pw").build();
        assertRoundTrip(start(options(proxy, server.port()).build()), server, "via http with a password");
    }

    @Test
    void reconnectsThroughAProxyThatWasKilledAndRestarted() throws Exception {
        DanteSocks dante = closer.add(DanteSocks.startForTest());
        LineServer server = server();
        ResilientConnector connector = start(options(socks5(dante), server.port()).build());
        assertRoundTrip(connector, server, "before");

        dante.kill();
        assertThat(events.await("DISCONNECTED", WAIT)).isIn("DISCONNECTED PEER_CLOSED", "DISCONNECTED RESET");
        // While it is down, reaching the proxy itself fails as a direct connection would.
        assertThat(events.await("CONNECT_FAILED", WAIT)).isEqualTo("CONNECT_FAILED CONNECT_REFUSED");

        dante.restart();
        assertRoundTrip(connector, server, "after");
        assertThat(server.acceptedCount()).isEqualTo(2);
    }

    @Test
    void aWrongSocks5PasswordIsAProxyAuthenticationFailureAndIsRetried() throws Exception {
        DanteSocks dante = closer.add(DanteSocks.startWithUserForTest("s3cret-Pw"));
        LineServer server = server();
        ProxyOptions wrong = socks5(dante).toBuilder().credentials(dante.userName(), "wrong-Pw").build();
        start(options(wrong, server.port()).build());
        assertFailsAndRetries(DisconnectCause.PROXY_AUTH_FAILED, server);
        Disconnection why = events.connectFailures().get(0);
        assertThat(why.toString()).contains("socks5, password").doesNotContain("wrong-Pw");
    }

    @Test
    void aSocks5ProxyThatWantsCredentialsNoneWereGivenForIsAProxyAuthenticationFailure() throws Exception {
        DanteSocks dante = closer.add(DanteSocks.startWithUserForTest("s3cret-Pw"));
        LineServer server = server();
        start(options(socks5(dante).toBuilder().noCredentials().build(), server.port()).build());
        assertFailsAndRetries(DisconnectCause.PROXY_AUTH_FAILED, server);
    }

    @Test
    void aWrongHttpPasswordIsAProxyAuthenticationFailureAndIsRetried() throws Exception {
        TinyProxy tinyproxy = closer.add(TinyProxy.startForTest("alice", "s3cret-Pw"));
        LineServer server = server();
        start(options(http(tinyproxy).toBuilder().credentials("alice", "wrong-Pw").build(), server.port()).build());
        assertFailsAndRetries(DisconnectCause.PROXY_AUTH_FAILED, server);
        assertThat(events.connectFailures().get(0).toString()).contains("http, basic").doesNotContain("wrong-Pw");
    }

    @Test
    void missingHttpCredentialsAreAProxyAuthenticationFailure() throws Exception {
        TinyProxy tinyproxy = closer.add(TinyProxy.startForTest("alice", "s3cret-Pw"));
        LineServer server = server();
        start(options(http(tinyproxy), server.port()).build());
        assertFailsAndRetries(DisconnectCause.PROXY_AUTH_FAILED, server);
        assertThat(events.connectFailures().get(0).toString()).contains("407");
    }

    @Test
    void aSocks5ProxyThatCannotReachTheEndpointRefuses() throws Exception {
        DanteSocks dante = closer.add(DanteSocks.startForTest());
        LineServer server = server();
        start(options(socks5(dante), Ports.closed()).build());
        assertFailsAndRetries(DisconnectCause.PROXY_REFUSED, server);
        assertThat(events.connectFailures().get(0).toString()).contains("CONNECTION_REFUSED");
    }

    @Test
    void anHttpProxyThatCannotReachTheEndpointRefuses() throws Exception {
        TinyProxy tinyproxy = closer.add(TinyProxy.startForTest());
        LineServer server = server();
        start(options(http(tinyproxy), Ports.closed()).build());
        assertFailsAndRetries(DisconnectCause.PROXY_REFUSED, server);
    }

    @Test
    void aProxyThatCannotBeReachedIsAnOrdinaryConnectFailure() throws Exception {
        LineServer server = server();
        start(options(ProxyOptions.socks5("127.0.0.1", Ports.closed()), server.port()).build());
        assertFailsAndRetries(DisconnectCause.CONNECT_REFUSED, server);
    }

    @Test
    void aFrozenProxyTimesOutTheHandshakeAfterTheConnectTimeout() throws Exception {
        DanteSocks dante = closer.add(DanteSocks.startForTest());
        LineServer server = server();
        // Stopped, it still completes TCP handshakes from its listen backlog, but never answers the greeting.
        dante.freeze();
        long start = System.nanoTime();
        start(options(socks5(dante), server.port()).connectTimeout(Duration.ofMillis(500)).build());
        assertThat(events.await("CONNECT_FAILED", WAIT)).isEqualTo("CONNECT_FAILED PROXY_CONNECT_TIMEOUT");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(500));
        assertThat(events.connectFailures().get(0).toString()).contains("no tunnel within 500ms");
        assertThat(events.await("RECONNECTING", WAIT)).isEqualTo("RECONNECTING 2");

        dante.thaw();
        assertRoundTrip(connector, server, "after the thaw");
    }

    /** Netty's proxy handler swallows this close; without the connector's watch nothing would reconnect. */
    @Test
    void aProxyThatClosesDuringTheHandshakeRefusesAndIsRetried() throws Exception {
        LineServer server = server();
        try (ServerSocket proxy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread closer = new Thread(() -> {
                while (!proxy.isClosed()) {
                    try (Socket s = proxy.accept(); InputStream in = s.getInputStream()) {
                        in.read();      // the greeting, then close without a reply
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "closing-proxy");
            closer.setDaemon(true);
            closer.start();
            start(options(ProxyOptions.socks5("127.0.0.1", proxy.getLocalPort()), server.port()).build());
            assertFailsAndRetries(DisconnectCause.PROXY_REFUSED, server);
            assertThat(events.connectFailures().get(0).toString()).contains("closed the connection during the handshake");
        }
    }

    @Test
    void tlsRunsThroughTheTunnelAndChecksTheEndpointsName() throws Exception {
        DanteSocks dante = closer.add(DanteSocks.startForTest());
        TlsLineServer server = closer.add(new TlsLineServer("localhost"));
        ResilientConnector connector;
        try (InputStream ca = TlsLineServer.caCertificate()) {
            // The name, not the address: the proxy resolves it, and the certificate is checked against it.
            connector = start(ConnectorOptions.builder().endpoint("localhost", server.port()).proxy(socks5(dante))
                    .reconnect(Fast.RECONNECT).tls(SslContextBuilder.forClient().trustManager(ca).build()).build());
        }
        assertThat(events.await("", WAIT)).as("first event; disconnections: %s", events.disconnections())
                .isEqualTo("CONNECTED");
        connector.send(Unpooled.copiedBuffer("over tls via socks5\n", StandardCharsets.US_ASCII)).get(5, TimeUnit.SECONDS);
        assertThat(server.pollLine(5, TimeUnit.SECONDS)).isEqualTo("over tls via socks5");
    }

    @Test
    void theConnectedLineSaysKeepaliveBoundsOnlyTheHopToTheProxy() throws Exception {
        TinyProxy tinyproxy = closer.add(TinyProxy.startForTest());
        LineServer server = server();
        try (LogCapture log = LogCapture.of(ResilientConnector.class, Level.INFO)) {
            start(options(http(tinyproxy), server.port()).build());
            events.await("CONNECTED", WAIT);
            assertThat(log.messages(Level.INFO)).anyMatch(m -> m.contains(" connected: ") && m.endsWith(
                    " via=http proxy 127.0.0.1:" + tinyproxy.port()
                            + " (keepalive and user timeout bound the hop to the proxy only)"
                            + " heartbeat=off (nothing watches the endpoint behind the proxy; set a heartbeat)"));
        }
    }
}
