package io.resilientconnector;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.resilientconnector.faultlab.FaultLab;
import io.resilientconnector.micrometer.ConnectorMetrics;
import io.resilientconnector.realserver.HaProxy;
import io.resilientconnector.realserver.RedisServer;
import io.resilientconnector.testing.Closer;
import io.resilientconnector.testing.EventRecorder;
import io.resilientconnector.testing.Fast;
import io.resilientconnector.testing.LeakGate;
import io.resilientconnector.testing.NoopInitializer;
import io.resilientconnector.testing.TestEnvironment;
import io.resilientconnector.transport.KeepAliveOptions;
import io.resilientconnector.transport.TransportType;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The heartbeat against real software: Redis behind HAProxy in TCP mode, the way a cloud load balancer sits,
 * and Redis directly. Keepalive is tuned short (2 s / 1 s / 3) throughout, to show that it does not help: the
 * proxy's kernel answers for a dead backend. Each case prints a {@code HEARTBEAT} line with its measured time.
 */
@ExtendWith(LeakGate.class)
class HeartbeatThroughProxyTest {

    private static final Duration IDLE = Duration.ofSeconds(2);
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    /** idle + timeout, plus the second of slack the bound allows a busy machine. */
    private static final Duration BOUND = IDLE.plus(TIMEOUT).plusSeconds(1);
    private static final KeepAliveOptions SHORT_KEEPALIVE = KeepAliveOptions.builder()
            .idle(Duration.ofSeconds(2)).interval(Duration.ofSeconds(1)).count(3).build();

    @RegisterExtension
    final Closer closer = new Closer();

    private static HeartbeatOptions redisPing() {
        return HeartbeatOptions.builder().probe("PING\r\n")
                .reply(buf -> buf.toString(StandardCharsets.US_ASCII).startsWith("+PONG"))
                .idle(IDLE).timeout(TIMEOUT).build();
    }

    /** Records events, and each heartbeat's round trip. */
    private static final class Recorder extends EventRecorder {
        final List<Duration> roundTrips = new CopyOnWriteArrayList<>();
        final List<Disconnection> ended = new CopyOnWriteArrayList<>();

        @Override
        public void heartbeat(Channel channel, Duration roundTrip) {
            roundTrips.add(roundTrip);
        }

        @Override
        public void disconnected(Disconnection why) {
            ended.add(why);
            super.disconnected(why);
        }
    }

    private ResilientConnector connect(String host, int port, TransportType transport, HeartbeatOptions heartbeat,
                                       Recorder events) throws InterruptedException {
        return connect(host, port, transport, heartbeat, events, heartbeat != null);
    }

    private ResilientConnector connect(String host, int port, TransportType transport, HeartbeatOptions heartbeat,
                                       Recorder events, boolean awaitAnswer) throws InterruptedException {
        ConnectorOptions.Builder options = ConnectorOptions.builder().endpoint(host, port).transport(transport)
                .keepAlive(SHORT_KEEPALIVE).readIdlePeriod(Duration.ZERO).reconnect(Fast.RECONNECT).maxPendingMessages(10_000);
        if (heartbeat != null) {
            options.heartbeat(heartbeat);
        }
        ResilientConnector connector = closer.add(ResilientConnector.builder(options.build())
                .handler(new NoopInitializer()).listener(events).build());
        connector.start();
        events.await("CONNECTED", Fast.WAIT);
        if (awaitAnswer) {
            // The heartbeat works through the path before it breaks: a probe is answered.
            await().atMost(IDLE.multipliedBy(3)).until(() -> !events.roundTrips.isEmpty());
        }
        return connector;
    }

    /** Waits for the first disconnection and returns how long it took from {@code since}. */
    private static Duration awaitEnd(Recorder events, long since) throws InterruptedException {
        events.await("DISCONNECTED", BOUND.plusSeconds(10));
        return Duration.ofNanos(System.nanoTime() - since);
    }

    private static void print(String scenario, Duration took, Disconnection why) {
        System.out.printf(Locale.ROOT, "HEARTBEAT scenario=%s bound=%.2fs measured=%.2fs %s%n", scenario,
                IDLE.plus(TIMEOUT).toMillis() / 1000.0, took.toMillis() / 1000.0, why);
    }

