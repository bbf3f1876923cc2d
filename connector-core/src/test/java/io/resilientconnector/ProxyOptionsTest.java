package io.resilientconnector;

import io.resilientconnector.ProxyOptions.Type;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProxyOptionsTest {

    @Test
    void parsesSocks5WithCredentials() {
        ProxyOptions p = ProxyOptions.parse("socks5://alice:s3cret@127.0.0.1:1080");
        assertThat(p.type()).isEqualTo(Type.SOCKS5);
        assertThat(p.host()).isEqualTo("127.0.0.1");
        assertThat(p.port()).isEqualTo(1080);
        assertThat(p.userName()).isEqualTo("alice");
        assertThat(p.password()).isEqualTo("s3cret");
        assertThat(p.authenticates()).isTrue();
        assertThat(p).isEqualTo(ProxyOptions.builder().type(Type.SOCKS5).address("127.0.0.1", 1080)
                .credentials("alice", "s3cret").build());
    }

    @Test
    void parsesHttpWithoutCredentials() {
        ProxyOptions p = ProxyOptions.parse("HTTP://proxy.example:3128/");
        assertThat(p).isEqualTo(ProxyOptions.http("proxy.example", 3128));
        assertThat(p.userName()).isNull();
        assertThat(p.password()).isNull();
        assertThat(p.authenticates()).isFalse();
    }

    @Test
    void parsesAnIpv6HostInBrackets() {
        ProxyOptions p = ProxyOptions.parse("socks5://[::1]:1080");
        assertThat(p.host()).isEqualTo("::1");
        assertThat(p.address()).isEqualTo("[::1]:1080");
    }

    @Test
    void decodesPercentEscapesInCredentials() {
        ProxyOptions p = ProxyOptions.parse("socks5://al%3Aice:p%40ss%3Aw%C3%B6rd@proxy:1080");
        assertThat(p.password()).isEqualTo("p@ss:wörd");
        assertThat(p.userName()).isEqualTo("al:ice");
        // An unescaped '@' in the password still parses: the last '@' ends the credentials.
        assertThat(ProxyOptions.parse("socks5://bob:a@b@proxy:1080").password()).isEqualTo("a@b");
    }

    @Test
    void rejectsMalformedUrlsNamingProxyTheValueAndTheExpectedForm() {
        assertThatThrownBy(() -> ProxyOptions.parse("socks4://host:1080")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("proxy: \"socks4://host:1080\"")
                .hasMessageContaining("expected: socks5://[user:password@]host:port or http://[user:password@]host:port")
                .hasMessageContaining("unsupported scheme socks4");
        assertThatThrownBy(() -> ProxyOptions.parse("host:1080")).hasMessageContaining("no scheme");
        assertThatThrownBy(() -> ProxyOptions.parse("socks5://host")).hasMessageContaining("no port");
        assertThatThrownBy(() -> ProxyOptions.parse("socks5://[::1]")).hasMessageContaining("no port");
        assertThatThrownBy(() -> ProxyOptions.parse("socks5://host:http")).hasMessageContaining("port \"http\" is not a number");
        assertThatThrownBy(() -> ProxyOptions.parse("socks5://host:70000"))
                .hasMessageContaining("proxy.port: 70000 (expected: 1..65535)");
        assertThatThrownBy(() -> ProxyOptions.parse("socks5://host:0")).hasMessageContaining("proxy.port: 0");
        assertThatThrownBy(() -> ProxyOptions.parse("socks5://:1080")).hasMessageContaining("proxy.host: \"\"");
        assertThatThrownBy(() -> ProxyOptions.parse("http://host:8080/path")).hasMessageContaining("a path, query or fragment");
        assertThatThrownBy(() -> ProxyOptions.parse("http://a%zz:b@host:8080")).hasMessageContaining("malformed percent escape");
        assertThatThrownBy(() -> ProxyOptions.parse(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("proxy");
    }

    @Test
    void masksThePasswordInParseErrors() {
        assertThatThrownBy(() -> ProxyOptions.parse("socks5://alice:hunter2@host:99999"))
                .hasMessageContaining("proxy: \"socks5://alice:****@host:99999\"")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
        assertThatThrownBy(() -> ProxyOptions.parse("ftp://alice:hunter2@host:21"))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2").contains("alice:****@host:21"));
    }

    @Test
    void passwordRequiresAUserName() {
        assertThatThrownBy(() -> ProxyOptions.parse("socks5://:hunter2@host:1080"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("proxy.userName: 0 bytes (expected: 1..255 bytes in UTF-8)")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
        assertThatThrownBy(() -> ProxyOptions.builder().credentials(null, "pw")).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("proxy.userName");
        assertThatThrownBy(() -> ProxyOptions.builder().credentials("", "pw")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("proxy.userName: 0 bytes");
    }

    @Test
    void userNameRequiresAPassword() {
        assertThatThrownBy(() -> ProxyOptions.parse("socks5://alice@host:1080"))
                .hasMessageContaining("a user name without a password");
        assertThatThrownBy(() -> ProxyOptions.builder().credentials("alice", null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("proxy.password");
        assertThatThrownBy(() -> ProxyOptions.builder().credentials("alice", "")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("proxy.password: 0 bytes (expected: 1..255 bytes in UTF-8)");
    }

    @Test
    void rejectsCredentialsLongerThan255BytesWithoutShowingThem() {
        String secret = "é".repeat(128);
        assertThatThrownBy(() -> ProxyOptions.builder().credentials("alice", secret))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("proxy.password: 256 bytes (expected: 1..255 bytes in UTF-8)")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(secret));
        assertThatThrownBy(() -> ProxyOptions.builder().credentials("u".repeat(256), "pw"))
                .hasMessageContaining("proxy.userName: 256 bytes");
    }

    @Test
    void rejectsAColonInAnHttpUserName() {
        assertThatThrownBy(() -> ProxyOptions.builder().type(Type.HTTP).address("proxy", 3128).credentials("a:b", "pw").build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("proxy.userName: contains ':' (expected: no ':' with HTTP basic authentication");
        assertThat(ProxyOptions.builder().type(Type.SOCKS5).address("proxy", 1080).credentials("a:b", "pw").build().userName())
                .isEqualTo("a:b");
    }

    @Test
    void rejectsBadHostsAndPorts() {
        assertThatThrownBy(() -> ProxyOptions.builder().address(null, 1080)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("proxy.host");
        assertThatThrownBy(() -> ProxyOptions.builder().address("  ", 1080)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("proxy.host: \"  \" (expected: a host name, an IPv4 literal or an IPv6 literal)");
        assertThatThrownBy(() -> ProxyOptions.builder().address("a b", 1080)).hasMessageContaining("proxy.host: \"a b\"");
        assertThatThrownBy(() -> ProxyOptions.builder().address("host:1", 1080)).hasMessageContaining("proxy.host: \"host:1\"");
        assertThatThrownBy(() -> ProxyOptions.builder().address("user@host", 1080)).hasMessageContaining("proxy.host");
        assertThatThrownBy(() -> ProxyOptions.builder().address("host", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("proxy.port: 0 (expected: 1..65535)");
        assertThatThrownBy(() -> ProxyOptions.builder().address("host", 65536)).hasMessageContaining("proxy.port: 65536");
        assertThat(ProxyOptions.builder().type(Type.SOCKS5).address("[fe80::1]", 1080).build().host()).isEqualTo("fe80::1");
    }

    @Test
    void requiresATypeAndAnAddress() {
        assertThatThrownBy(() -> ProxyOptions.builder().address("host", 1080).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("proxy.type: not set");
        assertThatThrownBy(() -> ProxyOptions.builder().type(Type.HTTP).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("proxy.host: not set");
        assertThatThrownBy(() -> ProxyOptions.builder().type(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("proxy.type");
    }

    @Test
    void toStringMasksThePassword() {
        ProxyOptions p = ProxyOptions.parse("socks5://alice:hunter2@127.0.0.1:1080");
        assertThat(p.toString()).isEqualTo("ProxyOptions{socks5://alice:****@127.0.0.1:1080}").doesNotContain("hunter2");
        assertThat(ProxyOptions.http("::1", 3128).toString()).isEqualTo("ProxyOptions{http://[::1]:3128}");
        assertThat(ConnectorOptions.builder().endpoint("example.test", 7000).proxy(p).build().toString())
                .contains("proxy=ProxyOptions{socks5://alice:****@127.0.0.1:1080}").doesNotContain("hunter2");
    }

    @Test
    void roundTripsThroughToBuilder() {
        ProxyOptions withCredentials = ProxyOptions.parse("http://alice:s3cret@proxy.example:3128");
        assertThat(withCredentials.toBuilder().build()).isEqualTo(withCredentials).hasSameHashCodeAs(withCredentials);
        ProxyOptions without = ProxyOptions.socks5("127.0.0.1", 1080);
        assertThat(without.toBuilder().build()).isEqualTo(without).hasSameHashCodeAs(without);
        assertThat(withCredentials).isNotEqualTo(withCredentials.toBuilder().credentials("alice", "other").build());
        assertThat(withCredentials.toBuilder().noCredentials().build())
                .isEqualTo(ProxyOptions.http("proxy.example", 3128));
        assertThat(without).isNotEqualTo(without.toBuilder().type(Type.HTTP).build());
    }
}
