package io.resilientconnector.handler;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.resilientconnector.ConnectorListener;
import io.resilientconnector.Disconnection;
import io.resilientconnector.Jitter;
import io.resilientconnector.ReconnectPolicy;
import io.resilientconnector.testing.Closer;
import io.resilientconnector.testing.LineServer;
import io.resilientconnector.testing.Ports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The reconnect handler in a plain application Bootstrap, against real sockets. */
class ReconnectHandlerTest {

    @RegisterExtension
    final Closer closer = new Closer();

    private final EventLoopGroup group = closer.addGroup(new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory()));
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();

    private ReconnectHandler handler(Bootstrap bootstrap, ReconnectPolicy policy) {
        ReconnectHandler reconnect = new ReconnectHandler(bootstrap, policy, new Random(1), new ConnectorListener() {
            @Override
            public void connected(Channel channel) {
                events.add("connected");
            }

            @Override
            public void disconnected(Disconnection why) {
                events.add("lost " + why.cause());
            }

            @Override
            public void connectFailed(Disconnection why, List<Disconnection> attempts) {
                events.add("failed " + why.cause() + " " + attempts.size());
            }

            @Override
            public void reconnectScheduled(int attempt, Duration delay, Disconnection after) {
                events.add("scheduled " + attempt + " " + delay.toMillis() + "ms");
            }

            @Override
            public void gaveUp(int attempts, Disconnection last) {
                events.add("gave up " + attempts);
            }
        });
        bootstrap.handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new ConnectionEventLogger(), reconnect);
            }
        });
        return reconnect;
    }

    private Bootstrap bootstrap(int port) {
        return new Bootstrap().group(group).channel(NioSocketChannel.class)
                .remoteAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }

    private static ReconnectPolicy policy(int maxAttempts) {
        return ReconnectPolicy.builder().maxAttempts(maxAttempts)
                .initialDelay(Duration.ofMillis(20)).maxDelay(Duration.ofMillis(80)).jitter(Jitter.NONE).build();
    }

    private String next() throws InterruptedException {
        String e = events.poll(10, TimeUnit.SECONDS);
        assertThat(e).as("an event within 10 s").isNotNull();
        return e;
    }

    @Test
    void retriesAFailedConnectThatFiresNoChannelInactive() throws Exception {
        ReconnectHandler reconnect = handler(bootstrap(Ports.closed()), policy(3));
        reconnect.connect();
        // maxAttempts 3: the first connect and two retries, each numbered as the attempt it is.
        assertThat(next()).isEqualTo("failed CONNECT_REFUSED 1");
        assertThat(next()).isEqualTo("scheduled 2 20ms");
        assertThat(next()).isEqualTo("failed CONNECT_REFUSED 1");
        assertThat(next()).isEqualTo("scheduled 3 40ms");
        assertThat(next()).isEqualTo("failed CONNECT_REFUSED 1");
        assertThat(next()).isEqualTo("gave up 3");
    }

    @Test
    void reconnectsAfterAnEstablishedConnectionCloses() throws Exception {
        try (LineServer server = LineServer.start()) {
            ReconnectHandler reconnect = handler(bootstrap(server.port()), policy(0));
            reconnect.connect();
            assertThat(next()).isEqualTo("connected");
            server.awaitOpenConnections(1);
            server.closeConnections();
            assertThat(next()).isEqualTo("lost PEER_CLOSED");
            // Dropped within the stable period: the attempt that made it counts, so this is attempt 2.
            assertThat(next()).isEqualTo("scheduled 2 20ms");
            assertThat(next()).isEqualTo("connected");
            reconnect.stop();
            server.awaitOpenConnections(1);
            server.closeConnections();
            assertThat(next()).isEqualTo("lost PEER_CLOSED");
            assertThat(events.poll(500, TimeUnit.MILLISECONDS)).as("stopped: no reconnect").isNull();
            assertThat(server.awaitAccepted(2)).isEqualTo(2);
        }
    }
}
