package io.resilientconnector;

import io.netty.handler.ssl.SslContext;
import io.resilientconnector.transport.KeepAliveOptions;
import io.resilientconnector.transport.TransportType;
import io.resilientconnector.util.Checks;
import io.resilientconnector.util.Durations;
import org.slf4j.event.Level;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything a {@link ResilientConnector} needs to know, as an immutable value. Only the endpoints are
 * required; every other option has a named default.
 *
 * <pre>{@code
 * ConnectorOptions options = ConnectorOptions.builder()
 *         .endpoint(Endpoint.of("gateway.example", 7000))
 *         .keepAlive(KeepAliveOptions.builder().idle(Duration.ofSeconds(30)).build())
 *         .build();
 * }</pre>
 */
public final class ConnectorOptions {

    /** Defaults to {@link TransportType#AUTO}. */
    public static final TransportType DEFAULT_TRANSPORT = TransportType.AUTO;
    /** Defaults to 10 seconds. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** The longest connect timeout accepted. */
    public static final Duration MAX_CONNECT_TIMEOUT = Duration.ofMinutes(10);
    /** Defaults to 5 seconds: a quiet peer shows as READ_IDLE quickly, without closing anything. */
    public static final Duration DEFAULT_READ_IDLE_PERIOD = Duration.ofSeconds(5);
    /** Defaults to 0: read-idle periods are only logged and reported, never a reason to close. */
    public static final int DEFAULT_READ_IDLE_CLOSE_AFTER = 0;
    /** Defaults to 1024 messages waiting while disconnected. */
    public static final int DEFAULT_MAX_PENDING_MESSAGES = 1024;
    /** Defaults to 4 MiB waiting while disconnected. */
    public static final long DEFAULT_MAX_PENDING_BYTES = 4L * 1024 * 1024;
    /** The largest pending-bytes limit accepted: 1 GiB. */
    public static final long MAX_PENDING_BYTES = 1L << 30;
    /** The most pending messages accepted. */
    public static final int MAX_PENDING_MESSAGES = 1_000_000;
    /** Defaults to DEBUG, so no payload reaches an INFO log. */
    public static final Level DEFAULT_RECEIVED_BYTES_LOG_LEVEL = Level.DEBUG;
    /** The longest read-idle period. */
    public static final Duration MAX_READ_IDLE_PERIOD = Duration.ofDays(1);
    /** The shortest write-stall timeout other than 0 (off): below it, a busy event loop alone would look stalled. */
    public static final Duration MIN_WRITE_STALL_TIMEOUT = Duration.ofMillis(100);
    /** The longest write-stall timeout. */
    public static final Duration MAX_WRITE_STALL_TIMEOUT = Duration.ofDays(1);
    /** Defaults to DEBUG. */
    public static final Level DEFAULT_READ_IDLE_LOG_LEVEL = Level.DEBUG;
    /** Defaults to {@link EndpointOrder#ORDERED}: the first endpoint is the primary. */
    public static final EndpointOrder DEFAULT_ENDPOINT_ORDER = EndpointOrder.ORDERED;
    /** Defaults to 250 ms, the Connection Attempt Delay RFC 8305 recommends. */
    public static final Duration DEFAULT_ATTEMPT_DELAY = Duration.ofMillis(250);
    /** The shortest non-zero attempt delay accepted: RFC 8305 says it MUST NOT be less than 10 ms. */
    public static final Duration MIN_ATTEMPT_DELAY = Duration.ofMillis(10);
    /** The longest attempt delay accepted: RFC 8305 says it SHOULD NOT be more than 2 seconds. */
    public static final Duration MAX_ATTEMPT_DELAY = Duration.ofSeconds(2);
    /** Defaults to 0: a connection to a backup endpoint stays there. */
    public static final Duration DEFAULT_FAILBACK_AFTER = Duration.ZERO;
    /** The shortest non-zero failback period accepted. */
    public static final Duration MIN_FAILBACK_AFTER = Duration.ofSeconds(1);
    /** The longest failback period accepted. */
    public static final Duration MAX_FAILBACK_AFTER = Duration.ofHours(24);
    /** The shortest TLS handshake timeout accepted. */
    public static final Duration MIN_TLS_HANDSHAKE_TIMEOUT = Duration.ofMillis(1);
    /** The longest TLS handshake timeout accepted. */
    public static final Duration MAX_TLS_HANDSHAKE_TIMEOUT = Duration.ofHours(1);

