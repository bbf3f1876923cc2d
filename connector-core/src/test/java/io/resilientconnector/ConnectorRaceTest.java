package io.resilientconnector;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.SslContextBuilder;
import io.resilientconnector.testing.Closer;
import io.resilientconnector.testing.EventRecorder;
import io.resilientconnector.testing.Fast;
import io.resilientconnector.testing.FullBacklogListener;
import io.resilientconnector.testing.LineServer;
import io.resilientconnector.testing.NoopInitializer;
import io.resilientconnector.testing.Ports;
import io.resilientconnector.testing.Transports;
import io.resilientconnector.transport.TransportType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.resilientconnector.testing.Fast.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Every race ends in a defined state, never a stuck one, and never with a reconnect after close(). */
class ConnectorRaceTest {

    @RegisterExtension
    final Closer closer = new Closer();
    private final EventRecorder events = new EventRecorder();

    static List<TransportType> transports() {
        return Transports.linuxAndNio();
    }

    private ResilientConnector connector(ConnectorOptions.Builder options, io.netty.channel.ChannelHandler handler) {
        ResilientConnector connector = ResilientConnector.builder(options.reconnect(Fast.RECONNECT).build())
                .handler(handler).listener(events).build();
        closer.add(connector);
        return connector;
    }

    @Test
    void closeWhileConnectingAbortsTheAttemptAndNeverReconnects() throws Exception {
        assumeTrue(Transports.isLinux(), "relies on Linux dropping SYNs to a full accept queue");
        FullBacklogListener full = closer.add(new FullBacklogListener());
        CountDownLatch attempting = new CountDownLatch(1);
        ResilientConnector connector = connector(ConnectorOptions.builder().endpoint("127.0.0.1", full.port())
                .connectTimeout(Duration.ofSeconds(30)), new NoopInitializer());
        connector.addListener(new ConnectorListener() {
            @Override
            public void attemptStarted(Endpoint endpoint, java.net.InetSocketAddress address) {
                attempting.countDown();
            }
        });
        connector.start();
        assertThat(connector.state()).isEqualTo(ConnectorState.CONNECTING);
        assertThat(attempting.await(10, TimeUnit.SECONDS)).as("the attempt is under way").isTrue();
        connector.closeAsync().get(5, TimeUnit.SECONDS);
        assertThat(events.all()).as("told before close() returned").containsExactly("CONNECT_FAILED LOCAL_CLOSE");
        assertThat(events.await("CONNECT_FAILED", WAIT)).isEqualTo("CONNECT_FAILED LOCAL_CLOSE");
        assertThat(events.poll(Duration.ofSeconds(1))).as("no reconnect after close").isNull();
        assertThat(connector.state()).isEqualTo(ConnectorState.CLOSED);
    }

    @Test
    void closeDuringTheFlushOfPendingSendsLeavesEveryFutureDoneAndNothingOutOfOrder() throws Exception {
        LineServer server = closer.add(LineServer.start());
        server.stopListening();
        AtomicInteger connects = new AtomicInteger();
        ResilientConnector connector = connector(ConnectorOptions.builder().endpoint("127.0.0.1", server.port())
                .maxPendingMessages(20_000).maxPendingBytes(64L * 1024 * 1024), new NoopInitializer());
        connector.addListener(new ConnectorListener() {
            @Override
            public void connected(Channel channel) {
                if (connects.incrementAndGet() == 1) {
                    // Close from another thread while the pending messages are being written.
                    CompletableFuture.runAsync(connector::closeAsync);
                }
            }
        });
        connector.start();
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        String padding = "x".repeat(1000);
        for (int i = 0; i < 20_000; i++) {
            futures.add(connector.send(Unpooled.copiedBuffer(i + " " + padding + "\n", StandardCharsets.US_ASCII)));
        }
        server.listen();
        CompletableFuture.allOf(futures.toArray(new CompletableFuture[0])).handle((v, e) -> null).get(20, TimeUnit.SECONDS);
        assertThat(futures).allMatch(CompletableFuture::isDone);
        int succeeded = 0;
        while (succeeded < futures.size() && !futures.get(succeeded).isCompletedExceptionally()) {
            succeeded++;
        }
        assertThat(futures.subList(succeeded, futures.size())).as("successes are a prefix, failures the rest")
                .allMatch(CompletableFuture::isCompletedExceptionally);
        assertThat(succeeded).as("the close raced the flush").isLessThan(futures.size());
        // The close is orderly, so the server receives every message whose future succeeded, in order, once.
        for (int i = 0; i < succeeded; i++) {
            String line = server.pollLine(10, TimeUnit.SECONDS);
            assertThat(line).isNotNull().startsWith(i + " ");
        }
        assertThat(connects.get()).isEqualTo(1);
        assertThat(connector.state()).isEqualTo(ConnectorState.CLOSED);
    }

