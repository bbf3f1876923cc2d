package io.resilientconnector.examples;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.resilientconnector.DisconnectCause;
import io.resilientconnector.Disconnection;
import io.resilientconnector.TcpStats;
import io.resilientconnector.Unacknowledged;
import io.resilientconnector.internal.ending.Disconnections;
import io.resilientconnector.internal.ending.TcpStatsBuilder;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** The event lines: event name first, the errno where there is one, and nothing from the peer unescaped. */
class EventPrinterTest {

    private final StringWriter text = new StringWriter();
    private final AtomicBoolean gaveUp = new AtomicBoolean();
    private final EventPrinter printer = new EventPrinter(new PrintWriter(text), Duration.ofSeconds(5), () -> gaveUp.set(true));

    @Test
    void printsTheErrnoWhenTheTransportReportsOne() {
        printer.disconnected(Disconnections.of(DisconnectCause.TIMED_OUT, "ETIMEDOUT", new IOException("timed out")));

        assertThat(text.toString()).isEqualTo("DISCONNECTED cause=TIMED_OUT errno=ETIMEDOUT" + System.lineSeparator());
    }

    @Test
    void printsTheErrorInsteadWhenThereIsNoErrno() {
        Disconnection refused = Disconnections.of(DisconnectCause.CONNECT_REFUSED, null, new ConnectException("Connection refused"));
        printer.connectFailed(refused, java.util.List.of(refused));

        assertThat(text.toString().trim()).isEqualTo(
                "CONNECT_FAILED cause=CONNECT_REFUSED error=\"ConnectException: Connection refused\" failures=1");
    }

    @Test
    void printsTheDetailOfADisconnection() {
        printer.disconnected(Disconnections.builder(DisconnectCause.READ_IDLE).detail("nothing received for 15s").build());

        assertThat(text.toString().trim()).isEqualTo("DISCONNECTED cause=READ_IDLE detail=\"nothing received for 15s\"");
    }

    @Test
    void printsTheBytesThePeerNeverAcknowledged() {
        printer.disconnected(Disconnections.builder(DisconnectCause.STALLED)
                .unacknowledged(Disconnections.unacknowledged(61776, 57680, 7, Duration.ZERO)).build());

        assertThat(text.toString().trim()).isEqualTo("DISCONNECTED cause=STALLED unacknowledged_bytes=61776");
    }

    @Test
    void leavesOutUnacknowledgedBytesThatAreZeroOrUnknown() {
        printer.disconnected(Disconnections.builder(DisconnectCause.PEER_CLOSED)
                .unacknowledged(Disconnections.unacknowledged(0, 0, 0, Duration.ZERO)).build());
        printer.disconnected(Disconnections.builder(DisconnectCause.PEER_CLOSED)
                .unacknowledged(Unacknowledged.unknown("nio has no TCP_INFO")).build());

        assertThat(text.toString()).isEqualTo(("DISCONNECTED cause=PEER_CLOSED" + System.lineSeparator()).repeat(2));
    }

    @Test
    void printsWhatTcpInfoKnewAtTheEnd() {
        printer.disconnected(Disconnections.builder(DisconnectCause.TIMED_OUT, "ETIMEDOUT", null)
                .sinceLastRead(Duration.ofMillis(3480))
                .tcpInfo(new TcpStatsBuilder().rtt(Duration.ofNanos(45_000))
                        .rttVariance(Duration.ofNanos(20_000)).retransmits(4).totalRetransmissions(5).lost(2).probes(0)
                        .sinceLastReceived(Duration.ofMillis(3500)).sinceLastSent(Duration.ofMillis(92))
                        .age(Duration.ZERO).build()).build());
        printer.disconnected(Disconnections.builder(DisconnectCause.STALLED)
                .tcpInfo(new TcpStatsBuilder().retransmits(3).probes(0).age(Duration.ZERO).build()).build());
        printer.disconnected(Disconnections.builder(DisconnectCause.RESET)
                .tcpInfo(TcpStats.unknown("kqueue has no TCP_INFO")).build());

        assertThat(text.toString().lines()).containsExactly(
                "DISCONNECTED cause=TIMED_OUT errno=ETIMEDOUT since_last_read=3.5s rtt=45us rttvar=20us retransmits=4 "
                        + "total_retrans=5 lost=2 probes=0 last_recv=3.5s last_sent=92ms",
                "DISCONNECTED cause=STALLED retransmits=3 probes=0",
                "DISCONNECTED cause=RESET");
    }

