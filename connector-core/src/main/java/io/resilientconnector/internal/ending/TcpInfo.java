package io.resilientconnector.internal.ending;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.RawUnixChannelOption;
import io.netty.channel.uring.IoUringSocketChannel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The part of Linux's {@code struct tcp_info} that says what the kernel holds for the peer (bytes it accepted
 * from this side that the peer has not acknowledged) and how the connection has fared: round-trip time,
 * retransmissions, losses, probes and the last data each way. Read with one getsockopt through Netty's
 * {@link RawUnixChannelOption}, on the epoll and io_uring transports only.
 *
 * <p>The byte counters survive the kernel giving up on the peer: on ETIMEDOUT or a reset it purges its
 * queue (so {@code tcpi_unacked}, a segment count, drops to 0) but keeps the sequence counters, so a sample
 * taken while the socket is still open, even after the error, still counts the bytes that were lost.
 * Offsets follow {@code include/uapi/linux/tcp.h}; the struct only ever grows, and a kernel that fills less
 * than asked leaves the rest zero.
 */
public final class TcpInfo {

    private static final int IPPROTO_TCP = 6;
    private static final int TCP_INFO = 11;
    /** Up to and including tcpi_bytes_retrans (Linux 4.19). */
    private static final int LENGTH = 216;
    private static final ChannelOption<ByteBuffer> OPTION =
            new RawUnixChannelOption("TCP_INFO", IPPROTO_TCP, TCP_INFO, LENGTH);

    private static final int OFFSET_STATE = 0;
    private static final int OFFSET_RETRANSMITS = 2;
    private static final int OFFSET_PROBES = 3;
    private static final int OFFSET_UNACKED = 24;
    private static final int OFFSET_LOST = 32;
    private static final int OFFSET_LAST_DATA_SENT = 44;
    private static final int OFFSET_LAST_DATA_RECV = 52;
    private static final int OFFSET_RTT = 68;
    private static final int OFFSET_RTTVAR = 72;
    private static final int OFFSET_TOTAL_RETRANS = 100;
    private static final int OFFSET_BYTES_ACKED = 120;
    private static final int OFFSET_NOTSENT_BYTES = 144;
    private static final int OFFSET_BYTES_SENT = 200;
    private static final int OFFSET_BYTES_RETRANS = 208;
    /** TCP_CLOSE in the kernel's state numbering: the kernel is done with the connection. */
    private static final int STATE_CLOSE = 7;

    private final int state;
    private final int retransmits;
    private final int probes;
    private final long unackedSegments;
    private final long lost;
    private final long lastDataSentMillis;
    private final long lastDataReceivedMillis;
    private final long rttMicros;
    private final long rttVarianceMicros;
    private final long totalRetransmissions;
    private final long bytesAcked;
    private final long notSentBytes;
    private final long bytesSent;
    private final long bytesRetransmitted;

    /** Parses a raw TCP_INFO in the platform's byte order, as the kernel fills it. */
    static TcpInfo parse(ByteBuffer raw) {
        return new TcpInfo(raw.order(ByteOrder.nativeOrder()));
    }

    private TcpInfo(ByteBuffer b) {
        this.state = b.get(OFFSET_STATE) & 0xff;
        this.retransmits = b.get(OFFSET_RETRANSMITS) & 0xff;
        this.probes = b.get(OFFSET_PROBES) & 0xff;
        this.unackedSegments = b.getInt(OFFSET_UNACKED) & 0xffffffffL;
        this.lost = b.getInt(OFFSET_LOST) & 0xffffffffL;
        this.lastDataSentMillis = b.getInt(OFFSET_LAST_DATA_SENT) & 0xffffffffL;
        this.lastDataReceivedMillis = b.getInt(OFFSET_LAST_DATA_RECV) & 0xffffffffL;
        this.rttMicros = b.getInt(OFFSET_RTT) & 0xffffffffL;
        this.rttVarianceMicros = b.getInt(OFFSET_RTTVAR) & 0xffffffffL;
        this.totalRetransmissions = b.getInt(OFFSET_TOTAL_RETRANS) & 0xffffffffL;
        this.bytesAcked = b.getLong(OFFSET_BYTES_ACKED);
        this.notSentBytes = b.getInt(OFFSET_NOTSENT_BYTES) & 0xffffffffL;
        this.bytesSent = b.getLong(OFFSET_BYTES_SENT);
        this.bytesRetransmitted = b.getLong(OFFSET_BYTES_RETRANS);
    }

