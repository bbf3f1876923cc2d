package io.resilientconnector;

import io.resilientconnector.util.Durations;

import java.time.Duration;
import java.util.Objects;

/**
 * What the kernel's TCP_INFO said about a connection at its end, beyond the {@linkplain Unacknowledged
 * unacknowledged bytes}.
 *
 * <p>It is read with the same sample as {@link Unacknowledged}, so {@link #age()} says how long before the
 * end it was taken. On epoll and io_uring every field comes from Linux's {@code struct tcp_info}. On NIO on
 * Linux it comes from {@code /proc/net/tcp}, which has the retransmission timeouts and the probes only; the
 * rest are unknown ({@code -1}, or {@code null} for a duration). The kernel keeps these counters after it
 * gives up on a connection (ETIMEDOUT, a reset), so a sample taken at that error still has them. Where
 * there is no source (kqueue, NIO elsewhere) or no sample it is {@linkplain #known() unknown} and says why.
 *
 * @param rtt                  the smoothed round-trip time ({@code tcpi_rtt}), or {@code null} if unknown
 * @param rttVariance          the round-trip time's mean deviation ({@code tcpi_rttvar}), or {@code null}
 * @param retransmits          retransmission timeouts since the last acknowledgement that advanced the send window
 *                             ({@code tcpi_retransmits}): above 0, the peer has stopped acknowledging; {@code -1}
 *                             if unknown
 * @param totalRetransmissions segments retransmitted over the connection's life ({@code tcpi_total_retrans}),
 *                             or {@code -1}
 * @param lost                 segments the kernel counted as lost at the sample ({@code tcpi_lost}), or {@code -1}
 * @param probes               zero-window or keepalive probes sent without an answer ({@code tcpi_probes}), or
 *                             {@code -1}
 * @param sinceLastReceived    how long before the sample data was last received ({@code tcpi_last_data_recv}),
 *                             or {@code null}; the kernel counts in milliseconds
 * @param sinceLastSent        how long before the sample data was last sent ({@code tcpi_last_data_sent}), or
 *                             {@code null}
 * @param age                  how long before the end the sample was taken, or {@code null} if unknown
 * @param unknownBecause       why it is unknown, or {@code null} if it is known
 */
public record TcpStats(Duration rtt, Duration rttVariance, int retransmits, long totalRetransmissions, long lost,
                       int probes, Duration sinceLastReceived, Duration sinceLastSent, Duration age,
                       String unknownBecause) {

    /**
     * @throws IllegalArgumentException if a count is below {@code -1} or a duration negative, a sample has no
     *                                  age, or an unknown one carries sample fields
     */
    public TcpStats {
        if (unknownBecause == null) {
            Objects.requireNonNull(age, "age");
        } else if (rtt != null || rttVariance != null || retransmits != -1 || totalRetransmissions != -1 || lost != -1
                || probes != -1 || sinceLastReceived != null || sinceLastSent != null || age != null) {
            throw new IllegalArgumentException("tcpInfo: unknown (" + unknownBecause
                    + ") with a sample (expected: counts -1, durations null)");
        }
        nonNegative("rtt", rtt);
        nonNegative("rttVariance", rttVariance);
        nonNegative("sinceLastReceived", sinceLastReceived);
        nonNegative("sinceLastSent", sinceLastSent);
        nonNegative("age", age);
        atLeastMinusOne("retransmits", retransmits);
        atLeastMinusOne("totalRetransmissions", totalRetransmissions);
        atLeastMinusOne("lost", lost);
        atLeastMinusOne("probes", probes);
    }

    private static void nonNegative(String name, Duration value) {
        if (value != null && value.isNegative()) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= 0, or null if unknown)");
        }
    }

    private static void atLeastMinusOne(String name, long value) {
        if (value < -1) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= 0, or -1 if unknown)");
        }
    }

    /** Not known, because {@code reason}, for example "kqueue has no TCP_INFO". */
    public static TcpStats unknown(String reason) {
        return new TcpStats(null, null, -1, -1, -1, -1, null, null, null, Objects.requireNonNull(reason, "reason"));
    }

    public boolean known() {
        return unknownBecause == null;
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
            s.append("rtt ").append(Durations.fine(rtt)).append(", ");
        }
        if (rttVariance != null) {
            s.append("rttvar ").append(Durations.fine(rttVariance)).append(", ");
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
            s.append("last received ").append(Durations.fine(sinceLastReceived)).append(" ago, ");
        }
        if (sinceLastSent != null) {
            s.append("last sent ").append(Durations.fine(sinceLastSent)).append(" ago, ");
        }
        if (s.length() > 1) {
            s.setLength(s.length() - 2);
            s.append("; ");
        }
        long millis = age.toMillis();
        s.append("sampled ").append(millis == 0 ? "at the end" : millis + "ms before the end");
        return s.append(')').toString();
    }
}
