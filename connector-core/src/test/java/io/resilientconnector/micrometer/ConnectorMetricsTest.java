package io.resilientconnector.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.resilientconnector.ConnectorListener;
import io.resilientconnector.ConnectorOptions;
import io.resilientconnector.Endpoint;
import io.resilientconnector.Jitter;
import io.resilientconnector.ReconnectPolicy;
import io.resilientconnector.ResilientConnector;
import io.resilientconnector.testing.CountingSink;
import io.resilientconnector.testing.EventRecorder;
import io.resilientconnector.testing.Fast;
import io.resilientconnector.testing.LineServer;
import io.resilientconnector.testing.Transports;
import io.resilientconnector.transport.TransportType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.resilientconnector.testing.Fast.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The meters through real connects, a peer's close, a reset, refused attempts and rejected sends, on loopback. */
class ConnectorMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = TransportType.class, names = {"EPOLL", "NIO"})
    void countsConnectsDisconnectsOutagesAndRejectedSends(TransportType type) throws Exception {
        Transports.assumeAvailable(type);
        EventRecorder events = new EventRecorder();
        CountingSink sink = new CountingSink();
        try (LineServer server = LineServer.start()) {
            String endpoint = "127.0.0.1:" + server.port();
            ConnectorOptions options = ConnectorOptions.builder().endpoint("127.0.0.1", server.port()).transport(type)
                    .maxPendingMessages(2)
                    // Waits until the test cuts it short, so that the test fills the buffer while the connector waits.
                    .reconnect(ReconnectPolicy.builder().initialDelay(Duration.ofSeconds(30))
                            .maxDelay(Duration.ofSeconds(30)).jitter(Jitter.NONE).build())
                    .build();
            ResilientConnector connector = ResilientConnector.builder(options).handler(sink)
                    .random(new Random(1)).build();
            ConnectorMetrics.bind(connector, registry, "orders");
            // Listeners hear events in order: once the recorder has heard one, the meters have counted it.
            connector.addListener(events);
            assertThat(gauge("state", "state", "new")).isEqualTo(1);
            connector.start();

            events.await("CONNECTED", WAIT);
            assertThat(gauge("state", "state", "connected")).isEqualTo(1);
            assertThat(gauge("state", "state", "new")).isZero();
            assertThat(counter("connect.attempts", "outcome", "success", "cause", "NONE")).isEqualTo(1);
            server.awaitOpenConnections(1);
            server.broadcast("hello\n");
            await().atMost(WAIT).until(() -> sink.bytes() > 0);
            server.closeConnections();
            events.await("DISCONNECTED PEER_CLOSED", WAIT);
            long heard = System.nanoTime();
            assertThat(counter("disconnects", "cause", "PEER_CLOSED")).isEqualTo(1);
            assertThat(timer("connection.duration").count()).isEqualTo(1);
            assertThat(timer("detection.latency", "cause", "PEER_CLOSED").count()).isEqualTo(1);
            // epoll samples TCP_INFO at the FIN; NIO reads /proc only while this side's bytes wait, and none do.
            assertThat(summary("unacknowledged.bytes").count()).as("known on epoll only here")
                    .isEqualTo(type == TransportType.EPOLL ? 1 : 0);
            assertThat(summary("unacknowledged.bytes").totalAmount()).isZero();

            // Waiting to reconnect: two messages wait, the third is rejected.
            List<CompletableFuture<Void>> sends = List.of(send(connector), send(connector), send(connector));
            assertThat(sends.get(2)).isCompletedExceptionally();
            assertThat(counter("sends.rejected", "reason", "BUFFER_FULL")).isEqualTo(1);
            assertThat(gauge("pending.messages")).isEqualTo(2);
            assertThat(gauge("pending.bytes")).isEqualTo(2);

            events.await("RECONNECTING 2", WAIT);
            long waited = System.nanoTime() - heard;
            assertThat(connector.reconnectNow()).isTrue();
            events.await("CONNECTED", WAIT);
            assertThat(timer("outage.duration").count()).isEqualTo(1);
            assertThat(timer("outage.duration").totalTime(java.util.concurrent.TimeUnit.NANOSECONDS))
                    .as("at least the time the connector waited").isGreaterThanOrEqualTo(waited);
            await().atMost(WAIT).until(() -> gauge("pending.messages") == 0);

            server.awaitOpenConnections(1);
            server.stopListening();
            server.resetConnections();
            events.await("DISCONNECTED RESET", WAIT);
            events.await("RECONNECTING", WAIT);
            assertThat(connector.reconnectNow()).isTrue();
            events.await("CONNECT_FAILED CONNECT_REFUSED", WAIT);
            assertThat(counter("disconnects", "cause", "RESET")).isEqualTo(1);
            assertThat(counter("connect.attempts", "outcome", "failure", "cause", "CONNECT_REFUSED")).isPositive();
            assertThat(counter("disconnects", "cause", "CONNECT_REFUSED")).as("a failed attempt is no disconnect")
                    .isEqualTo(-1);

            // The meter is removed as the connector closes; a removed counter still counts.
            Counter closed = registry.find(ConnectorMetrics.SENDS_REJECTED).tags("reason", "CLOSED").counter();
            send(connector);
            assertThat(gauge("pending.messages")).isEqualTo(1);
            connector.close();
            assertThat(closed.count()).as("the waiting message failed as CLOSED").isEqualTo(1);
            await().atMost(WAIT).untilAsserted(() -> assertThat(registry.getMeters()).isEmpty());
        }
    }

    @Test
    void aFailbackCountsNoFailedAttemptRecordsNoOutageAndTimesEachConnectionFromItsOwnConnect() throws Exception {
        EventRecorder events = EventRecorder.withAttempts();
        try (LineServer primary = LineServer.start(); LineServer backup = LineServer.start()) {
            Endpoint first = Endpoint.of("127.0.0.1", primary.port());
            Endpoint second = Endpoint.of("127.0.0.1", backup.port());
            ConnectorOptions options = ConnectorOptions.builder().endpoints(first, second)
                    .failbackAfter(Duration.ofSeconds(1)).reconnect(Fast.RECONNECT).build();
            try (ResilientConnector connector = ResilientConnector.builder(options).handler(new CountingSink())
                    .build()) {
                ConnectorMetrics.bind(connector, registry, "orders");
                // Listeners hear events in order: once the recorder has heard one, the meters have counted it.
                connector.addListener(events);
                connector.start();
                events.await("CONNECTED " + first, WAIT);

                // The accept first: a connection still in the accept queue when the listener closes is never accepted.
                primary.awaitOpenConnections(1);
                primary.stopListening();
                long primaryLost = System.nanoTime();
                primary.closeConnections();
                events.await("CONNECTED " + second, WAIT);
                assertThat(timer("outage.duration").count()).isEqualTo(1);
                double upBefore = timer("connection.duration").totalTime(TimeUnit.NANOSECONDS);

                long primaryBack = System.nanoTime();
                primary.listen();
                events.await("CONNECTED " + first, WAIT);
                events.await("DISCONNECTED LOCAL_CLOSE", WAIT);
                long retiredHeard = System.nanoTime();
                assertThat(events.disconnections().get(events.disconnections().size() - 1).detail())
                        .contains("(failback)");
                assertThat(failedAttempts()).as("the retired connection's end is no failed attempt").isEmpty();
                assertThat(counter("connect.attempts", "outcome", "success", "cause", "NONE")).isEqualTo(3);
                assertThat(counter("disconnects", "cause", "LOCAL_CLOSE")).isEqualTo(1);
                assertThat(timer("outage.duration").count()).as("the switch is no outage").isEqualTo(1);
                assertThat(timer("connection.duration").count()).isEqualTo(2);
                double retired = timer("connection.duration").totalTime(TimeUnit.NANOSECONDS) - upBefore;
                // The backup's connection was up for at least the failback period, in which every probe succeeded.
                assertThat(retired).as("the retired connection, from its own connect to its own end")
                        .isGreaterThanOrEqualTo(Duration.ofSeconds(1).toNanos())
                        .isLessThanOrEqualTo(retiredHeard - primaryLost);

                // The new connection's end is the current one's: it starts an outage, which its successor ends.
                // Closed from this side: the server cannot tell it from the probes it may still be closing.
                double upBeforeEnd = timer("connection.duration").totalTime(TimeUnit.NANOSECONDS);
                double downBefore = timer("outage.duration").totalTime(TimeUnit.NANOSECONDS);
                long ending = System.nanoTime();
                connector.channel().close();
                events.await("DISCONNECTED LOCAL_CLOSE", WAIT);
                events.await("CONNECTED " + first, WAIT);
                long reconnected = System.nanoTime();
                assertThat(failedAttempts()).isEmpty();
                assertThat(counter("disconnects", "cause", "LOCAL_CLOSE")).isEqualTo(2);
                assertThat(timer("connection.duration").count()).isEqualTo(3);
                assertThat(timer("connection.duration").totalTime(TimeUnit.NANOSECONDS) - upBeforeEnd)
                        .as("the failed-back connection, from its own connect").isPositive()
                        .isLessThanOrEqualTo(reconnected - primaryBack);
                assertThat(timer("outage.duration").count()).isEqualTo(2);
                assertThat(timer("outage.duration").totalTime(TimeUnit.NANOSECONDS) - downBefore)
                        .as("from the current connection's end, not from the retired one's")
                        .isLessThanOrEqualTo(reconnected - ending);
            }
        }
    }

    @Test
    void aConnectionClosedByAListenerInConnectedCountsOneSuccessOneDisconnectAndNoFailedAttempt() throws Exception {
        EventRecorder events = new EventRecorder();
        AtomicBoolean closedOne = new AtomicBoolean();
        try (LineServer server = LineServer.start()) {
            ConnectorOptions options = ConnectorOptions.builder().endpoint("127.0.0.1", server.port())
                    // No second connection while the test reads the meters.
                    .reconnect(ReconnectPolicy.builder().initialDelay(Duration.ofSeconds(30))
                            .maxDelay(Duration.ofSeconds(30)).jitter(Jitter.NONE).build())
                    .build();
            // Heard before the binder's listener: the connection ends while the step that made it ready still runs.
            ConnectorListener closer = new ConnectorListener() {
                @Override
                public void connected(Channel channel) {
                    if (closedOne.compareAndSet(false, true)) {
                        channel.close();
                    }
                }
            };
            try (ResilientConnector connector = ResilientConnector.builder(options).handler(new CountingSink())
                    .listener(closer).random(new Random(1)).build()) {
                ConnectorMetrics.bind(connector, registry, "orders");
                connector.addListener(events);
                connector.start();
                events.await("CONNECTED", WAIT);
                events.await("DISCONNECTED LOCAL_CLOSE", WAIT);
                events.await("RECONNECTING 2", WAIT);
                assertThat(counter("connect.attempts", "outcome", "success", "cause", "NONE")).isEqualTo(1);
                assertThat(counter("disconnects", "cause", "LOCAL_CLOSE")).isEqualTo(1);
                assertThat(failedAttempts()).as("an established connection's end is no failed attempt").isEmpty();
                assertThat(timer("connection.duration").count()).isEqualTo(1);

                // It started an outage, which the next connection ends.
                assertThat(connector.reconnectNow()).isTrue();
                events.await("CONNECTED", WAIT);
                assertThat(counter("connect.attempts", "outcome", "success", "cause", "NONE")).isEqualTo(2);
                assertThat(timer("outage.duration").count()).isEqualTo(1);
            }
        }
    }

    @Test
    void theMetersCarryTheConfiguredEndpointAndNameAndNeverThePeerAddress() throws Exception {
        try (ResilientConnector connector = ResilientConnector.builder(ConnectorOptions.builder()
                .endpoint("localhost", 7).reconnect(Fast.RECONNECT).build()).handler(new CountingSink()).build()) {
            ConnectorMetrics metrics = ConnectorMetrics.bind(connector, registry, "orders");
            assertThat(registry.getMeters()).isNotEmpty().allSatisfy(m -> assertThat(m.getId().getTags())
                    .extracting(t -> t.getKey() + "=" + t.getValue())
                    .contains("connector=orders", "endpoint=localhost:7")
                    .noneMatch(t -> t.contains("127.0.0.1")));
            metrics.heartbeat(null, Duration.ofMillis(5));
            assertThat(timer("heartbeat.rtt").count()).isEqualTo(1);
            metrics.close();
            assertThat(registry.getMeters()).as("closing the binder removes its meters").isEmpty();
            metrics.heartbeat(null, Duration.ofMillis(5));
            assertThat(registry.getMeters()).as("and records nothing after").isEmpty();
        }
    }

    @Test
    void rejectsASecondBindUnderTheSameNameAndEndpointUntilTheFirstConnectorCloses() {
        ConnectorOptions options = ConnectorOptions.builder().endpoint("localhost", 7).build();
        try (ResilientConnector one = ResilientConnector.builder(options).handler(new CountingSink()).build();
             ResilientConnector two = ResilientConnector.builder(options).handler(new CountingSink()).build();
             ResilientConnector elsewhere = ResilientConnector.builder(options.toBuilder().endpoint("localhost", 9)
                     .build()).handler(new CountingSink()).build()) {
            ConnectorMetrics.bind(one, registry, "orders");
            int meters = registry.getMeters().size();

            assertThatThrownBy(() -> ConnectorMetrics.bind(two, registry, "orders"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("name: orders is already bound to another connector in this registry "
                            + "(expected: a unique name per connector)");
            assertThatThrownBy(() -> ConnectorMetrics.bind(one, registry, "orders"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("name: orders is already bound to this connector in this registry");
            assertThat(registry.getMeters()).as("the rejected binds registered nothing").hasSize(meters);

            // Other names, endpoints and registries are other time series.
            ConnectorMetrics.bind(two, registry, "payments").close();
            ConnectorMetrics.bind(elsewhere, registry, "orders").close();
            ConnectorMetrics.bind(two, new SimpleMeterRegistry(), "orders").close();
            assertThat(registry.getMeters()).hasSize(meters);

            // The name is free once the first connector has closed, and the gauges then read the second.
            one.close();
            await().atMost(WAIT).ignoreExceptionsInstanceOf(IllegalArgumentException.class)
                    .until(() -> ConnectorMetrics.bind(two, registry, "orders"), Objects::nonNull);
            assertThat(gauge("state", "state", "new")).isEqualTo(1);
            two.close();
            await().atMost(WAIT).untilAsserted(() -> assertThat(registry.getMeters()).isEmpty());
        }
    }

    @Test
    void rejectsAnEmptyName() {
        try (ResilientConnector connector = ResilientConnector.builder(ConnectorOptions.builder()
                .endpoint("localhost", 7).build()).handler(new CountingSink()).build()) {
            assertThatThrownBy(() -> ConnectorMetrics.bind(connector, registry, ""))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name: \"\"");
            assertThatThrownBy(() -> ConnectorMetrics.bind(connector, null, "x"))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("registry");
        }
    }

    private List<Counter> failedAttempts() {
        return List.copyOf(registry.find(ConnectorMetrics.CONNECT_ATTEMPTS).tag("outcome", "failure").counters());
    }

    private static CompletableFuture<Void> send(ResilientConnector connector) {
        return connector.send(Unpooled.wrappedBuffer(new byte[]{'x'}));
    }

    private Meter.Id id(String name, String... tags) {
        Meter m = registry.find(ConnectorMetrics.PREFIX + "." + name).tags(tags).meter();
        return m == null ? null : m.getId();
    }

    private double gauge(String name, String... tags) {
        Gauge g = registry.find(ConnectorMetrics.PREFIX + "." + name).tags(tags).gauge();
        assertThat(g).as("gauge %s %s", name, List.of(tags)).isNotNull();
        return g.value();
    }

    /** The count, or -1 if there is no such counter. */
    private double counter(String name, String... tags) {
        Counter c = registry.find(ConnectorMetrics.PREFIX + "." + name).tags(tags).counter();
        return c == null ? -1 : c.count();
    }

    private Timer timer(String name, String... tags) {
        Timer t = registry.find(ConnectorMetrics.PREFIX + "." + name).tags(tags).timer();
        assertThat(t).as("timer %s %s", name, List.of(tags)).isNotNull();
        return t;
    }

    private DistributionSummary summary(String name) {
        DistributionSummary s = registry.find(ConnectorMetrics.PREFIX + "." + name).summary();
        assertThat(s).as("summary %s", name).isNotNull();
        return s;
    }
}