    /** Whether {@code channel}'s transport can read TCP_INFO: Linux epoll and io_uring. */
    public static boolean supported(Channel channel) {
        return channel instanceof EpollSocketChannel || channel instanceof IoUringSocketChannel;
    }

    /**
     * Reads TCP_INFO from {@code channel}, or returns {@code null} if its transport cannot or its socket is
     * already closed. Call it on the channel's event loop.
     */
    public static TcpInfo read(Channel channel) {
        if (!supported(channel) || !channel.isOpen()) {
            return null;
        }
        try {
            ByteBuffer raw = channel.config().getOption(OPTION);
            return raw == null || raw.remaining() < LENGTH ? null : new TcpInfo(raw.order(ByteOrder.nativeOrder()));
        } catch (RuntimeException e) {
            // The socket closed under us, or this kernel refuses the option: no sample.
            return null;
        }
    }

    /**
     * Bytes the kernel accepted from this side that the peer has not acknowledged: those sent and not yet
     * acknowledged, plus those not sent yet. {@code -1} if this kernel does not report the byte counters
     * (before Linux 4.19).
     */
    public long unacknowledgedBytes() {
        long acked = acknowledgedBytes();
        if (acked < 0) {
            return -1;
        }
        // bytes_sent counts retransmissions again; they are not payload in flight.
        long sentOnce = bytesSent - bytesRetransmitted;
        return notSentBytes + Math.max(0, sentOnce - acked);
    }

    /**
     * Payload bytes the peer has acknowledged since the connection opened, or {@code -1} if this kernel does
     * not report the byte counters. With {@link #unacknowledgedBytes()} it places any byte written to the
     * socket in the stream: everything written so far ends at their sum.
     */
    public long acknowledgedBytes() {
        if (bytesSent == 0 && bytesAcked > 1) {
            return -1;
        }
        // bytes_acked also counts the SYN's sequence number once the handshake is acknowledged.
        return Math.max(0, bytesAcked - 1);
    }

    /** Retransmission timeouts since the last acknowledgement that advanced {@code snd_una} ({@code tcpi_retransmits}). */
    public int retransmits() {
        return retransmits;
    }

    /** Zero-window or keepalive probes sent without an answer ({@code tcpi_probes}). */
    public int probes() {
        return probes;
    }

    /** Bytes accepted but not yet sent even once. */
    public long notSentBytes() {
        return notSentBytes;
    }

    /**
     * Segments sent and not yet acknowledged ({@code tcpi_unacked}), or {@code -1} once the kernel has given
     * up on the connection and discarded its queue, after which the count no longer means anything.
     */
    public long unackedSegments() {
        return closedByKernel() ? -1 : unackedSegments;
    }

    /** Segments the kernel counts as lost ({@code tcpi_lost}); 0 once it has given up and purged its queue. */
    public long lost() {
        return lost;
    }

    /** Milliseconds since data was last sent ({@code tcpi_last_data_sent}). */
    public long lastDataSentMillis() {
        return lastDataSentMillis;
    }

    /** Milliseconds since data was last received ({@code tcpi_last_data_recv}). */
    public long lastDataReceivedMillis() {
        return lastDataReceivedMillis;
    }

    /** The smoothed round-trip time in microseconds ({@code tcpi_rtt}). */
    public long rttMicros() {
        return rttMicros;
    }

    /** The round-trip time's mean deviation in microseconds ({@code tcpi_rttvar}). */
    public long rttVarianceMicros() {
        return rttVarianceMicros;
    }

    /** Segments retransmitted over the connection's life ({@code tcpi_total_retrans}). */
    public long totalRetransmissions() {
        return totalRetransmissions;
    }

    /** Whether the kernel has already closed the connection (after ETIMEDOUT or a reset). */
    public boolean closedByKernel() {
        return state == STATE_CLOSE;
    }

    @Override
    public String toString() {
        return "TcpInfo{state=" + state + ", rtt=" + rttMicros + "us, rttvar=" + rttVarianceMicros
                + "us, retransmits=" + retransmits + ", totalRetrans=" + totalRetransmissions + ", lost=" + lost
                + ", probes=" + probes + ", lastDataRecv=" + lastDataReceivedMillis + "ms, lastDataSent="
                + lastDataSentMillis + "ms, unackedSegments=" + unackedSegments + ", bytesAcked=" + bytesAcked
                + ", notSentBytes=" + notSentBytes + ", bytesSent=" + bytesSent
                + ", bytesRetransmitted=" + bytesRetransmitted + '}';
    }
}
