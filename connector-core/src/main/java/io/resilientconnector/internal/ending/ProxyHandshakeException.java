package io.resilientconnector.internal.ending;

import io.netty.handler.proxy.ProxyConnectException;

/**
 * A proxy handshake that failed for a reason read from the proxy's decoded reply, not from a message: Netty's
 * own {@link ProxyConnectException} says why only in its text. {@link ProxyHandlers} raises it, and the
 * classifier maps its {@link #reason()} to a cause.
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
