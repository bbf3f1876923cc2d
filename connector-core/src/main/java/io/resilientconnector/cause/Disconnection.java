package io.resilientconnector.cause;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * What ended a connection: the {@link DisconnectCause}, the errno when the transport reports one, the
 * exception, if there was one, and, for an established connection, what the kernel still held
 * {@linkplain #unacknowledged() unacknowledged} by the peer.
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

    private Disconnection(DisconnectCause cause, String errno, Throwable exception, String detail,
                          Unacknowledged unacknowledged, String connectionId, SocketAddress remoteAddress,
                          ProbeAcknowledgement probeAcknowledged) {
        this.probeAcknowledged = probeAcknowledged;
        this.cause = Objects.requireNonNull(cause, "cause");
        this.errno = errno;
        this.exception = exception;
        this.detail = detail;
        this.unacknowledged = unacknowledged;
        this.connectionId = connectionId;
        this.remoteAddress = remoteAddress;
    }

    public static Disconnection of(DisconnectCause cause) {
        return new Disconnection(cause, null, null, null, null, null, null, null);
    }

    public static Disconnection of(DisconnectCause cause, String errno, Throwable exception) {
        return new Disconnection(cause, errno, exception, null, null, null, null, null);
    }

    /** A copy with a human-readable detail, such as how long reads were idle. */
    public Disconnection withDetail(String detail) {
        return new Disconnection(cause, errno, exception, detail, unacknowledged, connectionId, remoteAddress,
                probeAcknowledged);
    }

    /** A copy that reports what the kernel held unacknowledged when the connection ended. */
    public Disconnection withUnacknowledged(Unacknowledged unacknowledged) {
        return new Disconnection(cause, errno, exception, detail, Objects.requireNonNull(unacknowledged, "unacknowledged"),
                connectionId, remoteAddress, probeAcknowledged);
    }

    /**
     * A copy that names the connection: its channel id (short form) and the address it was connected, or
     * trying to connect, to.
     */
    public Disconnection withConnection(String connectionId, SocketAddress remoteAddress) {
        return new Disconnection(cause, errno, exception, detail, unacknowledged,
                Objects.requireNonNull(connectionId, "connectionId"), remoteAddress, probeAcknowledged);
    }

    /** A copy that says whether the next hop acknowledged an unanswered heartbeat probe. */
    public Disconnection withProbeAcknowledged(ProbeAcknowledgement probeAcknowledged) {
        return new Disconnection(cause, errno, exception, detail, unacknowledged, connectionId, remoteAddress,
                Objects.requireNonNull(probeAcknowledged, "probeAcknowledged"));
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
                && probeAcknowledged == that.probeAcknowledged;
    }

    @Override
    public int hashCode() {
        return Objects.hash(cause, errno, exception, detail, unacknowledged, connectionId, remoteAddress,
                probeAcknowledged);
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
     * transport passes one through the pipeline, otherwise at the write-progress watchdog's last check while
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
}
