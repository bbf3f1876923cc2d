package io.resilientconnector;

import ch.qos.logback.classic.Level;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.resilientconnector.testing.Closer;
import io.resilientconnector.testing.EventRecorder;
import io.resilientconnector.testing.Fast;
import io.resilientconnector.testing.LineServer;
import io.resilientconnector.testing.LogCapture;
import io.resilientconnector.testing.NoopInitializer;
import io.resilientconnector.testing.Ports;
import io.resilientconnector.testing.Transports;
import io.resilientconnector.transport.KeepAliveOptions;
import io.resilientconnector.transport.Transport;
import io.resilientconnector.transport.TransportType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.resilientconnector.testing.Fast.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The connector end to end against real servers on loopback, on every Linux transport and NIO. */
class ResilientConnectorTest {

    @RegisterExtension
    final Closer closer = new Closer();
    private final EventRecorder events = new EventRecorder();

    static List<TransportType> transports() {
        return Transports.linuxAndNio();
    }

    private LineServer server() throws Exception {
        return closer.add(LineServer.start());
    }

    private ConnectorOptions.Builder options(TransportType type, int port) {
        Transports.assumeAvailable(type);
        return ConnectorOptions.builder().endpoint("127.0.0.1", port).transport(type).reconnect(Fast.RECONNECT);
    }

    private ResilientConnector start(ConnectorOptions options) {
        ResilientConnector connector = ResilientConnector.builder(options).handler(new NoopInitializer())
                .listener(events).random(new Random(1)).build();
        closer.add(connector);
        return connector.start();
    }

    private static ByteBuf line(String text) {
        return Unpooled.copiedBuffer(text + "\n", StandardCharsets.US_ASCII);
    }

    @ParameterizedTest
    @MethodSource("transports")
    void reconnectsAfterPeerClose(TransportType type) throws Exception {
        LineServer server = server();
        ResilientConnector connector = start(options(type, server.port()).build());
        events.await("CONNECTED", WAIT);
        assertThat(connector.state()).isEqualTo(ConnectorState.CONNECTED);
        server.awaitOpenConnections(1);
        server.closeConnections();
        assertThat(events.await("DISCONNECTED", WAIT)).isEqualTo("DISCONNECTED PEER_CLOSED");
        // Up for less than the stable period: the attempt that made the connection counts, so this is attempt 2.
        assertThat(events.await("RECONNECTING", WAIT)).isEqualTo("RECONNECTING 2");
        events.await("CONNECTED", WAIT);
        assertThat(server.awaitAccepted(2)).isEqualTo(2);
    }

    @ParameterizedTest
    @MethodSource("transports")
    void reportsResetAndReconnects(TransportType type) throws Exception {
        LineServer server = server();
        start(options(type, server.port()).build());
        events.await("CONNECTED", WAIT);
        server.awaitOpenConnections(1);
        server.resetConnections();
        assertThat(events.await("DISCONNECTED", WAIT)).isEqualTo("DISCONNECTED RESET");
        events.await("CONNECTED", WAIT);
    }

    @ParameterizedTest
    @MethodSource("transports")
    void backsOffWhileRefusedAndConnectsOnceTheServerIsUp(TransportType type) throws Exception {
        int port = Ports.closed();
        ResilientConnector connector = start(options(type, port).build());
        assertThat(events.await("CONNECT_FAILED", WAIT)).isEqualTo("CONNECT_FAILED CONNECT_REFUSED");
        assertThat(events.await("RECONNECTING", WAIT)).isEqualTo("RECONNECTING 2");
        assertThat(events.await("RECONNECTING", WAIT)).isEqualTo("RECONNECTING 3");
        assertThat(events.await("RECONNECTING", WAIT)).isEqualTo("RECONNECTING 4");
        assertThat(connector.state()).isIn(ConnectorState.WAITING_TO_RECONNECT, ConnectorState.CONNECTING);
        LineServer server = closer.add(LineServer.start(InetAddress.getLoopbackAddress(), port));
        events.await("CONNECTED", WAIT);
        assertThat(connector.state()).isEqualTo(ConnectorState.CONNECTED);
    }

