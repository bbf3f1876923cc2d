package io.resilientconnector;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.resilientconnector.testing.Closer;
import io.resilientconnector.testing.EventRecorder;
import io.resilientconnector.testing.LeakGate;
import io.resilientconnector.testing.LineServer;
import io.resilientconnector.testing.NeverClosing;
import io.resilientconnector.testing.NoopInitializer;
import io.resilientconnector.testing.Ports;
import io.resilientconnector.transport.TransportType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.resilientconnector.testing.Fast.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Connectors share threads, resolver and plans through resources: a process-wide default, or resources of their own. */
@ExtendWith(LeakGate.class)
class ConnectorResourcesTest {

    @RegisterExtension
    final Closer closer = new Closer();

    /** A listener whose connections the kernel accepts and nobody reads: no thread per connection. */
    private ServerSocket backlog(int connections) throws IOException {
        return closer.add(new ServerSocket(0, connections + 64, InetAddress.getLoopbackAddress()));
    }

    private ResilientConnector connector(int port, TransportType transport, ConnectorListener listener) {
        ResilientConnector connector = ResilientConnector.builder(ConnectorOptions.builder()
                        .endpoint("127.0.0.1", port).transport(transport).build())
                .handler(new NoopInitializer()).listener(listener).build();
        closer.add(connector);
        return connector;
    }

