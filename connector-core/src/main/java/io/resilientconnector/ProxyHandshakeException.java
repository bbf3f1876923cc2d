package io.resilientconnector;

import io.netty.handler.proxy.ProxyConnectException;

/**
 * The proxy did not open the tunnel, for a reason read from its decoded reply, not from a message: Netty's own
 * {@link ProxyConnectException} says why only in its text. It is the {@link Disconnection#exception()} of an
 * attempt that ended as {@link DisconnectCause#PROXY_REFUSED}, {@link DisconnectCause#PROXY_AUTH_FAILED} or
 * {@link DisconnectCause#PROXY_CONNECT_TIMEOUT}, and {@link #replyCode()} gives the proxy's own answer.
 */
public final class ProxyHandshakeException extends ProxyConnectException {

    private static final long serialVersionUID = 1L;

    /** What went wrong, in the terms of the cause taxonomy. */
    public enum Reason {
        /** The proxy refused, or could not reach, the endpoint, or it closed the connection mid-handshake. */
        REFUSED,
        /** The proxy rejected the credentials or wanted an authentication method not offered. */
        AUTH_FAILED,
        /** The handshake did not finish in time. */
        TIMEOUT
    }

    private final Reason reason;
    private final int replyCode;

    public ProxyHandshakeException(Reason reason, int replyCode, String message) {
        super(message);
        this.reason = reason;
        this.replyCode = replyCode;
    }

    public Reason reason() {
        return reason;
    }

    /**
     * The proxy's reply code: the SOCKS5 reply or authentication status byte, or the HTTP status code; {@code -1}
     * when the proxy sent none (a timeout, a closed connection).
     */
    public int replyCode() {
        return replyCode;
    }
}
