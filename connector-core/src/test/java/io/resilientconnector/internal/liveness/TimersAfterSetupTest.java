package io.resilientconnector.internal.liveness;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.resilientconnector.DisconnectCause;
import io.resilientconnector.Disconnection;
import io.resilientconnector.HeartbeatOptions;
import io.resilientconnector.internal.pipeline.ConnectionHandler;
import io.resilientconnector.internal.pipeline.ConnectionOwner;
import io.resilientconnector.internal.pipeline.ConnectionSettings;
import io.resilientconnector.internal.pipeline.ReceivedBytesPreview;
import io.resilientconnector.testing.TlsLineServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Read idle and the heartbeat start once the connection is ready, not at the TCP connect: a TLS handshake under
 * way is bounded by its own timeout. A real client and server {@link SslHandler} on EmbeddedChannel's frozen
 * clock, the bytes carried between them by hand.
 */
class TimersAfterSetupTest {

    private static final Duration READ_IDLE = Duration.ofMillis(200);
    private static final Duration HEARTBEAT_IDLE = Duration.ofMillis(500);
    private static final long HANDSHAKE_TIMEOUT_MILLIS = 2000;

    private final EmbeddedChannel client = new EmbeddedChannel();
    private final EmbeddedChannel server = new EmbeddedChannel();
    private final Owner owner = new Owner();

    /** What the handler tells its connector. */
    private static final class Owner implements ConnectionOwner {
        final List<Integer> readIdle = new ArrayList<>();
        boolean ready;
        Disconnection ended;

        @Override
        public void ready(Channel channel) {
            ready = true;
        }

        @Override
        public void readIdle(Channel channel, int consecutive) {
            readIdle.add(consecutive);
        }

        @Override
        public void writabilityChanged(Channel channel) {
        }

        @Override
        public void heartbeat(Channel channel, long roundTripNanos) {
        }

        @Override
        public void ended(Channel channel, Disconnection why) {
            ended = why;
        }
    }

    @AfterEach
    void releaseBoth() {
        client.finishAndReleaseAll();
        server.finishAndReleaseAll();
    }

    /** The connector's order: TLS, then the connection handler, then channelActive passed on. */
    private void setUpClient(boolean heartbeatWaitsForSignal) throws Exception {
        SslContext tls;
        try (InputStream ca = TlsLineServer.caCertificate()) {
            tls = SslContextBuilder.forClient().trustManager(ca).build();
        }
        ConnectionSettings settings = new ConnectionSettings(READ_IDLE, new ReadIdlePolicy(READ_IDLE, 0, Level.DEBUG),
                Duration.ZERO, new ReceivedBytesPreview(Level.TRACE, 0))
                .withHeartbeat(HEARTBEAT_IDLE, Duration.ofSeconds(10), () -> Unpooled.copiedBuffer("PING\n",
                        StandardCharsets.US_ASCII), null, heartbeatWaitsForSignal);
        client.freezeTime();
        SslHandler handler = tls.newHandler(client.alloc(), "localhost", 443);
        handler.setHandshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MILLIS);
        client.pipeline().addLast(handler, new ConnectionHandler(owner, settings));
        client.pipeline().fireChannelActive();
    }

    private void setUpServer() throws Exception {
        SslContext tls;
        try (InputStream cert = TlsLineServer.class.getResourceAsStream("/tls/localhost.pem");
             InputStream key = TlsLineServer.class.getResourceAsStream("/tls/localhost.key")) {
            tls = SslContextBuilder.forServer(cert, key).build();
        }
        server.pipeline().addLast(tls.newHandler(server.alloc()));
    }

    private void advance(long millis) {
        for (long done = 0; done < millis; done += 50) {
            client.advanceTimeBy(50, TimeUnit.MILLISECONDS);
            client.runScheduledPendingTasks();
            client.runPendingTasks();
        }
    }

    /** Carries bytes both ways until neither side has anything more to say. */
    private void shuttle() {
        for (boolean moved = true; moved; ) {
            moved = carry(client, server) | carry(server, client);
        }
    }

    private static boolean carry(EmbeddedChannel from, EmbeddedChannel to) {
        boolean moved = false;
        for (Object m; (m = from.readOutbound()) != null; ) {
            to.writeInbound(m);
            moved = true;
        }
        to.runPendingTasks();
        return moved;
    }

    private String plaintextAtServer() {
        StringBuilder out = new StringBuilder();
        for (Object m; (m = server.readInbound()) != null; ) {
            out.append(((ByteBuf) m).toString(StandardCharsets.US_ASCII));
            ((ByteBuf) m).release();
        }
        return out.toString();
    }

    @Test
    void nothingIsReadIdleWhileTheHandshakeIsUnansweredAndItsTimeoutEndsIt() throws Exception {
        setUpClient(false);
        // The application's hello, flushed in channelActive: TLS holds it until the handshake is done.
        client.writeAndFlush(Unpooled.copiedBuffer("HELLO\n", StandardCharsets.US_ASCII));

        advance(HANDSHAKE_TIMEOUT_MILLIS - 100);
        assertThat(client.isOpen()).isTrue();
        assertThat(owner.ready).isFalse();
        assertThat(owner.readIdle).as("read-idle periods before the connection is ready").isEmpty();

        advance(200);
        assertThat(client.isOpen()).isFalse();
        assertThat(owner.readIdle).isEmpty();
        assertThat(owner.ended.cause()).isEqualTo(DisconnectCause.TLS_HANDSHAKE);
        assertThat(owner.ended.detail()).isEqualTo("the TLS handshake timed out: not done within 2s");
    }

    @Test
    void readIdleAndTheHeartbeatStartOnceTheHandshakeHasSucceeded() throws Exception {
        setUpServer();
        setUpClient(false);
        advance(1000);
        assertThat(owner.readIdle).isEmpty();

        shuttle();
        assertThat(owner.ready).isTrue();
        advance(READ_IDLE.toMillis() - 100);
        assertThat(owner.readIdle).as("the period counts from the handshake, not the connect").isEmpty();
        advance(200);
        assertThat(owner.readIdle).containsExactly(1);
        advance(HEARTBEAT_IDLE.toMillis());
        shuttle();
        assertThat(plaintextAtServer()).isEqualTo("PING\n");
    }

    @Test
    void aHeartbeatSignalledDuringTheHandshakeStartsOnceItHasSucceeded() throws Exception {
        setUpServer();
        setUpClient(true);
        HeartbeatOptions.start(client);
        advance(HEARTBEAT_IDLE.toMillis() * 2);
        assertThat(owner.ready).isFalse();

        shuttle();
        assertThat(owner.ready).isTrue();
        advance(HEARTBEAT_IDLE.toMillis() - 100);
        shuttle();
        assertThat(plaintextAtServer()).as("no probe before idle after the handshake").isEmpty();
        advance(200);
        shuttle();
        assertThat(plaintextAtServer()).isEqualTo("PING\n");
    }
}
