package io.resilientconnector.internal.ending;

import io.netty.channel.Channel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.resilientconnector.TcpStats;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * What the kernel holds for the peer on a connection, and whether it is stuck: bytes accepted from this side
 * that the peer has not acknowledged, and whether the kernel is retransmitting or probing a zero window
 * without an acknowledgement since.
 *
 * <p>On epoll and io_uring it comes from TCP_INFO. On NIO, which cannot read socket options the JDK does not
 * know, it comes from {@code /proc/net/tcp} and {@code /proc/net/tcp6} on Linux: the same kernel fields
 * ({@code tx_queue} is {@code write_seq - snd_una}; {@code retrnsmt} counts retransmission timeouts since
 * the last acknowledgement that advanced {@code snd_una}). Reading them costs time proportional to the
 * sockets in this network namespace, so it is read only while writes are outstanding. Elsewhere (macOS,
 * Windows) it is not available.
 */
public final class KernelSendQueue {

    private static final Path PROC_TCP = Path.of("/proc/net/tcp");
    private static final Path PROC_TCP6 = Path.of("/proc/net/tcp6");
    private static final boolean PROC_READABLE = System.getProperty("os.name", "").toLowerCase(Locale.ROOT)
            .contains("linux") && Files.isReadable(PROC_TCP);

    private final long bytes;
    private final long notSentBytes;
    private final long segments;
    private final int retransmits;
    private final int probes;
    /** The whole TCP_INFO this was read from, or {@code null} if it came from {@code /proc}. */
    private final TcpInfo info;

    KernelSendQueue(long bytes, long notSentBytes, long segments, int retransmits, int probes) {
        this(bytes, notSentBytes, segments, retransmits, probes, null);
    }

    private KernelSendQueue(long bytes, long notSentBytes, long segments, int retransmits, int probes, TcpInfo info) {
        this.bytes = bytes;
        this.notSentBytes = notSentBytes;
        this.segments = segments;
        this.retransmits = retransmits;
        this.probes = probes;
        this.info = info;
    }

    /** Whether this channel's kernel send queue can be read here. */
    public static boolean supported(Channel channel) {
        return TcpInfo.supported(channel) || (channel instanceof NioSocketChannel && PROC_READABLE);
    }