    private final List<Endpoint> endpoints;
    private final EndpointOrder endpointOrder;
    private final Duration attemptDelay;
    private final Duration failbackAfter;
    private final TransportType transport;
    private final Duration connectTimeout;
    private final KeepAliveOptions keepAlive;
    private final Duration readIdlePeriod;
    private final int readIdleCloseAfter;
    private final ReconnectPolicy reconnect;
    private final int maxPendingMessages;
    private final long maxPendingBytes;
    /** {@code null} means derived from the keepalive options; zero means disabled. */
    private final Duration writeStallTimeout;
    private final Level receivedBytesLogLevel;
    private final Level readIdleLogLevel;
    private final SslContext tls;
    private final boolean tlsHostnameVerification;
    /** {@code null} means the same as the connect timeout. */
    private final Duration tlsHandshakeTimeout;
    private final ProxyOptions proxy;
    private final HeartbeatOptions heartbeat;

    private ConnectorOptions(Builder b) {
        this.endpoints = b.endpoints;
        this.endpointOrder = b.endpointOrder;
        this.attemptDelay = b.attemptDelay;
        this.failbackAfter = b.failbackAfter;
        this.transport = b.transport;
        this.connectTimeout = b.connectTimeout;
        this.keepAlive = b.keepAlive;
        this.readIdlePeriod = b.readIdlePeriod;
        this.readIdleCloseAfter = b.readIdleCloseAfter;
        this.reconnect = b.reconnect;
        this.maxPendingMessages = b.maxPendingMessages;
        this.maxPendingBytes = b.maxPendingBytes;
        this.writeStallTimeout = b.writeStallTimeout;
        this.receivedBytesLogLevel = b.receivedBytesLogLevel;
        this.readIdleLogLevel = b.readIdleLogLevel;
        this.tls = b.tls;
        this.tlsHostnameVerification = b.tlsHostnameVerification;
        this.tlsHandshakeTimeout = b.tlsHandshakeTimeout;
        this.proxy = b.proxy;
        this.heartbeat = b.heartbeat;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.endpoints = endpoints;
        b.endpointOrder = endpointOrder;
        b.attemptDelay = attemptDelay;
        b.failbackAfter = failbackAfter;
        b.transport = transport;
        b.connectTimeout = connectTimeout;
        b.keepAlive = keepAlive;
        b.readIdlePeriod = readIdlePeriod;
        b.readIdleCloseAfter = readIdleCloseAfter;
        b.reconnect = reconnect;
        b.maxPendingMessages = maxPendingMessages;
        b.maxPendingBytes = maxPendingBytes;
        b.writeStallTimeout = writeStallTimeout;
        b.receivedBytesLogLevel = receivedBytesLogLevel;
        b.readIdleLogLevel = readIdleLogLevel;
        b.tls = tls;
        b.tlsHostnameVerification = tlsHostnameVerification;
        b.tlsHandshakeTimeout = tlsHandshakeTimeout;
        b.proxy = proxy;
        b.heartbeat = heartbeat;
        return b;
    }

    /** The first of {@link #endpoints()}: with the default order, the primary. */
    public Endpoint endpoint() {
        return endpoints.get(0);
    }

    /** Where to connect, at least one endpoint; an unmodifiable list. */
    public List<Endpoint> endpoints() {
        return endpoints;
    }

    public EndpointOrder endpointOrder() {
        return endpointOrder;
    }

    /**
     * How long an attempt to connect to one address may go unanswered before the next address is tried
     * alongside it (RFC 8305 "fast fallback"), or {@link Duration#ZERO} to try addresses strictly one at a time.
     */
    public Duration attemptDelay() {
        return attemptDelay;
    }

    /**
     * How long a higher endpoint must keep accepting connections before the connector moves back to it, or
     * {@link Duration#ZERO} when failback is off.
     */
    public Duration failbackAfter() {
        return failbackAfter;
    }