    private static HaProxy haproxy(String backendHost, int backendPort) {
        return HaProxy.startForTest(backendHost, backendPort);
    }

    @Test
    void aFrozenRedisBehindHaProxyIsUnresponsiveWithinIdlePlusTimeout() throws Exception {
        RedisServer redis = closer.add(RedisServer.startForTest());
        HaProxy proxy = closer.add(haproxy(redis.host(), redis.port()));
        Recorder events = new Recorder();
        connect(proxy.host(), proxy.port(), TransportType.AUTO, redisPing(), events);

        long cut = System.nanoTime();
        redis.freeze();
        try {
            Duration took = awaitEnd(events, cut);
            Disconnection why = events.ended.get(0);
            print("haproxy-redis-sigstop", took, why);
            assertThat(why.cause()).isEqualTo(DisconnectCause.UNRESPONSIVE);
            assertThat(took).isLessThanOrEqualTo(BOUND);
            assertThat(why.probeAcknowledged()).as("HAProxy's kernel acknowledges the probe: the path is alive")
                    .isEqualTo(Disconnection.ProbeAcknowledgement.ACKNOWLEDGED);
        } finally {
            redis.thaw();
        }
    }

    @Test
    void aBlackholedLinkFromHaProxyToRedisIsUnresponsiveWithinIdlePlusTimeout() throws Exception {
        FaultLab lab = closer.add(FaultLab.startForTest());
        RedisServer redis = closer.add(TestEnvironment.startForTest("redis in the fault lab", RedisServer.unavailableReason(),
                () -> RedisServer.startIn(lab.namespace(), lab.peerHost())));
        HaProxy proxy = closer.add(haproxy(redis.host(), redis.port()));
        Recorder events = new Recorder();
        connect(proxy.host(), proxy.port(), TransportType.AUTO, redisPing(), events);

        long cut = System.nanoTime();
        lab.blackhole();
        Duration took = awaitEnd(events, cut);
        Disconnection why = events.ended.get(0);
        print("haproxy-redis-blackhole", took, why);
        assertThat(why.cause()).isEqualTo(DisconnectCause.UNRESPONSIVE);
        assertThat(took).isLessThanOrEqualTo(BOUND);
        assertThat(why.probeAcknowledged()).isEqualTo(Disconnection.ProbeAcknowledgement.ACKNOWLEDGED);
    }

    @Test
    void withoutTheHeartbeatAFrozenRedisBehindHaProxyStaysConnected() throws Exception {
        RedisServer redis = closer.add(RedisServer.startForTest());
        HaProxy proxy = closer.add(haproxy(redis.host(), redis.port()));
        Recorder events = new Recorder();
        ResilientConnector connector = connect(proxy.host(), proxy.port(), TransportType.AUTO, null, events);

        redis.freeze();
        try {
            // The control run: what the heartbeat is for. Keepalive, the user timeout and the write watchdog
            // all see HAProxy's healthy kernel, so nothing ends the connection.
            assertThat(events.poll(Duration.ofSeconds(60))).as("no event in 60 s").isNull();
            assertThat(connector.state()).isEqualTo(ConnectorState.CONNECTED);
            System.out.println("HEARTBEAT scenario=haproxy-redis-sigstop-no-heartbeat bound=none measured=>60s still CONNECTED");
        } finally {
            redis.thaw();
        }
    }