    /**
     * Reads the queue of {@code channel}, or returns {@code null} if it cannot be read: an unsupported
     * transport or OS, or a socket closed or no longer listed. Call it on the channel's event loop.
     */
    public static KernelSendQueue read(Channel channel) {
        if (TcpInfo.supported(channel)) {
            TcpInfo info = TcpInfo.read(channel);
            if (info == null) {
                return null;
            }
            return of(info);
        }
        if (!(channel instanceof NioSocketChannel) || !PROC_READABLE || !channel.isActive()) {
            return null;
        }
        SocketAddress local = channel.localAddress();
        SocketAddress remote = channel.remoteAddress();
        if (!(local instanceof InetSocketAddress) || !(remote instanceof InetSocketAddress)) {
            return null;
        }
        try {
            KernelSendQueue q = find(PROC_TCP, (InetSocketAddress) local, (InetSocketAddress) remote);
            return q != null ? q : find(PROC_TCP6, (InetSocketAddress) local, (InetSocketAddress) remote);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * How far into the stream the peer has acknowledged, from TCP_INFO; {@code -1} from {@code /proc}, which does
     * not say, or where TCP_INFO has no byte counters.
     */
    public long acknowledgedBytes() {
        return info == null ? -1 : info.acknowledgedBytes();
    }

    /**
     * Bytes accepted from this side that the peer has not acknowledged, sent or not; {@code -1} if this
     * kernel's TCP_INFO has no byte counters (before Linux 4.19).
     */
    public long bytes() {
        return bytes;
    }

    /** Of {@link #bytes()}, those never sent at all; {@code -1} where unknown ({@code /proc} does not say). */
    public long notSentBytes() {
        return notSentBytes;
    }

    /** Segments sent and in flight; {@code -1} where unknown ({@code /proc} does not say). */
    public long segments() {
        return segments;
    }

    /**
     * Whether the kernel holds bytes and has been retransmitting them, or probing a zero window, with no
     * acknowledgement since: the peer has stopped taking data.
     */
    public boolean stuck() {
        return bytes > 0 && (retransmits > 0 || probes > 0);
    }

    /**
     * What else the kernel said about the connection, for the end's report: everything TCP_INFO has, or, from
     * {@code /proc}, the retransmission timeouts and the probes.
     *
     * @param age how long before the end this was read
     */
    /** What {@code info} says of the send queue. */
    static KernelSendQueue of(TcpInfo info) {
        long bytes = info.unacknowledgedBytes();
        return new KernelSendQueue(bytes, bytes < 0 ? -1 : Math.min(bytes, info.notSentBytes()),
                info.unackedSegments(), info.retransmits(), info.probes(), info);
    }

    /**
     * Whether the kernel itself ended the connection while retransmitting: TCP_INFO's state is CLOSE (a peer's
     * FIN would leave CLOSE_WAIT) with retransmissions or keepalive probes outstanding, which is how a user
     * timeout or keepalive expiry leaves it. False where TCP_INFO is not read.
     */
    public boolean timedOutByKernel() {
        return info != null && info.closedByKernel() && (info.retransmits() > 0 || info.probes() > 0);
    }

    public TcpStats stats(Duration age) {
        TcpStatsBuilder b = new TcpStatsBuilder().age(age)
                .retransmits(retransmits).probes(probes);
        if (info != null) {
            b.rtt(Duration.ofNanos(info.rttMicros() * 1000)).rttVariance(Duration.ofNanos(info.rttVarianceMicros() * 1000))
                    .totalRetransmissions(info.totalRetransmissions()).lost(info.lost())
                    .sinceLastReceived(Duration.ofMillis(info.lastDataReceivedMillis()))
                    .sinceLastSent(Duration.ofMillis(info.lastDataSentMillis()));
        }
        return b.build();
    }

    @Override
    public String toString() {
        return bytes + " bytes unacknowledged (retransmits " + retransmits + ", probes " + probes + ")";
    }

    static KernelSendQueue find(Path table, InetSocketAddress local, InetSocketAddress remote) throws IOException {
        if (!Files.isReadable(table)) {
            return null;
        }
        try (BufferedReader r = Files.newBufferedReader(table)) {
            return parse(r, local, remote);
        }
    }

    /**
     * Finds the connection from {@code local} to {@code remote} in a {@code /proc/net/tcp} or {@code tcp6}
     * table. Lines look like
     * {@code 0: 0100007F:9C40 0100007F:1B58 01 00000010:00000000 01:00000014 00000002 0 0 12345 ...}: addresses
     * in hex, each 32-bit word in host byte order; the state; tx_queue:rx_queue; timer; retrnsmt; uid;
     * the probe count; the inode.
     */
    static KernelSendQueue parse(BufferedReader table, InetSocketAddress local, InetSocketAddress remote)
            throws IOException {
        String localPort = String.format(Locale.ROOT, ":%04X", local.getPort());
        String remotePort = String.format(Locale.ROOT, ":%04X", remote.getPort());
        String line = table.readLine(); // the header
        while ((line = table.readLine()) != null) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 9 || !f[1].endsWith(localPort) || !f[2].endsWith(remotePort)) {
                continue;
            }
            if (!sameAddress(f[1], local.getAddress()) || !sameAddress(f[2], remote.getAddress())) {
                continue;
            }
            String queues = f[4];
            long tx = Long.parseLong(queues.substring(0, queues.indexOf(':')), 16);
            int retransmits = Integer.parseInt(f[6], 16);
            int probes = Integer.parseInt(f[8]);
            return new KernelSendQueue(tx, -1, -1, retransmits, probes);
        }
        return null;
    }

    private static boolean sameAddress(String field, InetAddress address) {
        if (address == null) {
            return false;
        }
        String hex = field.substring(0, field.indexOf(':'));
        byte[] actual = decode(hex);
        byte[] expected = address.getAddress();
        if (actual.length == 16 && address instanceof Inet4Address) {
            // A dual-stack socket shows an IPv4 peer as ::ffff:a.b.c.d.
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(expected, 0, mapped, 12, 4);
            expected = mapped;
        }
        return Arrays.equals(actual, expected);
    }

    private static byte[] decode(String hex) {
        ByteBuffer b = ByteBuffer.allocate(hex.length() / 2).order(ByteOrder.nativeOrder());
        for (int i = 0; i + 8 <= hex.length(); i += 8) {
            b.putInt(Integer.parseUnsignedInt(hex.substring(i, i + 8), 16));
        }
        return b.array();
    }
}
