package io.resilientconnector.internal.ending;

import io.resilientconnector.DisconnectCause;
import io.resilientconnector.Disconnection.ProbeAcknowledgement;
import io.resilientconnector.Disconnection;
import io.resilientconnector.TcpStats;
import io.resilientconnector.Unacknowledged;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * Builds {@link Disconnection}s inside the library, so the public value needs no factories or copy methods:
 * {@code Disconnections.builder(STALLED).detail(why).build()}, or {@code Disconnections.from(why)} to add
 * what a later stage learns, such as the connection's name or the kernel's sample.
 */
public final class Disconnections {

    private Disconnections() {
    }

    public static Disconnection of(DisconnectCause cause) {
        return builder(cause).build();
    }

    public static Disconnection of(DisconnectCause cause, String errno, Throwable exception) {
        return builder(cause, errno, exception).build();
    }

    public static Builder builder(DisconnectCause cause) {
        return new Builder(Objects.requireNonNull(cause, "cause"));
    }

    public static Builder builder(DisconnectCause cause, String errno, Throwable exception) {
        Builder b = builder(cause);
        b.errno = errno;
        b.exception = exception;
        return b;
    }

    /** A builder that starts from everything {@code why} says. */
    public static Builder from(Disconnection why) {
        Builder b = builder(why.cause(), why.errno(), why.exception());
        b.detail = why.detail();
        b.connectionId = why.connectionId();
        b.remoteAddress = why.remoteAddress();
        b.unacknowledged = why.unacknowledged();
        b.tcpInfo = why.tcpInfo();
        b.sinceLastRead = why.sinceLastRead();
        b.probeAcknowledged = why.probeAcknowledged();
        return b;
    }

    /**
     * A sample of the bytes the peer had not acknowledged.
     *
     * @param notSentBytes of {@code bytes}, those never sent, or {@code -1} if the source does not say
     * @param segments     segments in flight, or {@code -1} if the kernel had discarded its queue or the source
     *                     does not say
     * @param age          how long before the connection ended the sample was taken
     */
    public static Unacknowledged unacknowledged(long bytes, long notSentBytes, long segments, Duration age) {
        return new Unacknowledged(bytes, notSentBytes, segments, age, null);
    }

    /** Collects a {@link Disconnection}'s parts; used by one thread, then dropped. */
    public static final class Builder {
        private final DisconnectCause cause;
        private String errno;
        private Throwable exception;
        private String detail;
        private String connectionId;
        private SocketAddress remoteAddress;
        private Unacknowledged unacknowledged;
        private TcpStats tcpInfo;
        private Duration sinceLastRead;
        private ProbeAcknowledgement probeAcknowledged;

        private Builder(DisconnectCause cause) {
            this.cause = cause;
        }

        /** A human-readable detail, such as how long reads were idle. */
        public Builder detail(String detail) {
            this.detail = detail;
            return this;
        }

        /** Names the connection: its channel's short id and the address it was connected, or connecting, to. */
        public Builder connection(String connectionId, SocketAddress remoteAddress) {
            this.connectionId = Objects.requireNonNull(connectionId, "connectionId");
            this.remoteAddress = remoteAddress;
            return this;
        }

        /** The address tried, for an attempt that had no connection of its own, such as a name that did not resolve. */
        public Builder remoteAddress(SocketAddress remoteAddress) {
            this.remoteAddress = remoteAddress;
            return this;
        }

        public Builder unacknowledged(Unacknowledged unacknowledged) {
            this.unacknowledged = Objects.requireNonNull(unacknowledged, "unacknowledged");
            return this;
        }

        public Builder tcpInfo(TcpStats tcpInfo) {
            this.tcpInfo = Objects.requireNonNull(tcpInfo, "tcpInfo");
            return this;
        }

        public Builder sinceLastRead(Duration sinceLastRead) {
            this.sinceLastRead = Objects.requireNonNull(sinceLastRead, "sinceLastRead");
            return this;
        }

        /** Whether the next hop acknowledged an unanswered heartbeat probe. */
        public Builder probe(ProbeAcknowledgement probeAcknowledged) {
            this.probeAcknowledged = Objects.requireNonNull(probeAcknowledged, "probeAcknowledged");
            return this;
        }

        /** @throws IllegalArgumentException if {@code sinceLastRead} is negative */
        public Disconnection build() {
            return new Disconnection(cause, errno, exception, detail, connectionId, remoteAddress, unacknowledged,
                    tcpInfo, sinceLastRead, probeAcknowledged);
        }
    }
}