    @Test
    void connectorsBuiltWithoutResourcesShareOneGroupOfAtMostOneThreadPerCore() throws Exception {
        ServerSocket server = backlog(200);
        int n = 200;
        CountDownLatch up = new CountDownLatch(n);
        Set<Channel> channels = java.util.concurrent.ConcurrentHashMap.newKeySet();
        ConnectorListener listener = new ConnectorListener() {
            @Override
            public void connected(Channel channel) {
                channels.add(channel);
                up.countDown();
            }
        };
        for (int i = 0; i < n; i++) {
            connector(server.getLocalPort(), TransportType.AUTO, listener).start();
        }
        assertThat(up.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        Set<EventLoopGroup> groups = new HashSet<>();
        Set<Thread> threads = new HashSet<>();
        for (Channel channel : channels) {
            groups.add(channel.eventLoop().parent());
            channel.eventLoop().submit(() -> threads.add(Thread.currentThread())).get();
        }
        assertThat(groups).as("one shared group").hasSize(1);
        assertThat(threads).as("at most one thread per core").hasSizeLessThanOrEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(threads).allSatisfy(t -> assertThat(t.isDaemon()).isTrue());
        assertThat(groups.iterator().next()).isSameAs(SharedResources.current(TransportType.AUTO).eventLoopGroup());
    }

    @Test
    void theSharedDefaultIsReleasedShortlyAfterItsLastConnectorCloses() throws Exception {
        ServerSocket server = backlog(4);
        EventRecorder events = new EventRecorder();
        ResilientConnector connector = connector(server.getLocalPort(), TransportType.NIO, events).start();
        events.await("CONNECTED", WAIT);
        ConnectorResources shared = SharedResources.current(TransportType.NIO);
        assertThat(shared).isNotNull();
        connector.close();
        await().atMost(WAIT).until(() -> SharedResources.current(TransportType.NIO) == null);
        await().atMost(WAIT).until(() -> shared.eventLoopGroup().isTerminated());
        assertThat(shared.isClosed()).isTrue();
    }

    @Test
    void closeThenReopenWithinTheGracePeriodKeepsTheSameThreads() throws Exception {
        ServerSocket server = backlog(4);
        EventRecorder first = new EventRecorder();
        ResilientConnector a = connector(server.getLocalPort(), TransportType.NIO, first).start();
        first.await("CONNECTED", WAIT);
        ConnectorResources shared = SharedResources.current(TransportType.NIO);
        a.close();
        EventRecorder second = new EventRecorder();
        connector(server.getLocalPort(), TransportType.NIO, second).start();
        second.await("CONNECTED", WAIT);
        assertThat(SharedResources.current(TransportType.NIO)).isSameAs(shared);
        // Longer than the grace period: the reopened connector keeps them alive.
        Thread.sleep(SharedResources.RELEASE_DELAY_MILLIS + 500);
        assertThat(shared.isClosed()).isFalse();
    }

    @Test
    void startingOnClosedResourcesIsAnIllegalStateThatSaysSo() {
        ConnectorResources resources = ConnectorResources.builder().threads(1).build();
        resources.close();
        ResilientConnector connector = ResilientConnector.builder(ConnectorOptions.builder().endpoint("127.0.0.1", 9).build())
                .resources(resources).handler(new NoopInitializer()).build();
        assertThatThrownBy(connector::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("are closed").hasMessageContaining("close connectors before their resources");
        assertThat(connector.state()).isEqualTo(ConnectorState.NEW);
    }

    @Test
    void aTransportOtherThanTheResourcesIsRejectedAtStart() {
        ConnectorResources resources = closer.add(ConnectorResources.builder().transport(TransportType.NIO).threads(1).build());
        TransportType other = io.netty.channel.epoll.Epoll.isAvailable() ? TransportType.EPOLL : TransportType.KQUEUE;
        ResilientConnector connector = ResilientConnector.builder(ConnectorOptions.builder().endpoint("127.0.0.1", 9)
                .transport(other).build()).resources(resources).handler(new NoopInitializer()).build();
        assertThatThrownBy(connector::start).isInstanceOf(IllegalStateException.class)
                .hasMessage("transport: " + other + " does not match the resources, which run NIO (expected: AUTO or NIO)");
    }

    @Test
    void rejectsOutOfRangeSettingsNamingTheOptionTheValueAndTheRange() {
        assertThatThrownBy(() -> ConnectorResources.builder().connectRateLimit(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("connectRateLimit: 0.0 (expected: > 0 and <= 1000000 attempts per second)");
        assertThatThrownBy(() -> ConnectorResources.builder().connectRateLimit(-5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("connectRateLimit: -5.0 (expected:");
        assertThatThrownBy(() -> ConnectorResources.builder().connectRateLimit(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("connectRateLimit: NaN");
        assertThatThrownBy(() -> ConnectorResources.builder().connectRateLimit(2e6))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("connectRateLimit: 2000000.0");
        assertThatThrownBy(() -> ConnectorResources.builder().connectBurst(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("connectBurst: 0 (expected: 1..1000000)");
        assertThatThrownBy(() -> ConnectorResources.builder().threads(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("threads: 0 (expected: 1..1024)");
        assertThatThrownBy(() -> ConnectorResources.builder().connectBurst(10).build()).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("connectBurst: 10 without a connectRateLimit");
        assertThatThrownBy(() -> ConnectorResources.builder().eventLoopGroup(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("eventLoopGroup");
    }

    @Test
    void aConnectorClosedFromInsideItsOwnListenerCloses() throws Exception {
        ServerSocket server = backlog(4);
        AtomicReference<ResilientConnector> self = new AtomicReference<>();
        EventRecorder events = new EventRecorder();
        ResilientConnector connector = connector(server.getLocalPort(), TransportType.AUTO, new ConnectorListener() {
            @Override
            public void connected(Channel channel) {
                self.get().close();
            }
        });
        connector.addListener(events);
        self.set(connector);
        connector.start();
        assertThat(events.await("DISCONNECTED", WAIT)).isEqualTo("DISCONNECTED LOCAL_CLOSE");
        await().atMost(WAIT).until(() -> connector.state() == ConnectorState.CLOSED && connector.channel() == null);
        assertThat(connector.closeAsync()).succeedsWithin(WAIT);
    }

    @Test
    void aThousandConnectorsClosingAtOnceFromManyThreadsAllClose() throws Exception {
        int refused = Ports.closed();
        List<ResilientConnector> connectors = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            connectors.add(connector(refused, TransportType.NIO, new ConnectorListener() { }).start());
        }
        ConnectorResources shared = SharedResources.current(TransportType.NIO);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<CompletableFuture<Void>> closed = new ArrayList<>();
            CountDownLatch go = new CountDownLatch(1);
            for (int t = 0; t < 16; t++) {
                int first = t;
                closed.add(CompletableFuture.runAsync(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    for (int i = first; i < connectors.size(); i += 16) {
                        connectors.get(i).close();
                    }
                }, pool));
            }
            go.countDown();
            CompletableFuture.allOf(closed.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(connectors).allSatisfy(c -> assertThat(c.state()).isEqualTo(ConnectorState.CLOSED));
        await().atMost(WAIT).until(shared::isClosed);
        assertThat(SharedResources.current(TransportType.NIO)).isNull();
    }

    @Test
    void aProgramThatNeverClosesItsConnectorsStillExits() throws Exception {
        ServerSocket server = backlog(4);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                NeverClosing.class.getName(), String.valueOf(server.getLocalPort()))
                .redirectErrorStream(true).start();
        try {
            boolean exited = child.waitFor(60, TimeUnit.SECONDS);
            String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(exited).as("the JVM exits with the connector still open; output: %s", output).isTrue();
            assertThat(child.exitValue()).as(output).isZero();
            assertThat(output).contains("started");
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void theConnectRateLimitHoldsWhateverTheNumberOfConnectors() throws Exception {
        int refused = Ports.closed();
        ConnectorResources resources = closer.add(ConnectorResources.builder().threads(1).connectRateLimit(20).build());
        List<Long> attempts = java.util.Collections.synchronizedList(new ArrayList<>());
        ConnectorListener listener = new ConnectorListener() {
            @Override
            public void connectFailed(Disconnection why, List<Disconnection> failures) {
                attempts.add(System.nanoTime());
            }
        };
        for (int i = 0; i < 30; i++) {
            // Unlimited, 30 connectors retrying every 50 ms would make 600 attempts a second.
            ResilientConnector connector = ResilientConnector.builder(ConnectorOptions.builder().endpoint("127.0.0.1", refused)
                            .reconnect(io.resilientconnector.testing.Fast.RECONNECT).build())
                    .resources(resources).handler(new NoopInitializer()).listener(listener).build();
            closer.add(connector);
            connector.start();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> attempts.size() >= 80);
        List<Long> times;
        synchronized (attempts) {
            times = new ArrayList<>(attempts);
        }
        java.util.Collections.sort(times);
        double seconds = (times.get(times.size() - 1) - times.get(0)) / 1e9;
        // 20 a second over the whole run. A stalled event loop can start the attempts whose slots passed meanwhile
        // together, which bunches them but cannot raise their number: one extra second's worth allows for that.
        assertThat(times.size()).as("attempts in %.2f s", seconds).isLessThanOrEqualTo((int) (20 * seconds) + 20);
        assertThat(mostWithin(times, TimeUnit.SECONDS.toNanos(3))).as("attempts in the busiest 3 s")
                .isBetween(30, 3 * 20 + 20);
    }

    @Test
    void closedConnectorsGiveBackTheirPlacesUnderTheConnectRateLimit() throws Exception {
        int refused = Ports.closed();
        ConnectorResources resources = closer.add(ConnectorResources.builder().threads(1).connectRateLimit(10).build());
        // 50 at 10 a second queue 5 s ahead, so that a fresh connector that waits behind them fails the bound
        // below even when starting and closing them takes a busy machine a few seconds.
        for (int i = 0; i < 50; i++) {
            ResilientConnector closed = ResilientConnector.builder(ConnectorOptions.builder().endpoint("127.0.0.1", refused)
                            .reconnect(io.resilientconnector.testing.Fast.RECONNECT).build())
                    .resources(resources).handler(new NoopInitializer()).build();
            closer.add(closed);
            // start() takes the connector's place in the queue before it returns.
            closed.start();
            closed.close();
        }
        LineServer server = closer.add(LineServer.start());
        EventRecorder events = new EventRecorder();
        ResilientConnector fresh = ResilientConnector.builder(ConnectorOptions.builder().endpoint("127.0.0.1", server.port())
                        .build())
                .resources(resources).handler(new NoopInitializer()).listener(events).build();
        closer.add(fresh);
        fresh.start();
        // One interval (100 ms) at most behind the first of the closed, with room for a busy machine.
        events.await("CONNECTED", Duration.ofMillis(1500));
    }

    /** The most of {@code sortedNanos} within any window of {@code windowNanos}. */
    private static int mostWithin(List<Long> sortedNanos, long windowNanos) {
        int most = 0;
        for (int i = 0, j = 0; i < sortedNanos.size(); i++) {
            while (sortedNanos.get(i) - sortedNanos.get(j) >= windowNanos) {
                j++;
            }
            most = Math.max(most, i - j + 1);
        }
        return most;
    }

    @Test
    void describesItself() {
        try (ConnectorResources resources = ConnectorResources.builder().transport(TransportType.NIO).threads(1)
                .connectRateLimit(50).connectBurst(5).build()) {
            assertThat(resources.transport()).isEqualTo(TransportType.NIO);
            assertThat(resources.connectRateLimit()).isEqualTo(50.0);
            assertThat(resources).hasToString("ConnectorResources{transport=nio, group=own, connectRateLimit=50.0/s, connectBurst=5}");
        }
    }
}