    public TransportType transport() {
        return transport;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public KeepAliveOptions keepAlive() {
        return keepAlive;
    }

    /** The read-idle period, or {@link Duration#ZERO} when read-idle detection is off. */
    public Duration readIdlePeriod() {
        return readIdlePeriod;
    }

    public int readIdleCloseAfter() {
        return readIdleCloseAfter;
    }

    public ReconnectPolicy reconnect() {
        return reconnect;
    }

    public int maxPendingMessages() {
        return maxPendingMessages;
    }

    public long maxPendingBytes() {
        return maxPendingBytes;
    }

    /** Whether the write-stall timeout is left to be derived from the keepalive options. */
    public boolean writeStallTimeoutDerived() {
        return writeStallTimeout == null;
    }

    /**
     * How long pending outbound bytes may go without draining before the connection is closed as
     * {@link DisconnectCause#STALLED}, or {@link Duration#ZERO} when the watchdog is
     * off. Unless set, it equals the keepalive user timeout (or, with that disabled,
     * {@code idle + interval × count}), so every transport gets the same bound for a busy link.
     */
    public Duration writeStallTimeout() {
        if (writeStallTimeout != null) {
            return writeStallTimeout;
        }
        Duration derived = keepAlive.userTimeout().isZero() ? keepAlive.idleDetectionBound(false) : keepAlive.userTimeout();
        if (derived.compareTo(MIN_WRITE_STALL_TIMEOUT) < 0) {
            return MIN_WRITE_STALL_TIMEOUT;
        }
        return derived.compareTo(MAX_WRITE_STALL_TIMEOUT) > 0
                ? MAX_WRITE_STALL_TIMEOUT : derived;
    }

    public Level receivedBytesLogLevel() {
        return receivedBytesLogLevel;
    }

    public Level readIdleLogLevel() {
        return readIdleLogLevel;
    }

    /** The client TLS context, or {@code null} for plain TCP. */
    public SslContext tls() {
        return tls;
    }

    /** Whether the server's certificate must match the endpoint's host name. Defaults to {@code true}. */
    public boolean tlsHostnameVerification() {
        return tlsHostnameVerification;
    }

    /**
     * How long the TLS handshake may take once the TCP connection (and a proxy's tunnel) is up; past it the
     * attempt ends as {@link DisconnectCause#TLS_HANDSHAKE}. Unless set, it equals {@link #connectTimeout()}.
     * Used only with {@link #tls()}.
     */
    public Duration tlsHandshakeTimeout() {
        return tlsHandshakeTimeout != null ? tlsHandshakeTimeout : connectTimeout;
    }

    /** Whether the TLS handshake timeout is left to follow the connect timeout. */
    public boolean tlsHandshakeTimeoutDerived() {
        return tlsHandshakeTimeout == null;
    }

    /**
     * The proxy the connection goes through, or {@code null} for a direct connection. With a proxy, keepalive,
     * the user timeout and the write-stall watchdog watch the TCP hop to the proxy only.
     */
    public ProxyOptions proxy() {
        return proxy;
    }

    /** The application-level heartbeat, or {@code null} if it is off (the default). */
    public HeartbeatOptions heartbeat() {
        return heartbeat;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ConnectorOptions)) {
            return false;
        }
        ConnectorOptions that = (ConnectorOptions) o;
        return readIdleCloseAfter == that.readIdleCloseAfter && maxPendingMessages == that.maxPendingMessages
                && maxPendingBytes == that.maxPendingBytes && endpoints.equals(that.endpoints)
                && endpointOrder == that.endpointOrder && attemptDelay.equals(that.attemptDelay)
                && failbackAfter.equals(that.failbackAfter) && transport == that.transport && connectTimeout.equals(that.connectTimeout)
                && keepAlive.equals(that.keepAlive) && readIdlePeriod.equals(that.readIdlePeriod)
                && reconnect.equals(that.reconnect) && Objects.equals(writeStallTimeout, that.writeStallTimeout)
                && receivedBytesLogLevel == that.receivedBytesLogLevel && readIdleLogLevel == that.readIdleLogLevel
                && tls == that.tls && tlsHostnameVerification == that.tlsHostnameVerification
                && Objects.equals(tlsHandshakeTimeout, that.tlsHandshakeTimeout)
                && Objects.equals(proxy, that.proxy) && Objects.equals(heartbeat, that.heartbeat);
    }

    @Override
    public int hashCode() {
        return Objects.hash(endpoints, endpointOrder, attemptDelay, failbackAfter, transport, connectTimeout, keepAlive, readIdlePeriod, readIdleCloseAfter, reconnect,
                maxPendingMessages, maxPendingBytes, writeStallTimeout, receivedBytesLogLevel, readIdleLogLevel,
                tls == null ? 0 : System.identityHashCode(tls), tlsHostnameVerification, tlsHandshakeTimeout, proxy, heartbeat);
    }

    @Override
    public String toString() {
        return "ConnectorOptions{endpoints=" + endpoints + ", endpointOrder=" + endpointOrder
                + ", attemptDelay=" + Durations.format(attemptDelay)
                + ", failbackAfter=" + (failbackAfter.isZero() ? "off" : Durations.format(failbackAfter))
                + ", transport=" + transport
                + ", connectTimeout=" + Durations.format(connectTimeout) + ", keepAlive=" + keepAlive
                + ", readIdlePeriod=" + (readIdlePeriod.isZero() ? "off" : Durations.format(readIdlePeriod))
                + ", readIdleCloseAfter=" + readIdleCloseAfter + ", reconnect=" + reconnect
                + ", maxPendingMessages=" + maxPendingMessages + ", maxPendingBytes=" + maxPendingBytes
                + ", writeStallTimeout=" + (writeStallTimeout == null ? "derived(" + Durations.format(writeStallTimeout()) + ")"
                        : writeStallTimeout.isZero() ? "off" : Durations.format(writeStallTimeout))
                + ", receivedBytesLogLevel=" + receivedBytesLogLevel + ", readIdleLogLevel=" + readIdleLogLevel
                + ", tls=" + (tls == null ? "off" : "on, hostnameVerification=" + tlsHostnameVerification
                        + ", handshakeTimeout=" + (tlsHandshakeTimeout == null
                                ? "derived(" + Durations.format(connectTimeout) + ")" : Durations.format(tlsHandshakeTimeout)))
                + ", proxy=" + (proxy == null ? "none" : proxy)
                + ", heartbeat=" + (heartbeat == null ? "off" : heartbeat) + '}';
    }

    public static final class Builder {
        private List<Endpoint> endpoints;
        private EndpointOrder endpointOrder = DEFAULT_ENDPOINT_ORDER;
        private Duration attemptDelay = DEFAULT_ATTEMPT_DELAY;
        private Duration failbackAfter = DEFAULT_FAILBACK_AFTER;
        private TransportType transport = DEFAULT_TRANSPORT;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private KeepAliveOptions keepAlive = KeepAliveOptions.defaults();
        private Duration readIdlePeriod = DEFAULT_READ_IDLE_PERIOD;
        private int readIdleCloseAfter = DEFAULT_READ_IDLE_CLOSE_AFTER;
        private ReconnectPolicy reconnect = ReconnectPolicy.defaults();
        private int maxPendingMessages = DEFAULT_MAX_PENDING_MESSAGES;
        private long maxPendingBytes = DEFAULT_MAX_PENDING_BYTES;
        private Duration writeStallTimeout;
        private Level receivedBytesLogLevel = DEFAULT_RECEIVED_BYTES_LOG_LEVEL;
        private Level readIdleLogLevel = DEFAULT_READ_IDLE_LOG_LEVEL;
        private SslContext tls;
        private boolean tlsHostnameVerification = true;
        private Duration tlsHandshakeTimeout;
        private ProxyOptions proxy;
        private HeartbeatOptions heartbeat;

        private Builder() {
        }

        /** Where to connect: one endpoint, the same as {@code endpoints(endpoint)}. This or {@code endpoints} is required. */
        public Builder endpoint(Endpoint endpoint) {
            Checks.notNull(endpoint, "endpoint");
            return endpoints(List.of(endpoint));
        }

        /** Shorthand for {@code endpoint(Endpoint.of(host, port))}. */
        public Builder endpoint(String host, int port) {
            return endpoint(Endpoint.of(host, port));
        }

        /** Shorthand for {@code endpoints(List.of(endpoints))}. */
        public Builder endpoints(Endpoint... endpoints) {
            Checks.notNull(endpoints, "endpoints");
            return endpoints(Arrays.asList(endpoints));
        }

        /**
         * Where to connect: at least one endpoint, none twice. A pass tries every address of every endpoint once,
         * in the order {@link #endpointOrder} sets. This or {@code endpoint} is required.
         */
        public Builder endpoints(List<Endpoint> endpoints) {
            Checks.notNull(endpoints, "endpoints");
            if (endpoints.isEmpty()) {
                throw Checks.invalid("endpoints", "[]", "at least one endpoint");
            }
            List<Endpoint> copy = new ArrayList<>(endpoints.size());
            Set<Endpoint> seen = new HashSet<>();
            for (int i = 0; i < endpoints.size(); i++) {
                Endpoint e = Checks.notNull(endpoints.get(i), "endpoints[" + i + "]");
                if (!seen.add(e)) {
                    throw Checks.invalid("endpoints", String.valueOf(endpoints), "distinct endpoints; " + e + " is given twice");
                }
                copy.add(e);
            }
            this.endpoints = List.copyOf(copy);
            return this;
        }

        /** Defaults to {@link #DEFAULT_ENDPOINT_ORDER}. */
        public Builder endpointOrder(EndpointOrder endpointOrder) {
            this.endpointOrder = Checks.notNull(endpointOrder, "endpointOrder");
            return this;
        }

        /**
         * How long an attempt to connect to one address may go unanswered before the next address is tried
         * alongside it; the first to connect wins. {@link Duration#ZERO} tries addresses strictly one at a time,
         * each until it fails or its connect timeout ends. Otherwise from 10 ms to 2 s, the bounds RFC 8305 sets.
         * Defaults to {@link #DEFAULT_ATTEMPT_DELAY}.
         */
        public Builder attemptDelay(Duration attemptDelay) {
            Checks.notNull(attemptDelay, "attemptDelay");
            if (!attemptDelay.isZero() && (attemptDelay.compareTo(MIN_ATTEMPT_DELAY) < 0
                    || attemptDelay.compareTo(MAX_ATTEMPT_DELAY) > 0)) {
                throw Checks.invalid("attemptDelay", Durations.format(attemptDelay), "0, or "
                        + Durations.format(MIN_ATTEMPT_DELAY) + ".." + Durations.format(MAX_ATTEMPT_DELAY));
            }
            this.attemptDelay = attemptDelay;
            return this;
        }

        /**
         * Moves back to a higher endpoint once it has accepted TCP connections for this long, and only once the
         * new connection is up: a healthy connection is never dropped before its successor is in hand. Only with
         * {@link EndpointOrder#ORDERED}. From 1 s to 24 h; {@link Duration#ZERO} turns failback off, which is
         * the default ({@link #DEFAULT_FAILBACK_AFTER}).
         */
        public Builder failbackAfter(Duration failbackAfter) {
            Checks.notNull(failbackAfter, "failbackAfter");
            if (!failbackAfter.isZero() && (failbackAfter.compareTo(MIN_FAILBACK_AFTER) < 0
                    || failbackAfter.compareTo(MAX_FAILBACK_AFTER) > 0)) {
                throw Checks.invalid("failbackAfter", Durations.format(failbackAfter), "0 to disable, or "
                        + Durations.format(MIN_FAILBACK_AFTER) + ".." + Durations.format(MAX_FAILBACK_AFTER));
            }
            this.failbackAfter = failbackAfter;
            return this;
        }

        /** Defaults to {@link #DEFAULT_TRANSPORT}. */
        public Builder transport(TransportType transport) {
            this.transport = Checks.notNull(transport, "transport");
            return this;
        }

        /**
         * From 1 ms to 10 minutes, in whole milliseconds. Defaults to {@link #DEFAULT_CONNECT_TIMEOUT}. It bounds
         * each pass's name lookups too, which a slow DNS server could otherwise hold for ever.
         */
        public Builder connectTimeout(Duration connectTimeout) {
            Checks.positive(connectTimeout, MAX_CONNECT_TIMEOUT, "connectTimeout");
            if (connectTimeout.getNano() % 1_000_000 != 0) {
                throw Checks.invalid("connectTimeout", Durations.format(connectTimeout), "whole milliseconds");
            }
            this.connectTimeout = connectTimeout;
            return this;
        }

        /** Defaults to {@link KeepAliveOptions#defaults()}: 60 s idle, 15 s interval, 4 probes. */
        public Builder keepAlive(KeepAliveOptions keepAlive) {
            this.keepAlive = Checks.notNull(keepAlive, "keepAlive");
            return this;
        }

        /**
         * How long without reads counts as one read-idle period; {@link Duration#ZERO} turns read-idle detection
         * off. At most a day. Defaults to {@link #DEFAULT_READ_IDLE_PERIOD}.
         *
         * <p>It is not a timeout: each period is reported ({@link ConnectorListener#readIdle}) and logged, and the
         * connection is closed only after {@link #readIdleCloseAfter} consecutive periods, which is off by default.
         */
        public Builder readIdlePeriod(Duration readIdlePeriod) {
            this.readIdlePeriod = Checks.zeroOrPositive(readIdlePeriod, MAX_READ_IDLE_PERIOD, "readIdlePeriod");
            return this;
        }

        /**
         * Closes the connection after this many consecutive read-idle periods; 0 never closes.
         * Defaults to {@link #DEFAULT_READ_IDLE_CLOSE_AFTER}.
         */
        public Builder readIdleCloseAfter(int periods) {
            this.readIdleCloseAfter = Checks.inRange(periods, 0, 1_000_000, "readIdleCloseAfter");
            return this;
        }

        /** Defaults to {@link ReconnectPolicy#defaults()}. */
        public Builder reconnect(ReconnectPolicy reconnect) {
            this.reconnect = Checks.notNull(reconnect, "reconnect");
            return this;
        }

        /**
         * The most messages that may wait for a connection or for the socket to drain; 0 fails every send
         * made while disconnected. Defaults to {@link #DEFAULT_MAX_PENDING_MESSAGES}.
         */
        public Builder maxPendingMessages(int maxPendingMessages) {
            this.maxPendingMessages = Checks.inRange(maxPendingMessages, 0, MAX_PENDING_MESSAGES, "maxPendingMessages");
            return this;
        }

        /** The most bytes that may wait, up to 1 GiB. Defaults to {@link #DEFAULT_MAX_PENDING_BYTES}. */
        public Builder maxPendingBytes(long maxPendingBytes) {
            this.maxPendingBytes = Checks.inRange(maxPendingBytes, 0, MAX_PENDING_BYTES, "maxPendingBytes");
            return this;
        }

        /**
         * How long pending outbound bytes may go without draining before the connection is closed;
         * {@link Duration#ZERO} turns the watchdog off. From 100 ms to a day. Defaults to the keepalive user
         * timeout.
         */
        public Builder writeStallTimeout(Duration writeStallTimeout) {
            Checks.zeroOrPositive(writeStallTimeout, MAX_WRITE_STALL_TIMEOUT, "writeStallTimeout");
            if (!writeStallTimeout.isZero() && writeStallTimeout.compareTo(MIN_WRITE_STALL_TIMEOUT) < 0) {
                throw Checks.invalid("writeStallTimeout", Durations.format(writeStallTimeout), "0 to disable, or 100ms..1d");
            }
            this.writeStallTimeout = writeStallTimeout;
            return this;
        }

        /** Derives the write-stall timeout from the keepalive options again (the default). */
        public Builder derivedWriteStallTimeout() {
            this.writeStallTimeout = null;
            return this;
        }

        /** The level of the received-bytes log line. Defaults to {@link #DEFAULT_RECEIVED_BYTES_LOG_LEVEL}. */
        public Builder receivedBytesLogLevel(Level level) {
            this.receivedBytesLogLevel = Checks.notNull(level, "receivedBytesLogLevel");
            return this;
        }

        /** The level of the read-idle log line. Defaults to {@link #DEFAULT_READ_IDLE_LOG_LEVEL}. */
        public Builder readIdleLogLevel(Level level) {
            this.readIdleLogLevel = Checks.notNull(level, "readIdleLogLevel");
            return this;
        }

        /**
         * Speaks TLS with this client context, built with {@code SslContextBuilder.forClient()}. The server's
         * certificate is checked against the endpoint's host name unless
         * {@link #tlsHostnameVerification(boolean)} turns that off. A connection counts as connected once the
         * handshake has succeeded, within {@link #tlsHandshakeTimeout(Duration)}. Defaults to plain TCP.
         */
        public Builder tls(SslContext tls) {
            Checks.notNull(tls, "tls");
            if (!tls.isClient()) {
                throw Checks.invalid("tls", "a server SslContext", "SslContextBuilder.forClient()...build()");
            }
            this.tls = tls;
            return this;
        }

        /** Goes back to plain TCP (the default). */
        public Builder noTls() {
            this.tls = null;
            return this;
        }

        /**
         * Whether to check the server's certificate against the endpoint's host name. Defaults to {@code true};
         * turn it off only for certificates you pin by other means.
         */
        public Builder tlsHostnameVerification(boolean verify) {
            this.tlsHostnameVerification = verify;
            return this;
        }

        /**
         * How long the TLS handshake may take, from the moment the TCP connection (through a proxy, its tunnel) is
         * up; a handshake that does not finish in time ends the attempt as {@link DisconnectCause#TLS_HANDSHAKE},
         * with a detail that says it timed out. From 1 ms to 1 h, in whole milliseconds. Defaults to the connect
         * timeout, and follows it when that changes; {@link #derivedTlsHandshakeTimeout()} goes back to that.
         * Used only with {@link #tls(SslContext)}; without TLS it has no effect.
         */
        public Builder tlsHandshakeTimeout(Duration tlsHandshakeTimeout) {
            Checks.notNull(tlsHandshakeTimeout, "tlsHandshakeTimeout");
            if (tlsHandshakeTimeout.compareTo(MIN_TLS_HANDSHAKE_TIMEOUT) < 0
                    || tlsHandshakeTimeout.compareTo(MAX_TLS_HANDSHAKE_TIMEOUT) > 0) {
                throw Checks.invalid("tlsHandshakeTimeout", Durations.format(tlsHandshakeTimeout),
                        Durations.format(MIN_TLS_HANDSHAKE_TIMEOUT) + ".." + Durations.format(MAX_TLS_HANDSHAKE_TIMEOUT));
            }
            // Netty's SslHandler counts the handshake timeout in milliseconds.
            if (tlsHandshakeTimeout.getNano() % 1_000_000 != 0) {
                throw Checks.invalid("tlsHandshakeTimeout", Durations.format(tlsHandshakeTimeout), "whole milliseconds");
            }
            this.tlsHandshakeTimeout = tlsHandshakeTimeout;
            return this;
        }

        /** Lets the TLS handshake timeout follow the connect timeout again (the default). */
        public Builder derivedTlsHandshakeTimeout() {
            this.tlsHandshakeTimeout = null;
            return this;
        }

        /**
         * Connects through this proxy: the TCP connection goes to the proxy, which opens a tunnel to the
         * endpoint and resolves the endpoint's name itself. A connection counts as connected once the tunnel is
         * open (and, with TLS, the handshake through it has succeeded). Keepalive, the user timeout and the
         * write-stall watchdog then watch the hop to the proxy only, not the endpoint behind it. Defaults to
         * none: a direct connection.
         */
        public Builder proxy(ProxyOptions proxy) {
            this.proxy = Checks.notNull(proxy, "proxy");
            return this;
        }

        /** Connects directly, without a proxy (the default). */
        public Builder noProxy() {
            this.proxy = null;
            return this;
        }

        /**
         * Probes the peer application after read silence and closes the connection as {@code UNRESPONSIVE}
         * when no reply comes: what sees past a proxy or a load balancer. Defaults to off.
         */
        public Builder heartbeat(HeartbeatOptions heartbeat) {
            this.heartbeat = Checks.notNull(heartbeat, "heartbeat");
            return this;
        }

        /** No heartbeat (the default). */
        public Builder noHeartbeat() {
            this.heartbeat = null;
            return this;
        }

        /**
         * @throws IllegalStateException if no endpoint was given, if read-idle closing is asked for with
         *                               read-idle detection off, or if failback is asked for with an endpoint
         *                               order other than {@link EndpointOrder#ORDERED}
         */
        public ConnectorOptions build() {
            Checks.state(endpoints != null, "endpoint: not set (expected: endpoint(host, port) or endpoints(...))");
            Checks.state(failbackAfter.isZero() || endpointOrder == EndpointOrder.ORDERED, "failbackAfter: "
                    + Durations.format(failbackAfter) + " needs endpointOrder ORDERED, but it is " + endpointOrder
                    + " (expected: endpointOrder ORDERED, or failbackAfter 0)");
            Checks.state(readIdleCloseAfter == 0 || !readIdlePeriod.isZero(), "readIdleCloseAfter: " + readIdleCloseAfter
                    + " needs read-idle detection, but readIdlePeriod is 0 (expected: readIdlePeriod > 0, or readIdleCloseAfter 0)");
            return new ConnectorOptions(this);
        }
    }
}
