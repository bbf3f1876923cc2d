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
}
