package io.resilientconnector;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HeartbeatOptionsTest {

    private static HeartbeatOptions.Builder ping() {
        return HeartbeatOptions.builder().probe("PING\r\n");
    }

    @Test
    void defaultsAreNamedAndTheProbeIsWrittenAfresh() {
        HeartbeatOptions h = ping().build();
        assertThat(h.idle()).isEqualTo(HeartbeatOptions.DEFAULT_IDLE).isEqualTo(Duration.ofSeconds(30));
        assertThat(h.timeout()).isEqualTo(HeartbeatOptions.DEFAULT_TIMEOUT).isEqualTo(Duration.ofSeconds(10));
        assertThat(h.reply()).isNull();
        assertThat(h.startWhenSignalled()).isFalse();
        io.netty.buffer.ByteBuf first = (io.netty.buffer.ByteBuf) h.newProbe();
        io.netty.buffer.ByteBuf second = (io.netty.buffer.ByteBuf) h.newProbe();
        assertThat(first).isNotSameAs(second);
        assertThat(first.toString(StandardCharsets.US_ASCII)).isEqualTo("PING\r\n");
        first.release();
        second.release();
        assertThat(h).hasToString("HeartbeatOptions{probe=\"PING\\r\\n\", reply=any bytes, idle=30s, timeout=10s}");
    }

    @Test
    void roundTripsThroughItsBuilder() {
        HeartbeatOptions h = ping().idle(Duration.ofSeconds(5)).timeout(Duration.ofSeconds(2)).startWhenSignalled().build();
        assertThat(h.toBuilder().build()).isEqualTo(h).hasSameHashCodeAs(h);
        assertThat(h).isNotEqualTo(h.toBuilder().startOnConnect().build());
        assertThat(h).isNotEqualTo(h.toBuilder().probe("PONG").build());
        ConnectorOptions o = ConnectorOptions.builder().endpoint("h", 1).heartbeat(h).build();
        assertThat(o.toBuilder().build()).isEqualTo(o);
        assertThat(o.toBuilder().noHeartbeat().build().heartbeat()).isNull();
        assertThat(o.toString()).contains("heartbeat=HeartbeatOptions{probe=\"PING\\r\\n\"");
    }

    @Test
    void rejectsAnEmptyOrHugeProbe() {
        assertThatThrownBy(() -> HeartbeatOptions.builder().probe(new byte[0])).isInstanceOf(InvalidOptionException.class)
                .hasMessage("heartbeat.probe: 0 bytes (expected: 1..65536 bytes)");
        assertThatThrownBy(() -> HeartbeatOptions.builder().probe("")).isInstanceOf(InvalidOptionException.class)
                .hasMessageStartingWith("heartbeat.probe: 0 bytes");
        assertThatThrownBy(() -> HeartbeatOptions.builder().probe(new byte[65537])).isInstanceOf(InvalidOptionException.class)
                .hasMessage("heartbeat.probe: 65537 bytes (expected: 1..65536 bytes)");
        assertThatThrownBy(() -> HeartbeatOptions.builder().probe((String) null)).isInstanceOf(NullPointerException.class)
                .hasMessage("heartbeat.probe");
    }

    @Test
    void rejectsATimeoutNotShorterThanIdle() {
        assertThatThrownBy(() -> ping().idle(Duration.ofSeconds(5)).timeout(Duration.ofSeconds(5)).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("heartbeat.timeout: 5s is not shorter than heartbeat.idle: 5s (expected: timeout < idle)");
    }

    @Test
    void rejectsDurationsOutOfRange() {
        assertThatThrownBy(() -> ping().idle(Duration.ofMillis(50))).isInstanceOf(InvalidOptionException.class)
                .hasMessage("heartbeat.idle: 50ms (expected: 100ms..24h)");
        assertThatThrownBy(() -> ping().timeout(Duration.ofDays(2))).isInstanceOf(InvalidOptionException.class)
                .hasMessage("heartbeat.timeout: 48h (expected: 100ms..24h)");
        assertThatThrownBy(() -> ping().idle(Duration.ofSeconds(-1))).isInstanceOf(InvalidOptionException.class)
                .hasMessageStartingWith("heartbeat.idle: -1s");
    }

    @Test
    void needsAProbe() {
        assertThatThrownBy(() -> HeartbeatOptions.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("heartbeat.probe: not set");
    }
}