    @Test
    void writeOnlyTrafficDoesNotHideAnUnresponsivePeer() throws Exception {
        RedisServer redis = closer.add(RedisServer.startForTest());
        HaProxy proxy = closer.add(haproxy(redis.host(), redis.port()));
        Recorder events = new Recorder();
        ResilientConnector connector = connect(proxy.host(), proxy.port(), TransportType.AUTO, redisPing(), events);
        ScheduledExecutorService writer = closer.add(Executors.newSingleThreadScheduledExecutor(),
                ScheduledExecutorService::shutdownNow);

        redis.freeze();
        long cut = System.nanoTime();
        AtomicInteger sent = new AtomicInteger();
        // Ten writes a second, no reads: a heartbeat that probed only when nothing was written would never probe.
        writer.scheduleAtFixedRate(() -> {
            connector.send(Unpooled.copiedBuffer("SET k " + sent.incrementAndGet() + "\r\n", StandardCharsets.US_ASCII));
        }, 0, 100, TimeUnit.MILLISECONDS);
        try {
            Duration took = awaitEnd(events, cut);
            Disconnection why = events.ended.get(0);
            print("haproxy-redis-sigstop-write-only", took, why);
            assertThat(why.cause()).isEqualTo(DisconnectCause.UNRESPONSIVE);
            assertThat(took).isLessThanOrEqualTo(BOUND);
            assertThat(sent.get()).as("the client kept writing meanwhile").isGreaterThan(10);
        } finally {
            writer.shutdownNow();
            redis.thaw();
        }
    }

