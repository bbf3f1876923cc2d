package io.resilientconnector;

/** Why a connection ended, or why an attempt to open one failed. */
public enum DisconnectCause {
    /** The peer closed the connection in an orderly way (FIN, end of stream). */
    PEER_CLOSED,
    /** The peer, or something on the path, reset the connection (ECONNRESET, EPIPE). */
    RESET,
    /**
     * The kernel gave up on the peer (ETIMEDOUT): keepalive probes went unanswered, or data stayed
     * unacknowledged past TCP_USER_TIMEOUT or the retransmission limit.
     */
    TIMED_OUT,
    /** Data waiting to be written made no progress for the write-stall timeout (zero window or dead path). */
    STALLED,
    /** Nothing was read for the configured number of consecutive read-idle periods. */
    READ_IDLE,
    /**
     * The heartbeat's probe was written and no reply came within its timeout: the peer application, or what
     * stands behind a proxy, does not answer. {@link Disconnection#probeAcknowledged()} says whether the next
     * hop acknowledged the probe, which tells a dead path from a live path to a dead application.
     */
    UNRESPONSIVE,
    /** The peer refused the connection (ECONNREFUSED). */
    CONNECT_REFUSED,
    /** The connect did not complete within the connect timeout. */
    CONNECT_TIMEOUT,
    /** No route to the host or network (EHOSTUNREACH, ENETUNREACH). */
    UNREACHABLE,
    /** The host name did not resolve, or not within the connect timeout, or the resolver was too busy to try. */
    UNRESOLVED,
    /** The TLS handshake failed, for example because the certificate was not trusted. */
    TLS_HANDSHAKE,
    /**
     * The TLS layer failed on a connection whose handshake had succeeded, for example on a record that does
     * not decrypt or is not TLS at all.
     */
    TLS_ERROR,
    /**
     * The proxy did not open the tunnel to the endpoint: it refused, or could not reach, the endpoint (a SOCKS5
     * reply other than SUCCEEDED, an HTTP status other than 200), or it closed the connection during the
     * handshake. Failing to reach the proxy itself is {@link #CONNECT_REFUSED}, {@link #CONNECT_TIMEOUT},
     * {@link #UNREACHABLE} or {@link #UNRESOLVED}, as for a direct connection.
     */
    PROXY_REFUSED,
    /**
     * The proxy rejected the credentials, or asked for authentication none was configured for: a SOCKS5
     * authentication failure or no acceptable method, or HTTP 407 (or 401, which some proxies send instead).
     */
    PROXY_AUTH_FAILED,
    /** The proxy accepted the TCP connection but its handshake did not finish within the connect timeout. */
    PROXY_CONNECT_TIMEOUT,
    /** This side closed the connection: the connector was closed, or a handler closed the channel. */
    LOCAL_CLOSE,
    /** Anything else; the exception says what. */
    OTHER;

    /**
     * Whether this cause ends an attempt to connect, rather than an established connection. A failed proxy
     * handshake is one: the connection to the endpoint never came up.
     */
    public boolean isConnectFailure() {
        return this == CONNECT_REFUSED || this == CONNECT_TIMEOUT || this == UNREACHABLE || this == UNRESOLVED
                || this == PROXY_REFUSED || this == PROXY_AUTH_FAILED || this == PROXY_CONNECT_TIMEOUT;
    }
}
