package io.resilientconnector;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.resilientconnector.handler.ReconnectHandler;
import io.resilientconnector.testing.Closer;
import io.resilientconnector.testing.EventRecorder;
import io.resilientconnector.testing.Fast;
import io.resilientconnector.testing.NoopInitializer;
import io.resilientconnector.testing.Ports;
import io.resilientconnector.transport.TransportType;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.resilientconnector.testing.Fast.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code maxAttempts(n)} makes n connect attempts, counted against a refused loopback port, and says so. */
class MaxAttemptsTest {

    @RegisterExtension
    final Closer closer = new Closer();

    private static ReconnectPolicy policy(int maxAttempts) {
        return Fast.RECONNECT.toBuilder().maxAttempts(maxAttempts).build();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void theConnectorMakesExactlyMaxAttemptsFromStartAndReportsThem(int maxAttempts) throws Exception {
        EventRecorder events = EventRecorder.withAttempts();
        ResilientConnector connector = closer.add(ResilientConnector.builder(ConnectorOptions.builder()
                        .endpoint("127.0.0.1", Ports.closed()).transport(TransportType.NIO)
                        .reconnect(policy(maxAttempts)).build())
                .handler(new NoopInitializer()).listener(events).random(new Random(1)).build());
        connector.start();

        assertThat(events.await("GAVE_UP", WAIT)).isEqualTo("GAVE_UP " + maxAttempts);
        assertThat(events.all()).filteredOn(e -> e.startsWith("ATTEMPT_STARTED")).hasSize(maxAttempts);
        assertThat(events.all()).filteredOn(e -> e.startsWith("CONNECT_FAILED")).hasSize(maxAttempts);
        // Attempt 1 starts at once; each later one is scheduled under its own number.
        assertThat(events.all()).filteredOn(e -> e.startsWith("RECONNECTING")).containsExactlyElementsOf(
                IntStream.rangeClosed(2, maxAttempts).mapToObj(n -> "RECONNECTING " + n).collect(Collectors.toList()));
        assertThat(connector.state()).isEqualTo(ConnectorState.GAVE_UP);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void theReconnectHandlerMakesExactlyMaxAttemptsAndReportsThem(int maxAttempts) throws Exception {
        EventLoopGroup group = closer.addGroup(new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory()));
        AtomicInteger channels = new AtomicInteger();
        CompletableFuture<Integer> gaveUp = new CompletableFuture<>();
        AtomicInteger failed = new AtomicInteger();
        Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .remoteAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), Ports.closed()));
        ReconnectHandler reconnect = new ReconnectHandler(bootstrap, policy(maxAttempts), new Random(1),
                new ConnectorListener() {
                    @Override
                    public void connectFailed(Disconnection why, List<Disconnection> attempts) {
                        failed.incrementAndGet();
                    }

                    @Override
                    public void gaveUp(int attempts, Disconnection last) {
                        gaveUp.complete(attempts);
                    }
                });
        // Every connect the handler makes is a new channel, initialized once.
        bootstrap.handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                channels.incrementAndGet();
                ch.pipeline().addLast(reconnect);
            }
        });
        reconnect.connect();

        assertThat(gaveUp.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(maxAttempts);
        assertThat(channels).hasValue(maxAttempts);
        assertThat(failed).hasValue(maxAttempts);
    }
}