    @Test
    void redisPausedDirectlyIsUnresponsiveAndTheProbeWasAcknowledged() throws Exception {
        RedisServer redis = closer.add(RedisServer.startForTest());
        Recorder events = new Recorder();
        Recording recording = closer.add(new Recording());
        recording.enable("io.resilientconnector.HeartbeatTimeout");
        recording.start();
        ResilientConnector connector = connect(redis.host(), redis.port(), TransportType.AUTO, redisPing(), events);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        closer.add(ConnectorMetrics.bind(connector, registry, "redis"));
        await().atMost(IDLE.multipliedBy(3)).until(() -> events.roundTrips.size() >= 2);

        long cut = System.nanoTime();
        redis.clientPause(Duration.ofSeconds(30));
        Duration took = awaitEnd(events, cut);
        // The meters hear the end after the recorder, which was added first: wait for them too.
        double missed = await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> registry.get(ConnectorMetrics.HEARTBEAT_MISSED).counter().count(), count -> count >= 1);
        double answered = registry.get(ConnectorMetrics.HEARTBEAT_RTT).timer().count();
        // Closed at once (which removes its meters, read above): Redis stays paused, and a reconnected connector
        // would miss its next heartbeat too, in the recording.
        connector.close();
        recording.stop();
        java.nio.file.Path jfr = java.nio.file.Files.createTempFile("heartbeat", ".jfr");
        recording.dump(jfr);
        // Filtered by name: a recording also holds what other recordings in this JVM enable.
        List<RecordedEvent> timeouts = RecordingFile.readAllEvents(jfr).stream()
                .filter(e -> e.getEventType().getName().equals("io.resilientconnector.HeartbeatTimeout")).toList();
        java.nio.file.Files.delete(jfr);
        assertThat(timeouts).as("the JFR event for the missed heartbeat").hasSize(1);
        assertThat(answered).as("answered probes").isGreaterThanOrEqualTo(1);
        assertThat(missed).as("missed heartbeats").isEqualTo(1.0);
        Disconnection why = events.ended.get(0);
        print("redis-client-pause", took, why);
        assertThat(why.cause()).isEqualTo(DisconnectCause.UNRESPONSIVE);
        assertThat(took).isLessThanOrEqualTo(BOUND);
        assertThat(why.probeAcknowledged()).as("Redis's own kernel acknowledged the probe")
                .isEqualTo(Disconnection.ProbeAcknowledgement.ACKNOWLEDGED);
        assertThat(why.detail()).contains("the next hop acknowledged it");
    }

    @Test
    void aDeadPathIsUnresponsiveAndTheProbeWasNotAcknowledged() throws Exception {
        FaultLab lab = closer.add(FaultLab.startForTest());
        Recorder events = new Recorder();
        // Any bytes answer this probe; the lab's peer sends none, so the first probe goes unanswered anyway.
        HeartbeatOptions anyReply = HeartbeatOptions.builder().probe("PING\n").idle(IDLE).timeout(TIMEOUT).build();
        connect(lab.peerHost(), lab.peerPort(), TransportType.EPOLL, anyReply, events, false);

        long cut = System.nanoTime();
        lab.blackhole();
        Duration took = awaitEnd(events, cut);
        Disconnection why = events.ended.get(0);
        print("direct-blackhole", took, why);
        assertThat(why.cause()).as("before the user timeout (5 s) ends it").isEqualTo(DisconnectCause.UNRESPONSIVE);
        assertThat(took).isLessThanOrEqualTo(BOUND);
        assertThat(why.probeAcknowledged()).as("the path itself is dead")
                .isEqualTo(Disconnection.ProbeAcknowledgement.NOT_ACKNOWLEDGED);
        assertThat(why.detail()).contains("the next hop did not acknowledge it");
    }

    @ParameterizedTest
    @EnumSource(value = TransportType.class, names = {"AUTO", "NIO"})
    void aSlowButHealthyPeerWithMuchQueuedIsNeverTakenForUnresponsive(TransportType transport) throws Exception {
        SlowPeer peer = closer.add(new SlowPeer(256 * 1024));
        Recorder events = new Recorder();
        HeartbeatOptions ping = HeartbeatOptions.builder().probe("PING\r\n")
                .reply(buf -> buf.toString(StandardCharsets.US_ASCII).contains("PONG"))
                .idle(Duration.ofSeconds(2)).timeout(Duration.ofSeconds(1)).build();
        ResilientConnector connector = connect("127.0.0.1", peer.port(), transport, ping, events);
        int roundTripsBefore = events.roundTrips.size();

        // 2 MiB queued at once, which the peer drains at 256 KiB/s: about 8 s, eight timeouts long. (A timeout of a
        // second, not less, so that a busy machine that starves the peer's thread briefly is no false alarm.)
        byte[] line = ("DATA " + "x".repeat(1018) + "\n").getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 2048; i++) {
            connector.send(Unpooled.wrappedBuffer(line));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> peer.bytesRead() >= 2048L * line.length);
        // A probe behind the data is answered once the peer reads it, which may be among the last bytes.
        await().atMost(Duration.ofSeconds(10)).until(() -> events.roundTrips.size() > roundTripsBefore);
        assertThat(events.ended).as("no false alarm while the queue drained").isEmpty();
        System.out.printf(Locale.ROOT, "HEARTBEAT scenario=slow-peer-2MiB-queued transport=%s roundTrips=%s%n",
                transport, events.roundTrips);
    }

    /**
     * A healthy peer that reads slowly, through a small receive buffer: the client's queue drains at
     * {@code bytesPerSecond}, so the kernel acknowledges the bytes ahead of a probe slowly but steadily. It
     * answers each {@code PING} line it reads with {@code +PONG}.
     */
    private static final class SlowPeer implements AutoCloseable {
        private final ServerSocket socket;
        private final Thread thread;
        private final AtomicInteger read = new AtomicInteger();

        SlowPeer(int bytesPerSecond) throws IOException {
            socket = new ServerSocket();
            socket.setReceiveBufferSize(16 * 1024);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            thread = new Thread(() -> serve(bytesPerSecond), "slow-peer");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        long bytesRead() {
            return read.get();
        }

        private void serve(int bytesPerSecond) {
            try (Socket s = socket.accept()) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                byte[] chunk = new byte[bytesPerSecond / 20];
                StringBuilder lineStart = new StringBuilder();
                long next = System.nanoTime();
                while (true) {
                    int n = in.read(chunk);
                    if (n < 0) {
                        return;
                    }
                    read.addAndGet(n);
                    for (int i = 0; i < n; i++) {
                        char c = (char) chunk[i];
                        if (c == '\n') {
                            if (lineStart.toString().startsWith("PING")) {
                                out.write("+PONG\r\n".getBytes(StandardCharsets.US_ASCII));
                                out.flush();
                            }
                            lineStart.setLength(0);
                        } else if (lineStart.length() < 8) {
                            lineStart.append(c);
                        }
                    }
                    // Paces reading to the rate: the window closes and the sender's kernel waits on us.
                    next += TimeUnit.SECONDS.toNanos(1) * n / bytesPerSecond;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                }
            } catch (IOException | InterruptedException e) {
                // Closed by the test.
            }
        }

        @Override
        public void close() throws Exception {
            socket.close();
            thread.interrupt();
            thread.join(5000);
        }
    }
}
