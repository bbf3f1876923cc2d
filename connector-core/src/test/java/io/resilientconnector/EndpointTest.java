package io.resilientconnector;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EndpointTest {

    @Test
    void keepsTheNameUnresolvedSoEveryAttemptResolvesAgain() {
        Endpoint e = Endpoint.of("gateway.example", 7000);
        assertThat(e.unresolved().isUnresolved()).isTrue();
        assertThat(e.unresolved().getHostString()).isEqualTo("gateway.example");
        assertThat(e).hasToString("gateway.example:7000").isEqualTo(Endpoint.of("gateway.example", 7000));
        assertThat(Endpoint.of("::1", 80)).hasToString("[::1]:80");
    }

    @Test
    void rejectsPortZero() {
        assertThatThrownBy(() -> Endpoint.of("h", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("port: 0 (expected: 1..65535)");
    }

    @Test
    void rejectsPortAbove65535() {
        assertThatThrownBy(() -> Endpoint.of("h", 70000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("port: 70000 (expected: 1..65535)");
    }

    @Test
    void rejectsBlankOrNullHost() {
        assertThatThrownBy(() -> Endpoint.of(" ", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("host: \" \" (expected: a host name or IP address)");
        assertThatThrownBy(() -> Endpoint.of(null, 1)).isInstanceOf(NullPointerException.class).hasMessage("host");
    }
}
