package io.resilientconnector;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.resilientconnector.transport.KeepAliveOptions;
import io.resilientconnector.transport.TransportType;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

import javax.net.ssl.SSLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConnectorOptionsTest {

    private static final SslContext TLS = clientContext();

    private static SslContext clientContext() {
        try {
            return SslContextBuilder.forClient().build();
        } catch (SSLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ConnectorOptions.Builder minimal() {
        return ConnectorOptions.builder().endpoint("example.test", 7000);
    }

    @Test
    void defaultsMatchTheirNamedConstants() {
        ConnectorOptions o = minimal().build();
        assertThat(o.transport()).isEqualTo(ConnectorOptions.DEFAULT_TRANSPORT).isEqualTo(TransportType.AUTO);
        assertThat(o.connectTimeout()).isEqualTo(ConnectorOptions.DEFAULT_CONNECT_TIMEOUT);
        assertThat(o.readIdlePeriod()).isEqualTo(ConnectorOptions.DEFAULT_READ_IDLE_PERIOD).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.readIdleCloseAfter()).isZero();
        assertThat(o.keepAlive()).isEqualTo(KeepAliveOptions.defaults());
        assertThat(o.reconnect()).isEqualTo(ReconnectPolicy.defaults());
        assertThat(o.maxPendingMessages()).isEqualTo(ConnectorOptions.DEFAULT_MAX_PENDING_MESSAGES);
        assertThat(o.maxPendingBytes()).isEqualTo(ConnectorOptions.DEFAULT_MAX_PENDING_BYTES);
        assertThat(o.receivedBytesLogLevel()).isEqualTo(Level.DEBUG);
        assertThat(o.proxy()).isNull();
        assertThat(o.toString()).contains("proxy=none");
        assertThat(o.endpointOrder()).isEqualTo(ConnectorOptions.DEFAULT_ENDPOINT_ORDER).isEqualTo(EndpointOrder.ORDERED);
        assertThat(o.attemptDelay()).isEqualTo(ConnectorOptions.DEFAULT_ATTEMPT_DELAY).isEqualTo(Duration.ofMillis(250));
        assertThat(o.failbackAfter()).isEqualTo(ConnectorOptions.DEFAULT_FAILBACK_AFTER).isZero();
    }

    @Test
    void oneEndpointIsAListOfOne() {
        ConnectorOptions o = minimal().build();
        assertThat(o.endpoints()).containsExactly(Endpoint.of("example.test", 7000));
        assertThat(o.endpoint()).isEqualTo(Endpoint.of("example.test", 7000));
        assertThat(o).isEqualTo(ConnectorOptions.builder().endpoints(Endpoint.of("example.test", 7000)).build());
    }

    @Test
    void keepsSeveralEndpointsInTheirOrderAndTheFirstAsTheEndpoint() {
        ConnectorOptions o = minimal().endpoints(Endpoint.of("b.test", 2), Endpoint.of("a.test", 1)).build();
        assertThat(o.endpoints()).containsExactly(Endpoint.of("b.test", 2), Endpoint.of("a.test", 1));
        assertThat(o.endpoint()).isEqualTo(Endpoint.of("b.test", 2));
        assertThat(o.toString()).contains("endpoints=[b.test:2, a.test:1]", "endpointOrder=ORDERED",
                "attemptDelay=250ms", "failbackAfter=off");
    }

    @Test
    void copiesTheEndpointListSoLaterChangesToItDoNotLeakIn() {
        List<Endpoint> given = new ArrayList<>(List.of(Endpoint.of("a.test", 1)));
        ConnectorOptions o = minimal().endpoints(given).build();
        given.add(Endpoint.of("b.test", 2));
        assertThat(o.endpoints()).containsExactly(Endpoint.of("a.test", 1));
        assertThatThrownBy(() -> o.endpoints().add(Endpoint.of("c.test", 3)))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void rejectsAnEmptyEndpointList() {
        assertThatThrownBy(() -> minimal().endpoints(List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("endpoints: [] (expected: at least one endpoint)");
        assertThatThrownBy(() -> minimal().endpoints()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("endpoints: [] (expected: at least one endpoint)");
    }

    @Test
    void rejectsANullEndpointInTheList() {
        assertThatThrownBy(() -> minimal().endpoints(Endpoint.of("a.test", 1), null))
                .isInstanceOf(NullPointerException.class).hasMessage("endpoints[1]");
        assertThatThrownBy(() -> minimal().endpoints((List<Endpoint>) null))
                .isInstanceOf(NullPointerException.class).hasMessage("endpoints");
    }

    @Test
    void rejectsAnEndpointGivenTwice() {
        assertThatThrownBy(() -> minimal().endpoints(Endpoint.of("a.test", 1), Endpoint.of("a.test", 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("endpoints: [a.test:1, a.test:1] (expected: distinct endpoints; a.test:1 is given twice)");
    }

    @Test
    void acceptsAttemptDelayZeroAndTheRfc8305Bounds() {
        assertThat(minimal().attemptDelay(Duration.ZERO).build().attemptDelay()).isZero();
        assertThat(minimal().attemptDelay(Duration.ofMillis(10)).build().attemptDelay()).isEqualTo(Duration.ofMillis(10));
        assertThat(minimal().attemptDelay(Duration.ofSeconds(2)).build().attemptDelay()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void rejectsAttemptDelayOutOfRange() {
        assertThatThrownBy(() -> minimal().attemptDelay(Duration.ofMillis(5))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("attemptDelay: 5ms (expected: 0, or 10ms..2s)");
        assertThatThrownBy(() -> minimal().attemptDelay(Duration.ofMillis(2001))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("attemptDelay: 2001ms (expected: 0, or 10ms..2s)");
        assertThatThrownBy(() -> minimal().attemptDelay(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("attemptDelay: -1ms");
        assertThatThrownBy(() -> minimal().attemptDelay(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("attemptDelay");
    }

    @Test
    void acceptsFailbackWithTheOrderedPolicy() {
        ConnectorOptions o = minimal().failbackAfter(Duration.ofSeconds(30)).build();
        assertThat(o.failbackAfter()).isEqualTo(Duration.ofSeconds(30));
        assertThat(o.toString()).contains("failbackAfter=30s");
    }

    @Test
    void rejectsFailbackAfterOutOfRange() {
        assertThatThrownBy(() -> minimal().failbackAfter(Duration.ofMillis(500))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("failbackAfter: 500ms (expected: 0 to disable, or 1s..24h)");
        assertThatThrownBy(() -> minimal().failbackAfter(Duration.ofHours(25))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("failbackAfter: 25h (expected: 0 to disable, or 1s..24h)");
        assertThatThrownBy(() -> minimal().failbackAfter(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("failbackAfter: -1s");
    }

    @Test
    void rejectsFailbackWithAnOrderOtherThanOrdered() {
        for (EndpointOrder order : new EndpointOrder[] {EndpointOrder.SHUFFLE, EndpointOrder.ROUND_ROBIN}) {
            assertThatThrownBy(() -> minimal().endpointOrder(order).failbackAfter(Duration.ofSeconds(30)).build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("failbackAfter: 30s needs endpointOrder ORDERED, but it is " + order
                            + " (expected: endpointOrder ORDERED, or failbackAfter 0)");
            assertThat(minimal().endpointOrder(order).build().endpointOrder()).isEqualTo(order);
        }
        assertThatThrownBy(() -> minimal().endpointOrder(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("endpointOrder");
    }

    @Test
    void writeStallTimeoutDefaultsToTheUserTimeout() {
        ConnectorOptions o = minimal().keepAlive(KeepAliveOptions.builder().idle(Duration.ofSeconds(2))
                .interval(Duration.ofSeconds(1)).count(3).build()).build();
        assertThat(o.writeStallTimeoutDerived()).isTrue();
        assertThat(o.writeStallTimeout()).isEqualTo(Duration.ofSeconds(5)).isEqualTo(o.keepAlive().userTimeout());
    }

    @Test
    void writeStallTimeoutFollowsAnExplicitUserTimeout() {
        ConnectorOptions o = minimal().keepAlive(KeepAliveOptions.builder().userTimeout(Duration.ofSeconds(7)).build()).build();
        assertThat(o.writeStallTimeout()).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void writeStallTimeoutStaysOnWhenTheUserTimeoutIsDisabled() {
        ConnectorOptions o = minimal().keepAlive(KeepAliveOptions.builder().userTimeout(Duration.ZERO).build()).build();
        assertThat(o.writeStallTimeout()).isEqualTo(Duration.ofSeconds(60 + 15 * 4));
    }

    @Test
    void writeStallTimeoutCanBeDisabled() {
        assertThat(minimal().writeStallTimeout(Duration.ZERO).build().writeStallTimeout()).isZero();
    }

    @Test
    void roundTripsThroughToBuilder() {
        ConnectorOptions o = minimal().transport(TransportType.NIO).connectTimeout(Duration.ofMillis(1500))
                .keepAlive(KeepAliveOptions.builder().idle(Duration.ofSeconds(2)).interval(Duration.ofSeconds(1))
                        .count(3).userTimeout(Duration.ofSeconds(9)).build())
                .readIdlePeriod(Duration.ofSeconds(2)).readIdleCloseAfter(3)
                .reconnect(ReconnectPolicy.builder().maxAttempts(5).stablePeriod(Duration.ofSeconds(3))
                        .initialDelay(Duration.ofMillis(10)).multiplier(3).maxDelay(Duration.ofSeconds(2))
                        .jitter(Jitter.EQUAL).build())
                .maxPendingMessages(7).maxPendingBytes(99).writeStallTimeout(Duration.ofSeconds(4))
                .receivedBytesLogLevel(Level.TRACE).readIdleLogLevel(Level.INFO)
                .tls(TLS).tlsHostnameVerification(false).tlsHandshakeTimeout(Duration.ofMillis(800))
                .proxy(ProxyOptions.parse("socks5://alice:s3cret@127.0.0.1:1080"))
                .endpoints(Endpoint.of("a.test", 1), Endpoint.of("b.test", 2)).endpointOrder(EndpointOrder.ORDERED)
                .attemptDelay(Duration.ofMillis(100)).failbackAfter(Duration.ofMinutes(5))
                .build();
        assertThat(o.toBuilder().build()).isEqualTo(o).hasSameHashCodeAs(o);
        assertThat(o.toBuilder().build().tls()).isSameAs(TLS);
        assertThat(o.toBuilder().build().tlsHostnameVerification()).isFalse();
        assertThat(o.toString()).contains("NIO", "1500ms", "maxPendingMessages=7", "writeStallTimeout=4s",
                "tls=on, hostnameVerification=false, handshakeTimeout=800ms", "proxy=ProxyOptions{socks5://alice:****@127.0.0.1:1080}");
        assertThat(o.toBuilder().build().endpoints()).containsExactly(Endpoint.of("a.test", 1), Endpoint.of("b.test", 2));
        assertThat(o.toBuilder().build().attemptDelay()).isEqualTo(Duration.ofMillis(100));
        assertThat(o.toBuilder().build().failbackAfter()).isEqualTo(Duration.ofMinutes(5));
        assertThat(o).isNotEqualTo(o.toBuilder().endpoints(Endpoint.of("b.test", 2), Endpoint.of("a.test", 1)).build());
        assertThat(o).isNotEqualTo(o.toBuilder().attemptDelay(Duration.ZERO).build());
        assertThat(o).isNotEqualTo(o.toBuilder().failbackAfter(Duration.ZERO).build());
        assertThat(o).isNotEqualTo(o.toBuilder().failbackAfter(Duration.ZERO).endpointOrder(EndpointOrder.SHUFFLE).build());
        assertThat(minimal().build().toBuilder().build()).isEqualTo(minimal().build());
        assertThat(o).isNotEqualTo(o.toBuilder().maxPendingBytes(100).build());
        // Each TLS field takes part in equality, so a toBuilder() that dropped one would be caught above.
        assertThat(o).isNotEqualTo(o.toBuilder().noTls().build());
        assertThat(o).isNotEqualTo(o.toBuilder().tlsHostnameVerification(true).build());
        assertThat(o).isNotEqualTo(o.toBuilder().derivedTlsHandshakeTimeout().build());
        assertThat(o.toBuilder().build().tlsHandshakeTimeout()).isEqualTo(Duration.ofMillis(800));
        assertThat(o).isNotEqualTo(o.toBuilder().proxy(ProxyOptions.http("127.0.0.1", 1080)).build());
        assertThat(o.toBuilder().noProxy().build().proxy()).isNull();
    }

    @Test
    void aBadValueThrowsInvalidOptionExceptionWithItsParts() {
        assertThatThrownBy(() -> minimal().connectTimeout(Duration.ofNanos(1500)))
                .isInstanceOfSatisfying(InvalidOptionException.class, e -> {
                    assertThat(e.option()).isEqualTo("connectTimeout");
                    assertThat(e.value()).isEqualTo("1500ns");
                    assertThat(e.expected()).isEqualTo("whole milliseconds");
                });
        assertThatThrownBy(() -> minimal().maxPendingMessages(-1))
                .isInstanceOfSatisfying(InvalidOptionException.class, e -> {
                    assertThat(e.option()).isEqualTo("maxPendingMessages");
                    assertThat(e.value()).isEqualTo("-1");
                    assertThat(e.expected()).isEqualTo("0..1000000");
                });
        assertThatThrownBy(() -> minimal().writeStallTimeout(Duration.ofMillis(50)))
                .isInstanceOfSatisfying(InvalidOptionException.class, e -> assertThat(e.option()).isEqualTo("writeStallTimeout"));
        assertThatThrownBy(() -> Endpoint.of(" ", 80))
                .isInstanceOfSatisfying(InvalidOptionException.class, e -> {
                    assertThat(e.option()).isEqualTo("host");
                    assertThat(e.value()).isEqualTo("\" \"");
                });
        assertThatThrownBy(() -> KeepAliveOptions.builder().interval(Duration.ofMillis(1500)))
                .isInstanceOfSatisfying(InvalidOptionException.class, e -> {
                    assertThat(e.option()).isEqualTo("keepAlive.interval");
                    assertThat(e.value()).isEqualTo("1500ms");
                    assertThat(e.expected()).isEqualTo("whole seconds in 1..32767");
                    assertThat(e).hasMessage("keepAlive.interval: 1500ms (expected: whole seconds in 1..32767)");
                });
        assertThatThrownBy(() -> ReconnectPolicy.builder().multiplier(0.5))
                .isInstanceOfSatisfying(InvalidOptionException.class, e -> assertThat(e.option()).isEqualTo("reconnect.multiplier"));
    }

    @Test
    void requiresAnEndpoint() {
        assertThatThrownBy(() -> ConnectorOptions.builder().build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("endpoint: not set");
    }

    @Test
    void rejectsNulls() {
        assertThatThrownBy(() -> minimal().endpoint((Endpoint) null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("endpoint");
        assertThatThrownBy(() -> minimal().transport(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("transport");
        assertThatThrownBy(() -> minimal().keepAlive(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> minimal().reconnect(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> minimal().readIdlePeriod(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> minimal().proxy(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("proxy");
    }

    @Test
    void rejectsConnectTimeoutOutOfRange() {
        assertThatThrownBy(() -> minimal().connectTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connectTimeout: 0ms (expected: > 0 and <= 10m)");
        assertThatThrownBy(() -> minimal().connectTimeout(Duration.ofSeconds(-1)))
                .hasMessageContaining("connectTimeout: -1s");
        assertThatThrownBy(() -> minimal().connectTimeout(Duration.ofMinutes(11)))
                .hasMessageContaining("connectTimeout: 11m (expected: > 0 and <= 10m)");
        assertThatThrownBy(() -> minimal().connectTimeout(Duration.ofNanos(1500)))
                .hasMessageContaining("connectTimeout: 1500ns (expected: whole milliseconds)");
    }

    @Test
    void rejectsReadIdlePeriodOutOfRange() {
        assertThatThrownBy(() -> minimal().readIdlePeriod(Duration.ofMillis(-5))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("readIdlePeriod: -5ms (expected: 0 to disable, or > 0 and <= 24h)");
        assertThatThrownBy(() -> minimal().readIdlePeriod(Duration.ofDays(2)))
                .hasMessageContaining("readIdlePeriod: 48h");
    }

    @Test
    void rejectsReadIdleCloseWithoutReadIdleDetection() {
        assertThatThrownBy(() -> minimal().readIdlePeriod(Duration.ZERO).readIdleCloseAfter(2).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("readIdleCloseAfter: 2 needs read-idle detection, but readIdlePeriod is 0");
        assertThatThrownBy(() -> minimal().readIdleCloseAfter(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("readIdleCloseAfter: -1 (expected: 0..1000000)");
    }

    @Test
    void rejectsPendingLimitsOutOfRange() {
        assertThatThrownBy(() -> minimal().maxPendingMessages(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxPendingMessages: -1 (expected: 0..1000000)");
        assertThatThrownBy(() -> minimal().maxPendingMessages(1_000_001))
                .hasMessageContaining("maxPendingMessages: 1000001");
        assertThatThrownBy(() -> minimal().maxPendingBytes(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxPendingBytes: -1 (expected: 0..1073741824)");
        assertThatThrownBy(() -> minimal().maxPendingBytes((1L << 30) + 1))
                .hasMessageContaining("maxPendingBytes: 1073741825");
    }

    @Test
    void rejectsWriteStallTimeoutOutOfRange() {
        assertThatThrownBy(() -> minimal().writeStallTimeout(Duration.ofMillis(50)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("writeStallTimeout: 50ms (expected: 0 to disable, or 100ms..1d)");
        assertThatThrownBy(() -> minimal().writeStallTimeout(Duration.ofSeconds(-1)))
                .hasMessageContaining("writeStallTimeout: -1s");
        assertThatThrownBy(() -> minimal().writeStallTimeout(Duration.ofDays(2)))
                .hasMessageContaining("writeStallTimeout: 48h");
    }

    @Test
    void tlsHandshakeTimeoutDefaultsToTheConnectTimeoutAndFollowsIt() {
        ConnectorOptions o = minimal().tls(TLS).build();
        assertThat(o.tlsHandshakeTimeoutDerived()).isTrue();
        assertThat(o.tlsHandshakeTimeout()).isEqualTo(ConnectorOptions.DEFAULT_CONNECT_TIMEOUT);
        assertThat(o.toString()).contains("tls=on, hostnameVerification=true, handshakeTimeout=derived(10s)");

        ConnectorOptions quicker = o.toBuilder().connectTimeout(Duration.ofMillis(1500)).build();
        assertThat(quicker.tlsHandshakeTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(quicker.toString()).contains("handshakeTimeout=derived(1500ms)");
    }

    @Test
    void anExplicitTlsHandshakeTimeoutStaysWhenTheConnectTimeoutChanges() {
        ConnectorOptions o = minimal().tls(TLS).tlsHandshakeTimeout(Duration.ofMillis(300))
                .connectTimeout(Duration.ofSeconds(30)).build();
        assertThat(o.tlsHandshakeTimeoutDerived()).isFalse();
        assertThat(o.tlsHandshakeTimeout()).isEqualTo(Duration.ofMillis(300));
        assertThat(o.toBuilder().derivedTlsHandshakeTimeout().build().tlsHandshakeTimeout())
                .isEqualTo(Duration.ofSeconds(30));
        // Equal values, set or derived, are still different options: one follows the connect timeout, one does not.
        assertThat(minimal().tlsHandshakeTimeout(ConnectorOptions.DEFAULT_CONNECT_TIMEOUT).build())
                .isNotEqualTo(minimal().build());
    }

    @Test
    void rejectsTlsHandshakeTimeoutOutOfRange() {
        assertThatThrownBy(() -> minimal().tlsHandshakeTimeout(Duration.ZERO))
                .isInstanceOfSatisfying(InvalidOptionException.class, e -> {
                    assertThat(e.option()).isEqualTo("tlsHandshakeTimeout");
                    assertThat(e).hasMessage("tlsHandshakeTimeout: 0ms (expected: 1ms..1h)");
                });
        assertThatThrownBy(() -> minimal().tlsHandshakeTimeout(Duration.ofMillis(-5)))
                .hasMessageContaining("tlsHandshakeTimeout: -5ms (expected: 1ms..1h)");
        assertThatThrownBy(() -> minimal().tlsHandshakeTimeout(Duration.ofMinutes(61)))
                .hasMessageContaining("tlsHandshakeTimeout: 61m (expected: 1ms..1h)");
        assertThatThrownBy(() -> minimal().tlsHandshakeTimeout(Duration.ofNanos(1_500_000)))
                .hasMessageContaining("tlsHandshakeTimeout: 1500000ns (expected: whole milliseconds)");
        assertThatThrownBy(() -> minimal().tlsHandshakeTimeout(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("tlsHandshakeTimeout");
        assertThat(minimal().tlsHandshakeTimeout(ConnectorOptions.MIN_TLS_HANDSHAKE_TIMEOUT).build().tlsHandshakeTimeout())
                .isEqualTo(Duration.ofMillis(1));
        assertThat(minimal().tlsHandshakeTimeout(ConnectorOptions.MAX_TLS_HANDSHAKE_TIMEOUT).build().tlsHandshakeTimeout())
                .isEqualTo(Duration.ofHours(1));
    }
}
