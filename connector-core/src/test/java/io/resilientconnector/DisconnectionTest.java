package io.resilientconnector;

import io.netty.channel.embedded.EmbeddedChannel;
import io.resilientconnector.Disconnection.ProbeAcknowledgement;
import io.resilientconnector.internal.ending.ConnectionRecord;
import io.resilientconnector.internal.ending.Disconnections;
import io.resilientconnector.internal.ending.TcpStatsBuilder;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The first recorded cause wins; the unacknowledged bytes are added once and said plainly. */
class DisconnectionTest {

    @Test
    void theFirstRecordedCauseWins() {
        EmbeddedChannel ch = new EmbeddedChannel();
        assertThat(ConnectionRecord.of(ch).record(Disconnections.of(DisconnectCause.STALLED))).isTrue();
        assertThat(ConnectionRecord.of(ch).record(Disconnections.of(DisconnectCause.LOCAL_CLOSE))).isFalse();
        assertThat(ConnectionRecord.of(ch).recorded().cause()).isEqualTo(DisconnectCause.STALLED);
    }

    @Test
    void saysTheUnacknowledgedBytesAndNamesTheConnection() {
        Unacknowledged sample = Disconnections.unacknowledged(5000, 2104, 2, Duration.ZERO);
        Disconnection why = Disconnections.builder(DisconnectCause.TIMED_OUT, "ETIMEDOUT", null)
                .unacknowledged(sample).connection("3eda3eaf", new InetSocketAddress("127.0.0.1", 7000)).build();

        assertThat(why.unacknowledged()).isEqualTo(sample);
        assertThat(why.connectionId()).isEqualTo("3eda3eaf");
        assertThat(why.remoteAddress()).isEqualTo(new InetSocketAddress("127.0.0.1", 7000));
        assertThat(Disconnections.from(why).detail("d").build().connectionId()).as("copies keep the name")
                .isEqualTo("3eda3eaf");
        assertThat(why.toString())
                .isEqualTo("cause=TIMED_OUT errno=ETIMEDOUT unacknowledged=5000 bytes (2 segments in flight, "
                        + "2104 bytes never sent; sampled at the end)");
    }

    @Test
    void saysOnlyWhatItsSourceReports() {
        assertThat(Disconnections.unacknowledged(79, -1, -1, Duration.ofMillis(15)))
                .hasToString("79 bytes (sampled 15ms before the end)");
        assertThat(Unacknowledged.unknown("kqueue has no TCP_INFO")).hasToString("unknown (kqueue has no TCP_INFO)");
        assertThat(Unacknowledged.unknown("x").bytes()).isEqualTo(-1);
    }

