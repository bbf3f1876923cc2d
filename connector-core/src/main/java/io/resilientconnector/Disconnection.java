package io.resilientconnector;

import io.resilientconnector.util.Durations;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * What ended a connection: the {@link DisconnectCause}, the errno when the transport reports one, the
 * exception, if there was one, and, for an established connection, what the kernel still held
 * {@linkplain #unacknowledged() unacknowledged} by the peer, what else it knew about the connection at the end
 * ({@link #tcpInfo()}: round-trip time, retransmissions, probes, the last data each way) and how long nothing
 * had been received ({@link #sinceLastRead()}).
 *
 * <p>It names the connection it is about: {@link #connectionId()} and {@link #remoteAddress()}, so a listener
 * that watches many connections can tell which one ended. The first cause learned for a connection is the one
 * reported; later ones are consequences.
 */
public final class Disconnection {

    private final DisconnectCause cause;
    private final String errno;
    private final Throwable exception;
    private final String detail;
    private final Unacknowledged unacknowledged;
    private final String connectionId;
    private final SocketAddress remoteAddress;
    private final ProbeAcknowledgement probeAcknowledged;
    private final TcpStats tcpInfo;
    private final Duration sinceLastRead;

    private Disconnection(DisconnectCause cause, String errno, Throwable exception, String detail,
                          Unacknowledged unacknowledged, String connectionId, SocketAddress remoteAddress,
                          ProbeAcknowledgement probeAcknowledged, TcpStats tcpInfo, Duration sinceLastRead) {
        this.probeAcknowledged = probeAcknowledged;
        this.cause = Objects.requireNonNull(cause, "cause");
        this.errno = errno;
        this.exception = exception;
        this.detail = detail;
        this.unacknowledged = unacknowledged;
        this.connectionId = connectionId;
        this.remoteAddress = remoteAddress;
        this.tcpInfo = tcpInfo;
        this.sinceLastRead = sinceLastRead;
    }

    public static Disconnection of(DisconnectCause cause) {
        return new Disconnection(cause, null, null, null, null, null, null, null, null, null);
    }

    public static Disconnection of(DisconnectCause cause, String errno, Throwable exception) {
        return new Disconnection(cause, errno, exception, null, null, null, null, null, null, null);
    }

    /** A copy with a human-readable detail, such as how long reads were idle. */
    public Disconnection withDetail(String detail) {
        return new Disconnection(cause, errno, exception, detail, unacknowledged, connectionId, remoteAddress,
                probeAcknowledged, tcpInfo, sinceLastRead);
    }

    /** A copy that reports what the kernel held unacknowledged when the connection ended. */
    public Disconnection withUnacknowledged(Unacknowledged unacknowledged) {
        return new Disconnection(cause, errno, exception, detail, Objects.requireNonNull(unacknowledged, "unacknowledged"),
                connectionId, remoteAddress, probeAcknowledged, tcpInfo, sinceLastRead);
    }

    /**
     * A copy that names the connection: its channel id (short form) and the address it was connected, or
     * trying to connect, to.
     */
    public Disconnection withConnection(String connectionId, SocketAddress remoteAddress) {
        return new Disconnection(cause, errno, exception, detail, unacknowledged,
                Objects.requireNonNull(connectionId, "connectionId"), remoteAddress, probeAcknowledged, tcpInfo, sinceLastRead);
    }

    /** A copy that says whether the next hop acknowledged an unanswered heartbeat probe. */
    public Disconnection withProbeAcknowledged(ProbeAcknowledgement probeAcknowledged) {
        return new Disconnection(cause, errno, exception, detail, unacknowledged, connectionId, remoteAddress,
                Objects.requireNonNull(probeAcknowledged, "probeAcknowledged"), tcpInfo, sinceLastRead);
    }

    /**
     * For {@link DisconnectCause#UNRESPONSIVE}: whether the next hop acknowledged the unanswered probe's bytes,
     * which tells a dead path ({@code NOT_ACKNOWLEDGED}) from a live path to a dead application or a dead
     * endpoint behind a proxy ({@code ACKNOWLEDGED}); {@code null} for other causes.
     */
    public ProbeAcknowledgement probeAcknowledged() {
        return probeAcknowledged;
    }

    /** Whether the next hop acknowledged an unanswered heartbeat probe. */
    public enum ProbeAcknowledgement {
        /** The next hop's kernel acknowledged the probe: the path is alive; the application behind it is not. */
        ACKNOWLEDGED,
        /** The probe's bytes were not acknowledged: the path itself is dead, or the next hop's kernel is. */
        NOT_ACKNOWLEDGED,
        /** The transport cannot tell (no TCP_INFO: kqueue, NIO off Linux), or the kernel had discarded its counters. */
        UNKNOWN
    }

    /** A copy that reports what the kernel's TCP_INFO said about the connection at its end. */
    public Disconnection withTcpInfo(TcpStats tcpInfo) {
        return new Disconnection(cause, errno, exception, detail, unacknowledged, connectionId, remoteAddress,
                probeAcknowledged, Objects.requireNonNull(tcpInfo, "tcpInfo"), sinceLastRead);
    }

    /**
     * A copy that says how long the connection had received nothing when it ended.
     *
     * @throws IllegalArgumentException if {@code sinceLastRead} is negative
     */
    public Disconnection withSinceLastRead(Duration sinceLastRead) {
        if (Objects.requireNonNull(sinceLastRead, "sinceLastRead").isNegative()) {
            throw new IllegalArgumentException("sinceLastRead: " + sinceLastRead + " (expected: >= 0)");
        }
        return new Disconnection(cause, errno, exception, detail, unacknowledged, connectionId, remoteAddress,
                probeAcknowledged, tcpInfo, sinceLastRead);
    }

    /** The short id of the channel this is about, as in log lines, or {@code null} if not named. */
    public String connectionId() {
        return connectionId;
    }

    /**
     * The remote address the connection had or the attempt was made to: resolved for an established
     * connection, possibly unresolved for a failed attempt; {@code null} if not known.
     */
    public SocketAddress remoteAddress() {
        return remoteAddress;
    }

    public DisconnectCause cause() {
        return cause;
    }

    /** The symbolic errno, such as {@code ETIMEDOUT}, or {@code null} when the transport does not report one (NIO). */
    public String errno() {
        return errno;
    }

    /** The exception that ended the connection, or {@code null} for an orderly close or a decision of ours. */
    public Throwable exception() {
        return exception;
    }

    /** Extra context for a person, or {@code null}. */
    public String detail() {
        return detail;
    }

    /**
     * What the kernel had accepted from this side that the peer had not acknowledged when an established
     * connection ended; {@code null} for a failed connect. These bytes are why
     * a completed send future does not mean the peer received the message.
     */
    public Unacknowledged unacknowledged() {
        return unacknowledged;
    }

    /**
     * What the kernel knew about an established connection when it ended: round-trip time, retransmissions,
     * losses, probes and the last data each way; {@code null} for a failed connect. Sampled at the same moment
     * as {@link #unacknowledged()}; {@linkplain TcpStats#known() unknown}, saying why, where there is no source.
     */
    public TcpStats tcpInfo() {
        return tcpInfo;
    }

    /**
     * How long the connection had received nothing when it ended: from the last bytes read (or, if none were,
     * from the moment it was established) to the end. For a dead peer this is the time it took to notice; for
     * an orderly close, the peer's FIN counts as nothing read. {@code null} for a failed connect, or where the
     * handler that ended the connection does not keep time.
     */
    public Duration sinceLastRead() {
        return sinceLastRead;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Disconnection)) {
            return false;
        }
        Disconnection that = (Disconnection) o;
        return cause == that.cause && Objects.equals(errno, that.errno)
                && Objects.equals(exception, that.exception) && Objects.equals(detail, that.detail)
                && Objects.equals(unacknowledged, that.unacknowledged)
                && Objects.equals(connectionId, that.connectionId) && Objects.equals(remoteAddress, that.remoteAddress)
                && probeAcknowledged == that.probeAcknowledged
                && Objects.equals(tcpInfo, that.tcpInfo) && Objects.equals(sinceLastRead, that.sinceLastRead);
    }

    @Override
    public int hashCode() {
        return Objects.hash(cause, errno, exception, detail, unacknowledged, connectionId, remoteAddress,
                probeAcknowledged, tcpInfo, sinceLastRead);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("cause=").append(cause);
        if (errno != null) {
            s.append(" errno=").append(errno);
        }
        if (detail != null) {
            s.append(" (").append(detail).append(')');
        }
        if (probeAcknowledged != null) {
            s.append(" probe=").append(probeAcknowledged);
        }
        if (unacknowledged != null) {
            s.append(" unacknowledged=").append(unacknowledged);
        }
        if (sinceLastRead != null) {
            s.append(" since_last_read=").append(approx(sinceLastRead));
        }
        if (tcpInfo != null) {
            s.append(" tcp_info=").append(tcpInfo);
        }
        if (exception != null) {
            s.append(": ").append(exception.getClass().getSimpleName());
            if (exception.getMessage() != null) {
                s.append(": ").append(exception.getMessage());
            }
        }
        return s.toString();
    }

    /**
     * Bytes the kernel had accepted from this side (so their send futures had completed) that the peer had
     * not acknowledged when the connection ended. A byte stream cannot tell which messages they belonged to,
     * so they cannot be resent; report them, or acknowledge at the application level.
     *
     * <p>After TIMED_OUT or RESET the kernel has dropped them. After a close from this side (STALLED,
     * READ_IDLE, LOCAL_CLOSE) it keeps trying to deliver them in the background for a while.
     *
     * <p>It comes from Linux's TCP_INFO on epoll and io_uring, and from {@code /proc/net/tcp} for NIO on Linux
     * (the byte count only), sampled while the socket was still open: at the error or the close where the
     * transport passes one through the pipeline, at the peer's FIN on epoll and NIO (io_uring closes the
     * socket before it tells the pipeline), otherwise at the write-progress watchdog's last check while
     * writes were waiting. {@link #age()} says how long before the end the sample was taken. {@code /proc}
     * no longer lists a connection the kernel has ended, so on NIO a timeout or a reset keeps the watchdog's
     * last sample, if any. Where there is no source (kqueue, NIO elsewhere) or no sample, it is
     * {@linkplain #known() unknown} and says why.
     */
    public static final class Unacknowledged {

        private final long bytes;
        private final long notSentBytes;
        private final long segments;
        private final Duration age;
        private final String unknownBecause;

        private Unacknowledged(long bytes, long notSentBytes, long segments, Duration age, String unknownBecause) {
            this.bytes = bytes;
            this.notSentBytes = notSentBytes;
            this.segments = segments;
            this.age = age;
            this.unknownBecause = unknownBecause;
        }

        /**
         * A sample.
         *
         * @param bytes        accepted by the kernel and not acknowledged: in flight plus never sent
         * @param notSentBytes of those, the bytes never sent at all, or {@code -1} if the source does not say
         * @param segments     segments in flight, or {@code -1} if the kernel had already discarded its queue or
         *                     the source does not say
         * @param age          how long before the connection ended the sample was taken
         */
        public static Unacknowledged sampled(long bytes, long notSentBytes, long segments, Duration age) {
            if (bytes < 0 || notSentBytes < -1 || notSentBytes > bytes || segments < -1) {
                throw new IllegalArgumentException("unacknowledged: bytes " + bytes + ", notSentBytes " + notSentBytes
                        + ", segments " + segments + " (expected: -1 <= notSentBytes <= bytes, segments >= -1)");
            }
            return new Unacknowledged(bytes, notSentBytes, segments, Objects.requireNonNull(age, "age"), null);
        }

        /** Not known, because {@code reason}, for example "nio has no TCP_INFO". */
        public static Unacknowledged unknown(String reason) {
            return new Unacknowledged(-1, -1, -1, null, Objects.requireNonNull(reason, "reason"));
        }

        public boolean known() {
            return unknownBecause == null;
        }

        /** The bytes the peer had not acknowledged, or {@code -1} if {@linkplain #known() unknown}. */
        public long bytes() {
            return bytes;
        }

        /** Of {@link #bytes()}, those never sent at all, or {@code -1} if unknown or not reported. */
        public long notSentBytes() {
            return notSentBytes;
        }

        /** Segments sent and in flight, or {@code -1} if unknown (the kernel discards them when it gives up). */
        public long segments() {
            return segments;
        }

        /** How long before the end the sample was taken, or {@code null} if unknown. */
        public Duration age() {
            return age;
        }

        /** Why it is unknown, or {@code null} if it is known. */
        public String unknownBecause() {
            return unknownBecause;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Unacknowledged)) {
                return false;
            }
            Unacknowledged that = (Unacknowledged) o;
            return bytes == that.bytes && notSentBytes == that.notSentBytes && segments == that.segments
                    && Objects.equals(age, that.age) && Objects.equals(unknownBecause, that.unknownBecause);
        }

        @Override
        public int hashCode() {
            return Objects.hash(bytes, notSentBytes, segments, age, unknownBecause);
        }

        /** For example {@code 5000 bytes (2 segments in flight, 2104 bytes never sent; sampled at the end)}. */
        @Override
        public String toString() {
            if (!known()) {
                return "unknown (" + unknownBecause + ")";
            }
            StringBuilder s = new StringBuilder().append(bytes).append(" bytes (");
            if (segments >= 0) {
                s.append(segments).append(segments == 1 ? " segment" : " segments").append(" in flight, ");
            }
            if (notSentBytes >= 0) {
                s.append(notSentBytes).append(" bytes never sent; ");
            }
            s.append("sampled ");
            long millis = age.toMillis();
            s.append(millis == 0 ? "at the end" : millis + "ms before the end");
            return s.append(')').toString();
        }
    }

    /**
     * A short reading for a person: {@code 45us} below a millisecond (loopback round trips), {@code 12.5ms}
     * below 100 ms, then {@code 850ms}, then seconds with at most one decimal, such as {@code 1.2s}.
     */
    static String approx(Duration d) {
        long micros = d.toNanos() / 1000;
        if (micros < 1000) {
            return micros + "us";
        }
        if (micros < 100_000) {
            long tenths = (micros + 50) / 100;
            return tenths / 10 + "." + tenths % 10 + "ms";
        }
        return Durations.approx(d);
    }

    /**
     * What the kernel's TCP_INFO said about a connection at its end, beyond the {@linkplain Unacknowledged
     * unacknowledged bytes}: the smoothed round-trip time and its variance, the retransmission timeouts since
     * the last acknowledgement and the retransmissions over the connection's life, the segments the kernel
     * counts as lost, the unanswered zero-window or keepalive probes, and how long before the sample data was
     * last received and sent.
     *
     * <p>It is read with the same sample as {@link Unacknowledged}, so {@link #age()} says how long before the
     * end it was taken. On epoll and io_uring every field comes from Linux's {@code struct tcp_info}. On NIO on
     * Linux it comes from {@code /proc/net/tcp}, which has the retransmission timeouts and the probes only; the
     * rest are unknown ({@code -1}, or {@code null} for a duration). The kernel keeps these counters after it
     * gives up on a connection (ETIMEDOUT, a reset), so a sample taken at that error still has them. Where
     * there is no source (kqueue, NIO elsewhere) or no sample
     * it is {@linkplain #known() unknown} and says why.
     */
    public static final class TcpStats {

        private final Duration rtt;
        private final Duration rttVariance;
        private final int retransmits;
        private final long totalRetransmissions;
        private final long lost;
        private final int probes;
        private final Duration sinceLastReceived;
        private final Duration sinceLastSent;
        private final Duration age;
        private final String unknownBecause;

        private TcpStats(Builder b, String unknownBecause) {
            this.rtt = b.rtt;
            this.rttVariance = b.rttVariance;
            this.retransmits = b.retransmits;
            this.totalRetransmissions = b.totalRetransmissions;
            this.lost = b.lost;
            this.probes = b.probes;
            this.sinceLastReceived = b.sinceLastReceived;
            this.sinceLastSent = b.sinceLastSent;
            this.age = b.age;
            this.unknownBecause = unknownBecause;
        }

        /** A builder for a sample; every field starts unknown. */
        public static Builder builder() {
            return new Builder();
        }

        /** Not known, because {@code reason}, for example "kqueue has no TCP_INFO". */
        public static TcpStats unknown(String reason) {
            return new TcpStats(new Builder(), Objects.requireNonNull(reason, "reason"));
        }

        public boolean known() {
            return unknownBecause == null;
        }

        /** Why it is unknown, or {@code null} if it is known. */
        public String unknownBecause() {
            return unknownBecause;
        }

        /** The smoothed round-trip time ({@code tcpi_rtt}), or {@code null} if unknown. */
        public Duration rtt() {
            return rtt;
        }

        /** The round-trip time's mean deviation ({@code tcpi_rttvar}), or {@code null} if unknown. */
        public Duration rttVariance() {
            return rttVariance;
        }

        /**
         * Retransmission timeouts since the last acknowledgement that advanced the send window
         * ({@code tcpi_retransmits}): above 0, the peer has stopped acknowledging. {@code -1} if unknown.
         */
        public int retransmits() {
            return retransmits;
        }

        /** Segments retransmitted over the connection's life ({@code tcpi_total_retrans}), or {@code -1}. */
        public long totalRetransmissions() {
            return totalRetransmissions;
        }

        /** Segments the kernel counted as lost at the sample ({@code tcpi_lost}), or {@code -1}. */
        public long lost() {
            return lost;
        }

        /** Zero-window or keepalive probes sent without an answer ({@code tcpi_probes}), or {@code -1}. */
        public int probes() {
            return probes;
        }

        /**
         * How long before the sample data was last received ({@code tcpi_last_data_recv}), or {@code null} if
         * unknown. The kernel counts in milliseconds.
         */
        public Duration sinceLastReceived() {
            return sinceLastReceived;
        }

        /** How long before the sample data was last sent ({@code tcpi_last_data_sent}), or {@code null}. */
        public Duration sinceLastSent() {
            return sinceLastSent;
        }

        /** How long before the end the sample was taken, or {@code null} if unknown. */
        public Duration age() {
            return age;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof TcpStats)) {
                return false;
            }
            TcpStats t = (TcpStats) o;
            return retransmits == t.retransmits && totalRetransmissions == t.totalRetransmissions && lost == t.lost
                    && probes == t.probes && Objects.equals(rtt, t.rtt) && Objects.equals(rttVariance, t.rttVariance)
                    && Objects.equals(sinceLastReceived, t.sinceLastReceived)
                    && Objects.equals(sinceLastSent, t.sinceLastSent) && Objects.equals(age, t.age)
                    && Objects.equals(unknownBecause, t.unknownBecause);
        }

        @Override
        public int hashCode() {
            return Objects.hash(rtt, rttVariance, retransmits, totalRetransmissions, lost, probes, sinceLastReceived,
                    sinceLastSent, age, unknownBecause);
        }

        /**
         * For example {@code (rtt 0.1ms, rttvar 0.1ms, retransmits 5, total retransmissions 7, lost 0, probes 0,
         * last received 5.2s ago, last sent 5.1s ago; sampled at the end)}; the fields the source does not report
         * are left out.
         */
        @Override
        public String toString() {
            if (!known()) {
                return "unknown (" + unknownBecause + ")";
            }
            StringBuilder s = new StringBuilder("(");
            if (rtt != null) {
                s.append("rtt ").append(approx(rtt)).append(", ");
            }
            if (rttVariance != null) {
                s.append("rttvar ").append(approx(rttVariance)).append(", ");
            }
            if (retransmits >= 0) {
                s.append("retransmits ").append(retransmits).append(", ");
            }
            if (totalRetransmissions >= 0) {
                s.append("total retransmissions ").append(totalRetransmissions).append(", ");
            }
            if (lost >= 0) {
                s.append("lost ").append(lost).append(", ");
            }
            if (probes >= 0) {
                s.append("probes ").append(probes).append(", ");
            }
            if (sinceLastReceived != null) {
                s.append("last received ").append(approx(sinceLastReceived)).append(" ago, ");
            }
            if (sinceLastSent != null) {
                s.append("last sent ").append(approx(sinceLastSent)).append(" ago, ");
            }
            if (s.length() > 1) {
                s.setLength(s.length() - 2);
                s.append("; ");
            }
            long millis = age.toMillis();
            s.append("sampled ").append(millis == 0 ? "at the end" : millis + "ms before the end");
            return s.append(')').toString();
        }

        /** Builds a {@link TcpStats} sample. Leave a field unset when the source does not report it. */
        public static final class Builder {
            private Duration rtt;
            private Duration rttVariance;
            private int retransmits = -1;
            private long totalRetransmissions = -1;
            private long lost = -1;
            private int probes = -1;
            private Duration sinceLastReceived;
            private Duration sinceLastSent;
            private Duration age;

            private Builder() {
            }

            public Builder rtt(Duration rtt) {
                this.rtt = nonNegative("rtt", rtt);
                return this;
            }

            public Builder rttVariance(Duration rttVariance) {
                this.rttVariance = nonNegative("rttVariance", rttVariance);
                return this;
            }

            public Builder retransmits(int retransmits) {
                this.retransmits = (int) nonNegative("retransmits", retransmits);
                return this;
            }

            public Builder totalRetransmissions(long totalRetransmissions) {
                this.totalRetransmissions = nonNegative("totalRetransmissions", totalRetransmissions);
                return this;
            }

            public Builder lost(long lost) {
                this.lost = nonNegative("lost", lost);
                return this;
            }

            public Builder probes(int probes) {
                this.probes = (int) nonNegative("probes", probes);
                return this;
            }

            public Builder sinceLastReceived(Duration sinceLastReceived) {
                this.sinceLastReceived = nonNegative("sinceLastReceived", sinceLastReceived);
                return this;
            }

            public Builder sinceLastSent(Duration sinceLastSent) {
                this.sinceLastSent = nonNegative("sinceLastSent", sinceLastSent);
                return this;
            }

            /** How long before the end the sample was taken. Required. */
            public Builder age(Duration age) {
                this.age = nonNegative("age", age);
                return this;
            }

            /** @throws IllegalStateException if no {@link #age} was set */
            public TcpStats build() {
                if (age == null) {
                    throw new IllegalStateException("age: not set (expected: how long before the end the sample was taken)");
                }
                return new TcpStats(this, null);
            }

            private static Duration nonNegative(String name, Duration value) {
                if (Objects.requireNonNull(value, name).isNegative()) {
                    throw new IllegalArgumentException(name + ": " + value + " (expected: >= 0)");
                }
                return value;
            }

            private static long nonNegative(String name, long value) {
                if (value < 0) {
                    throw new IllegalArgumentException(name + ": " + value + " (expected: >= 0)");
                }
                return value;
            }
        }
    }
}