    @Test
    void aThrowingInitializerIsReportedAsTheCauseAndRetried() throws Exception {
        LineServer server = closer.add(LineServer.start());
        AtomicInteger calls = new AtomicInteger();
        ResilientConnector connector = connector(ConnectorOptions.builder().endpoint("127.0.0.1", server.port()),
                new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (calls.incrementAndGet() <= 2) {
                            throw new IllegalStateException("application bug " + calls.get());
                        }
                    }
                }).start();
        assertThat(events.await("CONNECT_FAILED", WAIT)).isEqualTo("CONNECT_FAILED OTHER");
        // Netty hands the exception to the initializer's exceptionCaught, which logs it and closes the channel.
        assertThat(events.connectFailures().get(0).exception()).isNull();
        assertThat(events.connectFailures().get(0).detail())
                .isEqualTo("the application's ChannelInitializer failed; its exception is in the log");
        events.await("RECONNECTING 2", WAIT);
        events.await("CONNECTED", WAIT);
        assertThat(calls.get()).isEqualTo(3);
        assertThat(connector.state()).isEqualTo(ConnectorState.CONNECTED);
    }

    @Test
    void theApplicationsInitializerRunsAsNettyRunsIt() throws Exception {
        LineServer server = closer.add(LineServer.start());
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger added = new AtomicInteger();
        List<Throwable> caught = new CopyOnWriteArrayList<>();
        ResilientConnector connector = connector(ConnectorOptions.builder().endpoint("127.0.0.1", server.port()),
                new ChannelInitializer<Channel>() {
                    @Override
                    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
                        added.incrementAndGet();
                        super.handlerAdded(ctx);
                    }

                    @Override
                    protected void initChannel(Channel ch) {
                        if (calls.incrementAndGet() == 1) {
                            throw new IllegalStateException("application bug");
                        }
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        caught.add(cause);
                        ctx.close();
                    }
                }).start();
        assertThat(events.await("CONNECT_FAILED", WAIT)).isEqualTo("CONNECT_FAILED OTHER");
        events.await("CONNECTED", WAIT);
        assertThat(caught).hasSize(1);
        assertThat(caught.get(0)).isInstanceOf(IllegalStateException.class).hasMessage("application bug");
        assertThat(added.get()).isEqualTo(2);
        assertThat(connector.state()).isEqualTo(ConnectorState.CONNECTED);
    }

    @Test
    void aThrowingInitializerLeadsToGivingUpWhenThePolicySaysSo() throws Exception {
        LineServer server = closer.add(LineServer.start());
        ResilientConnector connector = ResilientConnector.builder(ConnectorOptions.builder()
                        .endpoint("127.0.0.1", server.port()).reconnect(Fast.RECONNECT.toBuilder().maxAttempts(2).build()).build())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        throw new IllegalStateException("always");
                    }
                }).listener(events).build();
        closer.add(connector);
        connector.start();
        assertThat(events.await("GAVE_UP", WAIT)).isEqualTo("GAVE_UP 2");
        assertThat(connector.state()).isEqualTo(ConnectorState.GAVE_UP);
        assertThat(events.connectFailures()).extracting(d -> d.cause()).containsOnly(DisconnectCause.OTHER);
    }

    @ParameterizedTest
    @MethodSource("transports")
    void resourcesClosedUnderALiveConnectorCloseItAndFailItsSends(TransportType type) throws Exception {
        Transports.assumeAvailable(type);
        LineServer server = closer.add(LineServer.start());
        ConnectorResources resources = closer.add(ConnectorResources.builder().transport(type).build());
        ResilientConnector connector = ResilientConnector.builder(ConnectorOptions.builder()
                        .endpoint("127.0.0.1", server.port()).transport(type).reconnect(Fast.RECONNECT).build())
                .handler(new NoopInitializer()).resources(resources).listener(events).build();
        closer.add(connector);
        connector.start();
        events.await("CONNECTED", WAIT);
        server.stopListening();
        resources.closeAsync().get(10, TimeUnit.SECONDS);
        assertThat(events.await("DISCONNECTED", WAIT)).startsWith("DISCONNECTED");
        connector.closeFuture().get(10, TimeUnit.SECONDS);
        assertThat(connector.state()).isEqualTo(ConnectorState.CLOSED);
        assertThat(events.poll(Duration.ofMillis(500))).as("no reconnect is promised on a loop that is gone").isNull();
        assertThatThrownBy(() -> connector.send(Unpooled.copiedBuffer("x\n", StandardCharsets.US_ASCII))
                .get(5, TimeUnit.SECONDS))
                .cause().isInstanceOf(SendRejectedException.class)
                .satisfies(e -> assertThat(((SendRejectedException) e).reason()).isEqualTo(SendRejectedException.Reason.CLOSED));
    }

    @Test
    void startRacingCloseLeavesNothingTakenAndNeverThrowsAnythingButTheDocumentedError() throws Exception {
        int before = SharedResources.users(TransportType.NIO);
        for (int i = 0; i < 50; i++) {
            ResilientConnector connector = ResilientConnector.builder(ConnectorOptions.builder()
                            .endpoint("127.0.0.1", Ports.closed()).transport(TransportType.NIO).reconnect(Fast.RECONNECT).build())
                    .handler(new NoopInitializer()).build();
            CountDownLatch go = new CountDownLatch(1);
            CompletableFuture<Throwable> started = CompletableFuture.supplyAsync(() -> {
                await(go);
                try {
                    connector.start();
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            CompletableFuture<Void> closed = CompletableFuture.runAsync(() -> {
                await(go);
                connector.closeAsync();
            });
            go.countDown();
            closed.get(10, TimeUnit.SECONDS);
            Throwable thrown = started.get(10, TimeUnit.SECONDS);
            if (thrown != null) {
                assertThat(thrown).isInstanceOf(IllegalStateException.class)
                        .hasMessage("connector cannot start in state CLOSED (expected: NEW; a connector starts once)");
            }
            connector.closeFuture().get(10, TimeUnit.SECONDS);
            assertThat(connector.state()).isEqualTo(ConnectorState.CLOSED);
        }
        assertThat(SharedResources.users(TransportType.NIO)).as("every share of the default resources given back")
                .isEqualTo(before);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void closeDuringATlsHandshakeCompletesOnlyOnceTheListenersHeardTheEnd(TransportType type) throws Exception {
        Transports.assumeAvailable(type);
        // A plain server: it reads the client's hello and never answers, so the handshake hangs.
        LineServer server = closer.add(LineServer.start());
        ResilientConnector connector = connector(ConnectorOptions.builder().endpoint("127.0.0.1", server.port())
                .transport(type).tls(SslContextBuilder.forClient().build()), new NoopInitializer()).start();
        server.awaitOpenConnections(1);
        connector.closeAsync().get(10, TimeUnit.SECONDS);
        assertThat(events.all()).as("told before close() returned").contains("CONNECT_FAILED LOCAL_CLOSE");
        assertThat(events.poll(Duration.ofMillis(500))).isEqualTo("CONNECT_FAILED LOCAL_CLOSE");
        assertThat(events.poll(Duration.ofMillis(500))).as("told once, and no reconnect").isNull();
    }

    @Test
    void closeBeforeStartIsFinal() {
        ResilientConnector connector = connector(ConnectorOptions.builder().endpoint("127.0.0.1", 9), new NoopInitializer());
        connector.close();
        connector.close();
        assertThat(connector.state()).isEqualTo(ConnectorState.CLOSED);
        assertThatThrownBy(connector::start).isInstanceOf(IllegalStateException.class)
                .hasMessage("connector cannot start in state CLOSED (expected: NEW; a connector starts once)");
    }
}