    @Test
    void rejectsImpossibleSamples() {
        assertThatThrownBy(() -> Disconnections.unacknowledged(10, 11, 0, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("notSentBytes 11").hasMessageContaining("-1 <= notSentBytes <= bytes");
        assertThatThrownBy(() -> new Unacknowledged(-1, 0, 0, Duration.ZERO, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bytes -1");
        assertThatThrownBy(() -> new Unacknowledged(10, 0, 0, Duration.ofMillis(-1), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("age: PT-0.001S");
        assertThatThrownBy(() -> new Unacknowledged(10, -1, -1, null, "nio has no TCP_INFO"))
                .as("an unknown sample carries no numbers")
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown (nio has no TCP_INFO)");
    }

    @Test
    void saysWhatTcpInfoKnewAndLeavesOutWhatItsSourceDoesNot() {
        TcpStats full = new TcpStatsBuilder().rtt(Duration.ofNanos(45_000)).rttVariance(Duration.ofNanos(12_500_000))
                .retransmits(4).totalRetransmissions(5).lost(2).probes(0)
                .sinceLastReceived(Duration.ofMillis(3500)).sinceLastSent(Duration.ofMillis(92))
                .age(Duration.ZERO).build();
        assertThat(full).hasToString("(rtt 45us, rttvar 12.5ms, retransmits 4, total retransmissions 5, lost 2, "
                + "probes 0, last received 3.5s ago, last sent 92.0ms ago; sampled at the end)");
        assertThat(new TcpStatsBuilder().retransmits(3).probes(0).age(Duration.ofMillis(832)).build())
                .hasToString("(retransmits 3, probes 0; sampled 832ms before the end)");
        assertThat(TcpStats.unknown("kqueue has no TCP_INFO").rtt()).isNull();
        assertThat(TcpStats.unknown("kqueue has no TCP_INFO").retransmits()).isEqualTo(-1);

        Disconnection why = Disconnections.builder(DisconnectCause.TIMED_OUT).tcpInfo(full)
                .sinceLastRead(Duration.ofMillis(3500)).build();
        assertThat(Disconnections.from(why).connection("x", null).build().tcpInfo()).as("copies keep it")
                .isEqualTo(full);
        assertThat(why.toString()).isEqualTo("cause=TIMED_OUT since_last_read=3.5s tcp_info=" + full);
    }

    @Test
    void rejectsImpossibleTcpInfo() {
        assertThatThrownBy(() -> new TcpStatsBuilder().retransmits(-2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retransmits: -2 (expected: >= 0)");
        assertThatThrownBy(() -> new TcpStatsBuilder().rtt(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rtt: PT-0.001S");
        assertThatThrownBy(() -> new TcpStatsBuilder().retransmits(1).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("age: not set");
        assertThatThrownBy(() -> new TcpStats(null, null, -2, -1, -1, -1, null, null, Duration.ZERO, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retransmits: -2");
        assertThatThrownBy(() -> new TcpStats(Duration.ofMillis(-1), null, -1, -1, -1, -1, null, null, Duration.ZERO,
                null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rtt: PT-0.001S");
        assertThatThrownBy(() -> new TcpStats(null, null, 3, -1, -1, -1, null, null, null, "kqueue has no TCP_INFO"))
                .as("an unknown sample carries no numbers")
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown (kqueue has no TCP_INFO)");
        assertThatThrownBy(() -> new TcpStats(null, null, 3, -1, -1, -1, null, null, null, null))
                .as("a sample says when it was taken")
                .isInstanceOf(NullPointerException.class).hasMessageContaining("age");
        assertThatThrownBy(() -> Disconnections.builder(DisconnectCause.RESET).sinceLastRead(Duration.ofMillis(-1))
                .build()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sinceLastRead");
        assertThatThrownBy(() -> new Disconnection(DisconnectCause.RESET, null, null, null, null, null, null, null,
                Duration.ofMillis(-1), null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sinceLastRead: PT-0.001S (expected: >= 0)");
        assertThatThrownBy(() -> new Disconnection(null, null, null, null, null, null, null, null, null, null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("cause");
    }

    @Test
    void aCopyKeepsEveryPart() {
        Disconnection full = new Disconnection(DisconnectCause.UNRESPONSIVE, "ETIMEDOUT", new IOException("gone"),
                "no reply", "3eda3eaf", new InetSocketAddress("127.0.0.1", 7000),
                Disconnections.unacknowledged(5000, 2104, 2, Duration.ZERO),
                new TcpStatsBuilder().retransmits(3).age(Duration.ZERO).build(), Duration.ofMillis(3500),
                ProbeAcknowledgement.ACKNOWLEDGED);

        assertThat(Disconnections.from(full).build()).isEqualTo(full).hasSameHashCodeAs(full)
                .hasToString(full.toString());
        assertThat(full).hasNoNullFieldsOrProperties();
    }

    @Test
    void equalDisconnectionsShareTheSameException() {
        IOException reset = new IOException("Connection reset by peer");
        Disconnection why = Disconnections.of(DisconnectCause.RESET, "ECONNRESET", reset);

        assertThat(Disconnections.of(DisconnectCause.RESET, "ECONNRESET", reset)).isEqualTo(why)
                .hasSameHashCodeAs(why);
        assertThat(Disconnections.of(DisconnectCause.RESET, "ECONNRESET", new IOException("Connection reset by peer")))
                .as("exceptions compare by identity, as Throwable does").isNotEqualTo(why);
        assertThat(Disconnections.builder(DisconnectCause.RESET, "ECONNRESET", reset).detail("d").build())
                .isNotEqualTo(why);
    }
}