    @ParameterizedTest
    @MethodSource("transports")
    void readIdleFiresRepeatedlyWhileConnected(TransportType type) throws Exception {
        LineServer server = server();
        ResilientConnector connector = start(options(type, server.port()).readIdlePeriod(Duration.ofMillis(200)).build());
        events.await("CONNECTED", WAIT);
        assertThat(events.await("READ_IDLE", WAIT)).isEqualTo("READ_IDLE 1");
        assertThat(events.await("READ_IDLE", WAIT)).isEqualTo("READ_IDLE 2");
        assertThat(events.await("READ_IDLE", WAIT)).isEqualTo("READ_IDLE 3");
        // A broadcast reaches only the connections the server has accepted.
        server.awaitOpenConnections(1);
        server.broadcast("data\n");
        // Periods that end before the data arrives go on counting; the first after it is number 1 again.
        String next = events.await("READ_IDLE", WAIT);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!next.equals("READ_IDLE 1") && System.nanoTime() < deadline) {
            assertThat(Integer.parseInt(next.substring("READ_IDLE ".length()))).as("counting on until the read").isGreaterThan(3);
            next = events.await("READ_IDLE", WAIT);
        }
        assertThat(next).as("a read starts the count over").isEqualTo("READ_IDLE 1");
        assertThat(connector.state()).as("read idle only reports by default").isEqualTo(ConnectorState.CONNECTED);
    }

    @ParameterizedTest
    @MethodSource("transports")
    void closesAfterConsecutiveReadIdlePeriodsWhenAskedTo(TransportType type) throws Exception {
        LineServer server = server();
        start(options(type, server.port()).readIdlePeriod(Duration.ofMillis(200)).readIdleCloseAfter(2).build());
        events.await("CONNECTED", WAIT);
        assertThat(events.await("DISCONNECTED", WAIT)).isEqualTo("DISCONNECTED READ_IDLE");
        events.await("CONNECTED", WAIT);
    }

    @ParameterizedTest
    @MethodSource("transports")
    void sendsWhileDisconnectedArriveAfterReconnectInOrderExactlyOnce(TransportType type) throws Exception {
        LineServer server = server();
        int port = server.port();
        ResilientConnector connector = start(options(type, port).build());
        events.await("CONNECTED", WAIT);
        connector.send(line("before")).get(5, TimeUnit.SECONDS);
        assertThat(server.pollLine(5, TimeUnit.SECONDS)).isEqualTo("before");

        // The accept first: a connection still in the accept queue when the listener closes is never accepted.
        server.awaitOpenConnections(1);
        server.stopListening();
        server.closeConnections();
        events.await("DISCONNECTED", WAIT);
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            futures.add(connector.send(line("queued-" + i)));
        }
        assertThat(futures).noneMatch(CompletableFuture::isDone);
        assertThat(connector.pendingMessages()).isEqualTo(100);

        server.listen();
        events.await("CONNECTED", WAIT);
        CompletableFuture.allOf(futures.toArray(new CompletableFuture[0])).get(5, TimeUnit.SECONDS);
        for (int i = 0; i < 100; i++) {
            assertThat(server.pollLine(5, TimeUnit.SECONDS)).isEqualTo("queued-" + i);
        }
        assertThat(server.pollLine(200, TimeUnit.MILLISECONDS)).as("exactly once").isNull();
    }

    @ParameterizedTest
    @MethodSource("transports")
    void sendsQueuedBeyondTheWriteHighWaterMarkAllArriveAfterReconnect(TransportType type) throws Exception {
        LineServer server = server();
        ResilientConnector connector = start(options(type, server.port()).build());
        events.await("CONNECTED", WAIT);
        // The accept first: a connection still in the accept queue when the listener closes is never accepted.
        server.awaitOpenConnections(1);
        server.stopListening();
        server.closeConnections();
        events.await("DISCONNECTED", WAIT);
        // 1000 lines of 1 KiB: about 15 times the channel's 64 KiB write high-water mark, so the flush on
        // reconnect must go on draining after the socket has taken the first batch.
        String padding = "x".repeat(1000);
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            futures.add(connector.send(line(i + ":" + padding)));
        }

        server.listen();
        events.await("CONNECTED", WAIT);
        CompletableFuture.allOf(futures.toArray(new CompletableFuture[0])).get(20, TimeUnit.SECONDS);
        for (int i = 0; i < 1000; i++) {
            assertThat(server.pollLine(5, TimeUnit.SECONDS)).isEqualTo(i + ":" + padding);
        }
        assertThat(connector.pendingMessages()).isZero();
    }

    @ParameterizedTest
    @MethodSource("transports")
    void closeDuringBackoffCancelsTheReconnect(TransportType type) throws Exception {
        int port = Ports.closed();
        ResilientConnector connector = start(options(type, port)
                .reconnect(ReconnectPolicy.builder().initialDelay(Duration.ofSeconds(3))
                        .jitter(Jitter.NONE).build()).build());
        events.await("RECONNECTING 2", WAIT);
        assertThat(connector.state()).isEqualTo(ConnectorState.WAITING_TO_RECONNECT);
        LineServer server = closer.add(LineServer.start(InetAddress.getLoopbackAddress(), port));
        connector.closeAsync().get(5, TimeUnit.SECONDS);
        assertThat(connector.state()).isEqualTo(ConnectorState.CLOSED);
        // The scheduled attempt was due after 3 s; give it more than that to show it never comes.
        String next = events.poll(Duration.ofSeconds(5));
        assertThat(next).isNull();
        assertThat(server.acceptedCount()).isZero();
    }

    @ParameterizedTest
    @MethodSource("transports")
    void closeReturnsOnlyOnceTheListenersHaveHeardTheDisconnect(TransportType type) throws Exception {
        LineServer server = server();
        CountDownLatch closeReturned = new CountDownLatch(1);
        CompletableFuture<Boolean> closeHadReturnedAtTheEvent = new CompletableFuture<>();
        // The application's channelInactive runs before the connector's disconnected event; holding it until
        // close() returns (or up to a second, if close() rightly waits) opens the window that a close which
        // completed on the channel's close future alone would leave for its caller.
        ChannelInitializer<Channel> slowInactive = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
                        closeReturned.await(1, TimeUnit.SECONDS);
                        super.channelInactive(ctx);
                    }
                });
            }
        };
        ResilientConnector connector = ResilientConnector.builder(options(type, server.port()).build())
                .handler(slowInactive)
                .listener(new ConnectorListener() {
                    @Override
                    public void disconnected(Disconnection why) {
                        closeHadReturnedAtTheEvent.complete(closeReturned.getCount() == 0);
                    }
                })
                .listener(events).build();
        closer.add(connector);
        connector.start();
        events.await("CONNECTED", WAIT);

        connector.close();
        closeReturned.countDown();

        assertThat(closeHadReturnedAtTheEvent).isCompletedWithValue(false);
        assertThat(events.all()).last().isEqualTo("DISCONNECTED LOCAL_CLOSE");
    }

    @ParameterizedTest
    @MethodSource("transports")
    void closeFailsPendingSendsWithAReason(TransportType type) throws Exception {
        ResilientConnector connector = start(options(type, Ports.closed()).build());
        CompletableFuture<Void> pending = connector.send(line("never"));
        connector.close();
        assertThatThrownBy(() -> pending.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(SendRejectedException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> connector.send(line("after")).get(5, TimeUnit.SECONDS))
                .cause().isInstanceOf(SendRejectedException.class)
                .satisfies(e -> assertThat(((SendRejectedException) e).reason()).isEqualTo(SendRejectedException.Reason.CLOSED));
    }

    @Test
    void aFullPendingBufferFailsTheSendAtOnce() throws Exception {
        ResilientConnector connector = start(options(TransportType.NIO, Ports.closed()).maxPendingMessages(2).build());
        CompletableFuture<Void> first = connector.send(line("1"));
        CompletableFuture<Void> second = connector.send(line("2"));
        CompletableFuture<Void> third = connector.send(line("3"));
        assertThat(first).isNotDone();
        assertThat(second).isNotDone();
        assertThatThrownBy(() -> third.get(1, TimeUnit.SECONDS)).cause().isInstanceOf(SendRejectedException.class)
                .hasMessageContaining("pending-send buffer full: 2 messages")
                .hasMessageContaining("maxPendingMessages 2")
                .satisfies(e -> assertThat(((SendRejectedException) e).reason())
                        .isEqualTo(SendRejectedException.Reason.BUFFER_FULL));
    }

    @Test
    void aPendingByteLimitBoundsTheBuffer() throws Exception {
        ResilientConnector connector = start(options(TransportType.NIO, Ports.closed()).maxPendingBytes(10).build());
        assertThat(connector.send(line("12345678"))).isNotDone();
        assertThatThrownBy(() -> connector.send(line("x")).get(1, TimeUnit.SECONDS))
                .cause().hasMessageContaining("9 bytes waiting").hasMessageContaining("maxPendingBytes 10");
    }

    @ParameterizedTest
    @MethodSource("transports")
    void aMessageLargerThanThePendingByteLimitIsSentFromAnyThreadWhileConnected(TransportType type) throws Exception {
        LineServer server = server();
        ResilientConnector connector = start(options(type, server.port()).maxPendingBytes(1024).build());
        events.await("CONNECTED", WAIT);
        String big = "x".repeat(4096);
        // From the test's thread, not the event loop: it passes through the empty queue.
        connector.send(line(big)).get(5, TimeUnit.SECONDS);
        assertThat(server.pollLine(5, TimeUnit.SECONDS)).isEqualTo(big);
    }

    @Test
    void aMessageLargerThanThePendingByteLimitCannotWaitForAConnectionAndSaysSo() throws Exception {
        ResilientConnector connector = start(options(TransportType.NIO, Ports.closed()).maxPendingBytes(1024).build());
        assertThatThrownBy(() -> connector.send(line("x".repeat(4096))).get(1, TimeUnit.SECONDS))
                .cause().isInstanceOf(SendRejectedException.class)
                .hasMessageContaining("message of 4097 bytes is larger than maxPendingBytes 1024");
    }

    @Test
    void givesUpAfterMaxAttemptsAndFailsPendingSends() throws Exception {
        ResilientConnector connector = start(options(TransportType.NIO, Ports.closed())
                .reconnect(Fast.RECONNECT.toBuilder().maxAttempts(2).build()).build());
        CompletableFuture<Void> pending = connector.send(line("lost"));
        assertThat(events.await("GAVE_UP", WAIT)).isEqualTo("GAVE_UP 2");
        assertThat(connector.state()).isEqualTo(ConnectorState.GAVE_UP);
        assertThatThrownBy(() -> pending.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(SendRejectedException.class)
                .hasMessageContaining("gave up reconnecting to 127.0.0.1:")
                .hasMessageContaining("after 2 attempts");
    }

    @Test
    void startingTwiceFails() throws Exception {
        ResilientConnector connector = start(options(TransportType.NIO, Ports.closed()).build());
        assertThatThrownBy(connector::start).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("connector cannot start in state ").hasMessageEndingWith("(expected: NEW; a connector starts once)");
    }

    @Test
    void anUnavailableTransportFailsAtStartWithNettysReason() {
        TransportType unavailable = io.netty.util.internal.PlatformDependent.isOsx() ? TransportType.EPOLL : TransportType.KQUEUE;
        ResilientConnector connector = ResilientConnector.builder(ConnectorOptions.builder().endpoint("127.0.0.1", 9)
                .transport(unavailable).build()).handler(new NoopInitializer()).build();
        closer.add(connector);
        assertThatThrownBy(connector::start).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("transport: " + unavailable + " is not available here: ");
        assertThat(connector.state()).isEqualTo(ConnectorState.NEW);
    }

    @Test
    void rejectsAHandlerThatCannotBeShared() {
        assertThatThrownBy(() -> ResilientConnector.builder(ConnectorOptions.builder().endpoint("h", 1).build())
                .handler(new io.netty.channel.ChannelInboundHandlerAdapter()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not @Sharable");
        assertThatThrownBy(() -> ResilientConnector.builder(ConnectorOptions.builder().endpoint("h", 1).build()).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("handler: not set");
    }

    @Test
    void closeStopsTheThreadsItOwns() throws Exception {
        LineServer server = server();
        // Only the threads this connector starts: an earlier test's shared default may still be in its grace.
        await().atMost(WAIT).until(() -> SharedResources.current(TransportType.EPOLL) == null);
        List<String> before = ownedThreads();
        ResilientConnector connector = start(options(TransportType.EPOLL, server.port()).build());
        events.await("CONNECTED", WAIT);
        List<String> started = new ArrayList<>(ownedThreads());
        started.removeAll(before);
        assertThat(started).as("threads started for the connector").isNotEmpty();
        connector.close();
        await().atMost(WAIT).until(() -> ownedThreads().stream().noneMatch(started::contains));
        await().atMost(WAIT).until(() -> server.openConnections() == 0);
    }

    private static List<String> ownedThreads() {
        List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith("resilient-connector-") && !t.getName().contains("resolver")) {
                names.add(t.getName());
            }
        }
        return names;
    }

    @Test
    void runsOnAGivenGroupAndLeavesItRunning() throws Exception {
        LineServer server = server();
        EventLoopGroup group = closer.addGroup(
                new MultiThreadIoEventLoopGroup(1, Transport.resolve(TransportType.NIO).ioHandlerFactory()));
        ResilientConnector connector = ResilientConnector.builder(ConnectorOptions.builder()
                .endpoint("127.0.0.1", server.port()).build()).handler(new NoopInitializer())
                .resources(ConnectorResources.builder().eventLoopGroup(group).build())
                .listener(events).build().start();
        events.await("CONNECTED", WAIT);
        assertThat(connector.channel().getClass().getSimpleName()).isEqualTo("NioSocketChannel");
        connector.close();
        assertThat(group.isShuttingDown()).isFalse();
    }

    @Test
    void aListenerThatThrowsDoesNotStopReconnecting() throws Exception {
        LineServer server = server();
        ResilientConnector connector = ResilientConnector.builder(options(TransportType.NIO, server.port()).build())
                .handler(new NoopInitializer())
                .listener(new ConnectorListener() {
                    @Override
                    public void connected(io.netty.channel.Channel channel) {
                        throw new IllegalStateException("listener bug");
                    }

                    @Override
                    public void disconnected(Disconnection why) {
                        throw new IllegalStateException("listener bug");
                    }
                })
                .listener(events).build();
        closer.add(connector);
        connector.start();
        events.await("CONNECTED", WAIT);
        server.awaitOpenConnections(1);
        server.closeConnections();
        events.await("DISCONNECTED PEER_CLOSED", WAIT);
        events.await("CONNECTED", WAIT);
    }

    @Test
    void anUnresolvedNameIsRetriedUntilItResolves() throws Exception {
        LineServer server = server();
        AtomicBoolean resolvable = new AtomicBoolean();
        ResilientConnector connector = ResilientConnector.builder(ConnectorOptions.builder()
                        .endpoint("gateway.test", server.port()).reconnect(Fast.RECONNECT).build())
                .handler(new NoopInitializer()).listener(events)
                .hostResolver(host -> {
                    if (!resolvable.get()) {
                        throw new UnknownHostException(host + ": not yet (test resolver)");
                    }
                    return new InetAddress[] {InetAddress.getLoopbackAddress()};
                }).build();
        closer.add(connector);
        connector.start();
        assertThat(events.await("CONNECT_FAILED", WAIT)).isEqualTo("CONNECT_FAILED UNRESOLVED");
        events.await("RECONNECTING 3", WAIT);
        resolvable.set(true);
        events.await("CONNECTED", WAIT);
    }

    @Test
    void warnsOnceAboutAnOptionTheTransportCannotApply() throws Exception {
        LineServer server = server();
        try (LogCapture log = LogCapture.of(ResilientConnector.class, Level.INFO)) {
            start(options(TransportType.NIO, server.port())
                    .keepAlive(KeepAliveOptions.builder().userTimeout(Duration.ofSeconds(30)).build()).build());
            events.await("CONNECTED", WAIT);
            server.awaitOpenConnections(1);
            server.closeConnections();
            events.await("CONNECTED", WAIT);
            assertThat(log.messages(Level.WARN)).filteredOn(m -> m.contains("TCP_USER_TIMEOUT")).singleElement()
                    .asString().contains("transport nio", "write-progress watchdog");
            assertThat(log.messages(Level.INFO)).filteredOn(m -> m.contains("connected:")).hasSize(2)
                    .allMatch(m -> m.contains("transport=nio SO_KEEPALIVE=true idle=60s interval=15s count=4"));
        }
    }

    @Test
    void logsTheChosenTransportAndWhy() throws Exception {
        LineServer server = server();
        try (LogCapture log = LogCapture.of(ResilientConnector.class, Level.INFO)) {
            start(options(TransportType.NIO, server.port()).transport(TransportType.AUTO).build());
            events.await("CONNECTED", WAIT);
            Transport auto = Transport.resolve(TransportType.AUTO);
            assertThat(log.messages(Level.INFO)).anyMatch(m -> m.contains("starting: transport=" + auto.displayName()
                    + " (" + auto.reason() + ")"));
        }
    }

    @Test
    void reportsDisconnectCausesToListenersWithErrnos() throws Exception {
        Transports.assumeAvailable(TransportType.EPOLL);
        LineServer server = server();
        start(options(TransportType.EPOLL, server.port()).build());
        events.await("CONNECTED", WAIT);
        server.awaitOpenConnections(1);
        server.resetConnections();
        events.await("DISCONNECTED RESET", WAIT);
        assertThat(events.disconnections()).last().satisfies(d -> {
            assertThat(d.cause()).isEqualTo(DisconnectCause.RESET);
            assertThat(d.errno()).isEqualTo("ECONNRESET");
            assertThat(d.toString()).startsWith("cause=RESET errno=ECONNRESET");
        });
    }
}
