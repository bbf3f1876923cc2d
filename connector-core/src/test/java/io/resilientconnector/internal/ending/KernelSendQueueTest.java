package io.resilientconnector.internal.ending;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Parsing {@code /proc/net/tcp} and {@code tcp6}. The lines are in the kernel's format; the addresses are
 * written for this machine's byte order, as the kernel writes them. Reading the live tables on a real socket
 * is covered by the fault-lab tests on NIO.
 */
class KernelSendQueueTest {

    private static final String HEADER =
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";

    /** 198.19.254.1 as /proc writes it: one 32-bit word in host byte order. */
    private static String v4(int a, int b, int c, int d) {
        int word = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN
                ? (d << 24) | (c << 16) | (b << 8) | a : (a << 24) | (b << 16) | (c << 8) | d;
        return String.format("%08X", word);
    }

    private static KernelSendQueue parse(String table, String local, int localPort, String remote, int remotePort)
            throws Exception {
        return KernelSendQueue.parse(new BufferedReader(new StringReader(HEADER + table)),
                new InetSocketAddress(InetAddress.getByName(local), localPort),
                new InetSocketAddress(InetAddress.getByName(remote), remotePort));
    }

    @Test
    void findsAnIpv4ConnectionAndReadsItsQueueAndRetransmits() throws Exception {
        String table = "   0: " + v4(198, 19, 254, 1) + ":B6D8 " + v4(198, 19, 254, 2) + ":1B58 01 000006C0:00000000 "
                + "01:0000012C 00000004     0        0 4242 2 0000000000000000 200 0 0 10 -1\n";

        KernelSendQueue q = parse(table, "198.19.254.1", 0xB6D8, "198.19.254.2", 7000);

        assertThat(q.bytes()).isEqualTo(0x6C0);
        assertThat(q.stuck()).isTrue();
        assertThat(q.toString()).isEqualTo("1728 bytes unacknowledged (retransmits 4, probes 0)");
    }

    @Test
    void findsAnIpv4PeerOfADualStackSocketInTcp6() throws Exception {
        String mappedPrefix = "0000000000000000" + (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? "FFFF0000" : "0000FFFF");
        String table = "   0: " + mappedPrefix + v4(127, 0, 0, 1) + ":9C40 " + mappedPrefix + v4(127, 0, 0, 1)
                + ":1B58 01 00000010:00000000 00:00000000 00000000     0        0 4243 1 0000000000000000 20 4 30 10 -1\n";

        KernelSendQueue q = parse(table, "127.0.0.1", 0x9C40, "127.0.0.1", 7000);

        assertThat(q.bytes()).isEqualTo(16);
        assertThat(q.stuck()).as("no retransmission yet").isFalse();
    }

    @Test
    void ignoresOtherConnectionsAndReturnsNullWhenNoneMatches() throws Exception {
        String table = "   0: " + v4(127, 0, 0, 1) + ":9C40 " + v4(127, 0, 0, 2) + ":1B58 01 00000010:00000000 "
                + "00:00000000 00000003     0        0 4244 1 0000000000000000 20 4 30 10 -1\n";

        assertThat(parse(table, "127.0.0.1", 0x9C40, "127.0.0.1", 7000)).as("other remote address").isNull();
        assertThat(parse(table, "127.0.0.1", 0x9C41, "127.0.0.2", 7000)).as("other local port").isNull();
        assertThat(parse(table, "127.0.0.1", 0x9C40, "127.0.0.2", 7000).stuck()).isTrue();
    }

    @Test
    void aZeroWindowProbedWithoutAnswerIsStuck() throws Exception {
        String table = "   0: " + v4(10, 0, 0, 1) + ":9C40 " + v4(10, 0, 0, 2) + ":1B58 01 00010000:00000000 "
                + "04:00000064 00000000     0        3 4245 1 0000000000000000 20 4 30 10 -1\n";

        KernelSendQueue q = parse(table, "10.0.0.1", 0x9C40, "10.0.0.2", 7000);

        assertThat(q.bytes()).isEqualTo(0x10000);
        assertThat(q.stuck()).isTrue();
    }

    /** A raw TCP_INFO as the kernel fills it: state, retransmits and probes at their offsets, the rest zero. */
    private static KernelSendQueue fromTcpInfo(int state, int retransmits, int probes) {
        java.nio.ByteBuffer raw = java.nio.ByteBuffer.allocate(216).order(ByteOrder.nativeOrder());
        raw.put(0, (byte) state).put(2, (byte) retransmits).put(3, (byte) probes);
        return KernelSendQueue.of(TcpInfo.parse(raw));
    }

    @Test
    void aConnectionTheKernelClosedWhileRetransmittingTimedOut() {
        assertThat(fromTcpInfo(7, 4, 0).timedOutByKernel()).as("CLOSE, retransmitting").isTrue();
        assertThat(fromTcpInfo(7, 0, 2).timedOutByKernel()).as("CLOSE, probing").isTrue();
    }

    @Test
    void aPeersCloseOrAQuietEndIsNoKernelTimeout() {
        assertThat(fromTcpInfo(8, 4, 0).timedOutByKernel()).as("CLOSE_WAIT: the peer's FIN").isFalse();
        assertThat(fromTcpInfo(7, 0, 0).timedOutByKernel()).as("CLOSE with nothing outstanding").isFalse();
        assertThat(fromTcpInfo(1, 3, 0).timedOutByKernel()).as("ESTABLISHED").isFalse();
    }
}
