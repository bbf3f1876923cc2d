package io.resilientconnector;

import io.resilientconnector.util.Durations;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * What ended a connection, or why an attempt to open one failed. It names the connection, so a listener that
 * watches many can tell which one ended. The first cause learned for a connection is the one reported; later
 * ones are consequences.
 *
 * @param cause             why it ended
 * @param errno             the symbolic errno, such as {@code ETIMEDOUT}, or {@code null} when the transport does
 *                          not report one (NIO)
 * @param exception         the exception that ended it, or {@code null} for an orderly close or a decision of ours
 * @param detail            extra context for a person, such as how long reads were idle, or {@code null}
 * @param connectionId      the channel's short id, as in log lines, or {@code null} if not named
 * @param remoteAddress     the address connected, or tried, to: resolved for an established connection, possibly
 *                          unresolved for a failed attempt; {@code null} if not known
 * @param unacknowledged    what the kernel had accepted from this side and the peer had not acknowledged when an
 *                          established connection ended, which is why a completed send future does not mean the
 *                          peer received the message; {@code null} for a failed connect
 * @param tcpInfo           what TCP_INFO knew at the end (round-trip time, retransmissions, probes, the last data
 *                          each way), sampled with {@code unacknowledged}; {@code null} for a failed connect
 * @param sinceLastRead     how long nothing had been received (since the last read, or since it was established)
 *                          when it ended: for a dead peer, the time it took to notice; a peer's FIN counts as
 *                          nothing read. {@code null} for a failed connect, or where the ending handler keeps no time
 * @param probeAcknowledged for {@link DisconnectCause#UNRESPONSIVE}, whether the next hop acknowledged the
 *                          unanswered probe, which tells a dead path from a live path to a dead application or a
 *                          dead endpoint behind a proxy; {@code null} for other causes
 */
public record Disconnection(DisconnectCause cause, String errno, Throwable exception, String detail,
                            String connectionId, SocketAddress remoteAddress, Unacknowledged unacknowledged,
                            TcpStats tcpInfo, Duration sinceLastRead, ProbeAcknowledgement probeAcknowledged) {

    /**
     * @throws NullPointerException     if {@code cause} is null
     * @throws IllegalArgumentException if {@code sinceLastRead} is negative
     */
    public Disconnection {
        Objects.requireNonNull(cause, "cause");
        if (sinceLastRead != null && sinceLastRead.isNegative()) {
            throw new IllegalArgumentException("sinceLastRead: " + sinceLastRead + " (expected: >= 0)");
        }
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
            s.append(" since_last_read=").append(Durations.fine(sinceLastRead));
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
}