    @Test
    void namesTheAddressOfADisconnectionAndOfAFailedAttempt() {
        java.net.InetSocketAddress address = new java.net.InetSocketAddress("127.0.0.2", 7000);
        Disconnection refused = Disconnections.builder(DisconnectCause.CONNECT_REFUSED, "ECONNREFUSED",
                new ConnectException("refused")).connection("0badf00d", address).build();
        printer.attemptFailed(io.resilientconnector.Endpoint.of("feed.example", 7000), address, refused);
        printer.connectFailed(refused, java.util.List.of(refused));

        assertThat(text.toString().lines()).containsExactly(
                "ATTEMPT_FAILED endpoint=feed.example:7000 remote=127.0.0.2:7000 cause=CONNECT_REFUSED errno=ECONNREFUSED",
                "CONNECT_FAILED cause=CONNECT_REFUSED errno=ECONNREFUSED remote=127.0.0.2:7000 failures=1");
    }

    @Test
    void printsReconnectDelaysForPeople() {
        printer.reconnectScheduled(3, Duration.ofNanos(1_234_567_890), Disconnections.of(DisconnectCause.RESET));
        printer.reconnectScheduled(4, Duration.ofMillis(850), Disconnections.of(DisconnectCause.RESET));
        printer.reconnectScheduled(5, Duration.ofSeconds(30), Disconnections.of(DisconnectCause.RESET));

        assertThat(text.toString().lines()).containsExactly(
                "RECONNECTING attempt=3 delay=1.2s", "RECONNECTING attempt=4 delay=850ms", "RECONNECTING attempt=5 delay=30s");
    }

    @Test
    void escapesControlCharactersInWhatWasReceived() {
        ByteBuf data = Unpooled.copiedBuffer("ok\r\n\u001b[2Jfake line\n", StandardCharsets.ISO_8859_1);
        try {
            printer.received(data);
        } finally {
            data.release();
        }

        assertThat(text.toString()).isEqualTo("RECEIVED 18 bytes: ok\\r\\n\\x1b[2Jfake line\\n" + System.lineSeparator());
    }

    @Test
    void printsReadIdleWithHowLongReadsWereIdle() {
        printer.readIdle(null, 3);

        assertThat(text.toString().trim()).isEqualTo("READ_IDLE idle=15s consecutive=3");
    }

    @Test
    void printsGaveUpThenTellsTheProgram() {
        printer.gaveUp(5, Disconnections.of(DisconnectCause.CONNECT_REFUSED, "ECONNREFUSED", new IOException()));

        assertThat(text.toString().trim()).isEqualTo("GAVE_UP attempts=5 last cause=CONNECT_REFUSED errno=ECONNREFUSED");
        assertThat(gaveUp).isTrue();
    }

    @Test
    void saysHowOldATcpInfoSampleTakenBeforeTheEndIs() {
        printer.disconnected(Disconnections.builder(DisconnectCause.STALLED)
                .sinceLastRead(Duration.ofMillis(3100))
                .tcpInfo(new TcpStatsBuilder().retransmits(0).sinceLastReceived(Duration.ofMillis(4))
                        .age(Duration.ofSeconds(5)).build()).build());

        assertThat(text.toString().trim())
                .isEqualTo("DISCONNECTED cause=STALLED since_last_read=3.1s tcp_info_age=5s retransmits=0 last_recv=4ms");
    }

    @Test
    void printsNoInternalTypeName() {
        // An internal exception type, and a message that quotes class names, its own and a transport's.
        Exception internal = new io.resilientconnector.internal.connect.ConnectFailedException(java.util.List.of());
        Exception wrapping = new IOException("1 attempt failed: feed.example: " + internal
                + "; 127.0.0.1:1: io.netty.channel.AbstractChannel$AnnotatedConnectException: refused");
        printer.disconnected(Disconnections.of(DisconnectCause.OTHER, null, internal));
        printer.disconnected(Disconnections.of(DisconnectCause.CONNECT_REFUSED, null, wrapping));

        assertThat(text.toString()).doesNotContain("internal", "ConnectFailedException", "AnnotatedConnectException",
                "io.netty");
        assertThat(text.toString().lines()).allMatch(l -> l.contains(" error=\""));
        assertThat(text.toString().lines().toList().get(0)).contains("error=\"IOException: no address to connect to\"");
        assertThat(text.toString().lines().toList().get(1))
                .contains("error=\"IOException: 1 attempt failed: feed.example: IOException: no address to connect to")
                .endsWith("127.0.0.1:1: ConnectException: refused\"");
    }
}
