package io.resilientconnector;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.resilientconnector.testing.Closer;
import io.resilientconnector.testing.EventRecorder;
import io.resilientconnector.testing.Fast;
import io.resilientconnector.testing.LineServer;
import io.resilientconnector.testing.NoopInitializer;
import io.resilientconnector.testing.Transports;
import io.resilientconnector.transport.TransportType;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.resilientconnector.testing.Fast.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ordinary application code that misbehaves (a listener that throws an {@code Error}, a listener that closes the
 * connection it was just given, a handler that writes in channelActive) never breaks the connector's loop: each
 * connection's end is told once, and one reconnect follows.
 */
class HostileApplicationTest {

    @RegisterExtension
    final Closer closer = new Closer();
    private final EventRecorder events = new EventRecorder();

    static List<TransportType> transports() {
        return Transports.linuxAndNio();
    }

    private LineServer server() throws Exception {
        return closer.add(LineServer.start());
    }

    private ResilientConnector connector(TransportType type, int port, io.netty.channel.ChannelHandler handler,
                                         ConnectorListener first) {
        Transports.assumeAvailable(type);
        ResilientConnector connector = ResilientConnector.builder(ConnectorOptions.builder().endpoint("127.0.0.1", port)
                        .transport(type).reconnect(Fast.RECONNECT).build())
                .handler(handler).listener(first).listener(events).build();
        closer.add(connector);
        return connector;
    }

    private static ByteBuf line(String text) {
        return Unpooled.copiedBuffer(text + "\n", StandardCharsets.US_ASCII);
    }

    @ParameterizedTest
    @MethodSource("transports")
    void aListenerThatThrowsErrorsDoesNotStopReconnecting(TransportType type) throws Exception {
        LineServer server = server();
        ConnectorListener hostile = new ConnectorListener() {
            @Override
            public void connected(Channel channel) {
                throw new AssertionError("an assert in the application's listener");
            }

            @Override
            public void disconnected(Disconnection why) {
                throw new AssertionError("an assert in the application's listener");
            }

            @Override
            public void reconnectScheduled(int attempt, Duration delay, Disconnection after) {
                throw new StackOverflowError("a recursion in the application's listener");
            }
        };
        ResilientConnector connector = connector(type, server.port(), new NoopInitializer(), hostile).start();
        events.await("CONNECTED", WAIT);
        assertThat(connector.state()).isEqualTo(ConnectorState.CONNECTED);
        server.awaitOpenConnections(1);
        server.closeConnections();
        assertThat(events.await("DISCONNECTED", WAIT)).isEqualTo("DISCONNECTED PEER_CLOSED");
        assertThat(events.await("RECONNECTING", WAIT)).isEqualTo("RECONNECTING 2");
        events.await("CONNECTED", WAIT);
        assertThat(connector.state()).isEqualTo(ConnectorState.CONNECTED);
        connector.send(line("after")).get(5, TimeUnit.SECONDS);
        assertThat(server.pollLine(5, TimeUnit.SECONDS)).isEqualTo("after");
    }

    @ParameterizedTest
    @MethodSource("transports")
    void aListenerThatClosesTheConnectionInConnectedCausesOneLossAndOneReconnect(TransportType type) throws Exception {
        LineServer server = server();
        AtomicInteger connects = new AtomicInteger();
        ConnectorListener closer = new ConnectorListener() {
            @Override
            public void connected(Channel channel) {
                if (connects.incrementAndGet() == 1) {
                    channel.close();
                }
            }
        };
        ResilientConnector connector = connector(type, server.port(), new NoopInitializer(), closer);
        // Sends that wait for the connection are flushed to it as it becomes ready, before the close.
        List<CompletableFuture<Void>> sends = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            sends.add(connector.send(line("queued " + i)));
        }
        connector.start();
        assertThat(events.await("CONNECTED", WAIT)).isEqualTo("CONNECTED");
        assertThat(events.await("DISCONNECTED", WAIT)).isEqualTo("DISCONNECTED LOCAL_CLOSE");
        assertThat(events.await("RECONNECTING", WAIT)).isEqualTo("RECONNECTING 2");
        assertThat(events.await("CONNECTED", WAIT)).isEqualTo("CONNECTED");
        assertThat(events.poll(Duration.ofSeconds(1))).as("nothing after the second connection").isNull();
        assertThat(server.awaitAccepted(2)).isEqualTo(2);
        assertThat(events.all()).containsExactly("CONNECTED", "DISCONNECTED LOCAL_CLOSE", "RECONNECTING 2", "CONNECTED");
        assertThat(events.disconnections()).singleElement()
                .satisfies(why -> assertThat(String.valueOf(why.detail())).doesNotContain("failback"));
        assertThat(connector.state()).isEqualTo(ConnectorState.CONNECTED);
        CompletableFuture.allOf(sends.toArray(new CompletableFuture[0])).handle((v, e) -> null).get(5, TimeUnit.SECONDS);
        // One loop: close() finds nothing left running, and no third connection follows.
        connector.closeAsync().get(5, TimeUnit.SECONDS);
        assertThat(events.await("DISCONNECTED", WAIT)).isEqualTo("DISCONNECTED LOCAL_CLOSE");
        assertThat(events.poll(Duration.ofMillis(500))).as("no reconnect after close").isNull();
        assertThat(server.acceptedCount()).isEqualTo(2);
    }

    @ParameterizedTest
    @MethodSource("transports")
    void aHandlerThatSaysHelloInChannelActiveIsHeardBeforeTheQueuedSendsAndBeforeConnected(TransportType type)
            throws Exception {
        LineServer server = server();
        AtomicBoolean connectedBeforeHello = new AtomicBoolean();
        AtomicBoolean connected = new AtomicBoolean();
        ConnectorListener watcher = new ConnectorListener() {
            @Override
            public void connected(Channel channel) {
                connected.set(true);
            }

            @Override
            public void disconnected(Disconnection why) {
                connected.set(false);
            }
        };
        ChannelInitializer<Channel> hello = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        connectedBeforeHello.compareAndSet(false, connected.get());
                        ctx.writeAndFlush(line("HELLO"));
                        ctx.fireChannelActive();
                    }
                });
            }
        };
        ResilientConnector connector = connector(type, server.port(), hello, watcher);
        connector.send(line("DATA 1"));
        connector.send(line("DATA 2"));
        connector.start();
        assertThat(server.pollLine(5, TimeUnit.SECONDS)).isEqualTo("HELLO");
        assertThat(server.pollLine(5, TimeUnit.SECONDS)).isEqualTo("DATA 1");
        assertThat(server.pollLine(5, TimeUnit.SECONDS)).isEqualTo("DATA 2");
        events.await("CONNECTED", WAIT);

        // After every reconnect too.
        server.stopListening();
        server.closeConnections();
        events.await("DISCONNECTED", WAIT);
        connector.send(line("DATA 3"));
        server.listen();
        assertThat(server.pollLine(10, TimeUnit.SECONDS)).isEqualTo("HELLO");
        assertThat(server.pollLine(5, TimeUnit.SECONDS)).isEqualTo("DATA 3");
        assertThat(connectedBeforeHello).as("connected() was told before channelActive").isFalse();
    }
}
