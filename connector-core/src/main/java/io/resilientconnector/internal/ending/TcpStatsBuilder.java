package io.resilientconnector.internal.ending;

import io.resilientconnector.TcpStats;

import java.time.Duration;
import java.util.Objects;

/**
 * Builds a known {@link TcpStats} sample from what a source reports. Leave a field unset when the source does
 * not report it; it stays unknown ({@code -1}, or {@code null} for a duration).
 */
public final class TcpStatsBuilder {
    private Duration rtt;
    private Duration rttVariance;
    private int retransmits = -1;
    private long totalRetransmissions = -1;
    private long lost = -1;
    private int probes = -1;
    private Duration sinceLastReceived;
    private Duration sinceLastSent;
    private Duration age;

    public TcpStatsBuilder rtt(Duration rtt) {
        this.rtt = nonNegative("rtt", rtt);
        return this;
    }

    public TcpStatsBuilder rttVariance(Duration rttVariance) {
        this.rttVariance = nonNegative("rttVariance", rttVariance);
        return this;
    }

    public TcpStatsBuilder retransmits(int retransmits) {
        this.retransmits = (int) nonNegative("retransmits", retransmits);
        return this;
    }

    public TcpStatsBuilder totalRetransmissions(long totalRetransmissions) {
        this.totalRetransmissions = nonNegative("totalRetransmissions", totalRetransmissions);
        return this;
    }

    public TcpStatsBuilder lost(long lost) {
        this.lost = nonNegative("lost", lost);
        return this;
    }

    public TcpStatsBuilder probes(int probes) {
        this.probes = (int) nonNegative("probes", probes);
        return this;
    }

    public TcpStatsBuilder sinceLastReceived(Duration sinceLastReceived) {
        this.sinceLastReceived = nonNegative("sinceLastReceived", sinceLastReceived);
        return this;
    }

    public TcpStatsBuilder sinceLastSent(Duration sinceLastSent) {
        this.sinceLastSent = nonNegative("sinceLastSent", sinceLastSent);
        return this;
    }

    /** How long before the end the sample was taken. Required. */
    public TcpStatsBuilder age(Duration age) {
        this.age = nonNegative("age", age);
        return this;
    }

    /** @throws IllegalStateException if no {@link #age} was set */
    public TcpStats build() {
        if (age == null) {
            throw new IllegalStateException("age: not set (expected: how long before the end the sample was taken)");
        }
        return new TcpStats(rtt, rttVariance, retransmits, totalRetransmissions, lost, probes, sinceLastReceived,
                sinceLastSent, age, null);
    }

    // Unset means unknown, so -1 is rejected here although the record accepts it.
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
