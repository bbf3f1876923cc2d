package io.resilientconnector.internal.ending;

import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.unix.Errors;
import io.netty.handler.proxy.ProxyConnectException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.resilientconnector.DisconnectCause;
import io.resilientconnector.Disconnection;
import io.resilientconnector.ProxyHandshakeException;
import io.resilientconnector.util.Durations;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * Maps an exception to a {@link DisconnectCause} by its type and, for the native transports, its errno.
 * Exception messages are never read: they are localized on some platforms and differ between transports.
 *
 * <p>NIO reports no errno. The JDK raises {@link SocketException} for ECONNRESET and EPIPE on a read, and a
 * plain {@link IOException} for every other read error. On an established TCP socket that other error is
 * the kernel giving up on the peer (ETIMEDOUT, or an ICMP error it held until the same timeout), so a plain
 * {@code IOException} classifies as {@link DisconnectCause#TIMED_OUT} with no errno.
 *
 * <p>A refused connect carries no errno on any transport: Netty's native {@code finishConnect} raises a plain
 * {@link ConnectException}, as the JDK does. Both raise it for ECONNREFUSED, and for a kernel ETIMEDOUT during
 * connect, which the connect timeout pre-empts unless it is set longer than the kernel's SYN retries
 * (about two minutes).
 *
 * <p>A connection the server's kernel completed and then reset before the event loop finished the connect (the
 * listener closed with it still queued, and the loop ran late) reaches each transport differently. Epoll's
 * {@code finishConnect} raises the same plain {@code ConnectException} for ECONNRESET as for ECONNREFUSED, with
 * the errno only in its message (Netty 4.2 has a {@code NativeConnectException} that carries it, but neither
 * raises nor exports it), so on epoll it stays {@link DisconnectCause#CONNECT_REFUSED}. io_uring completes the
 * connect in the kernel as the handshake completes, so the reset arrives on an established connection, with
 * its errno. The JDK raises a plain {@link SocketException}, not a {@code ConnectException}: it keeps
 * {@code ConnectException} for ECONNREFUSED and ETIMEDOUT and gives every errno it does not map that one type,
 * ENETUNREACH from an ICMP error as well as ECONNRESET, so on NIO it is {@link DisconnectCause#OTHER}, never
 * refused. An errno of the reset family during connect, where a native transport does report one, is
 * {@link DisconnectCause#RESET} with a detail that says so.
 *
 * <p>A failed proxy handshake arrives as a {@link ProxyConnectException}, which is a {@link ConnectException}
 * too. The connector's proxy watch raises a subtype that carries the reason it read from the proxy's reply;
 * one that wraps an I/O error is classified by that error, and any other is {@link DisconnectCause#PROXY_REFUSED}.
 *
 * <p>A TLS handshake that runs out of time is {@link DisconnectCause#TLS_HANDSHAKE} like any other failed
 * handshake; Netty's {@code SslHandler} fails it with its own {@link SslHandshakeTimeoutException}, and the
 * detail says it timed out.
 */
public final class CauseClassifier {

    /** The detail of a connection reset before the connect finished. */
    static final String RESET_DURING_CONNECT = "reset by the peer while connecting";
    /** The detail of a TLS handshake that ran out of time; the timeout follows it where known. */
    static final String HANDSHAKE_TIMED_OUT = "the TLS handshake timed out";

    private CauseClassifier() {
    }

    /** Classifies a failure to connect. */
    public static Disconnection classifyConnectFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            Disconnection proxy = proxyFailure(t, failure);
            if (proxy != null) {
                return proxy;
            }
            if (t instanceof ConnectTimeoutException) {
                return Disconnections.of(DisconnectCause.CONNECT_TIMEOUT, null, failure);
            }
            if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
                return Disconnections.of(DisconnectCause.UNRESOLVED, null, failure);
            }
            if (t instanceof Errors.NativeIoException) {
                Errno errno = Errno.of(((Errors.NativeIoException) t).expectedErr());
                DisconnectCause cause = connectCause(errno);
                if (cause == DisconnectCause.RESET) {
                    return Disconnections.builder(cause, errno.name(), failure).detail(RESET_DURING_CONNECT).build();
                }
                if (cause != null) {
                    return Disconnections.of(cause, errno.name(), failure);
                }
            }
            if (t instanceof NoRouteToHostException) {
                return Disconnections.of(DisconnectCause.UNREACHABLE, null, failure);
            }
            if (t instanceof SSLException) {
                return Disconnections.of(DisconnectCause.TLS_HANDSHAKE, null, failure);
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            // The JDK raises a bare ConnectException for ECONNREFUSED (and for a kernel-level ETIMEDOUT, which
            // the connect timeout pre-empts unless it is set longer than the kernel's SYN retries).
            if (t instanceof ConnectException && !(t instanceof ProxyConnectException)) {
                return Disconnections.of(DisconnectCause.CONNECT_REFUSED, null, failure);
            }
        }
        return Disconnections.of(DisconnectCause.OTHER, null, failure);
    }

    /**
     * Classifies an exception raised on an established connection, or returns {@code null} if it does not
     * end the connection by itself (it is not an I/O error).
     */
    public static Disconnection classifyEstablished(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            Disconnection proxy = proxyFailure(t, failure);
            if (proxy != null) {
                return proxy;
            }
            if (t instanceof Errors.NativeIoException) {
                Errno errno = Errno.of(((Errors.NativeIoException) t).expectedErr());
                DisconnectCause cause = establishedCause(errno);
                return Disconnections.of(cause, errno == null ? null : errno.name(), failure);
            }
            if (t instanceof SSLHandshakeException) {
                return classifyHandshakeFailure(failure, null);
            }
            if (t instanceof SSLException) {
                // The handshake's own failures arrive as SslHandshakeCompletionEvent (and as
                // SSLHandshakeException above); any other SSLException is the TLS layer failing mid-stream.
                return Disconnections.of(DisconnectCause.TLS_ERROR, null, failure);
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ProxyConnectException) {
                // An I/O error during the proxy handshake, wrapped: the error below says what happened.
                continue;
            }
            if (t instanceof NoRouteToHostException) {
                return Disconnections.of(DisconnectCause.UNREACHABLE, null, failure);
            }
            if (t instanceof SocketException) {
                return Disconnections.of(DisconnectCause.RESET, null, failure);
            }
            if (t.getClass() == IOException.class) {
                return Disconnections.of(DisconnectCause.TIMED_OUT, null, failure);
            }
            if (t instanceof IOException) {
                return Disconnections.of(DisconnectCause.OTHER, null, failure);
            }
        }
        return null;
    }

    /**
     * Classifies a failed TLS handshake.
     *
     * @param timeout the handshake's timeout, for the detail of one that timed out; {@code null} if unknown
     */
    public static Disconnection classifyHandshakeFailure(Throwable failure, Duration timeout) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SslHandshakeTimeoutException) {
                return Disconnections.builder(DisconnectCause.TLS_HANDSHAKE, null, failure)
                        .detail(timeout == null ? HANDSHAKE_TIMED_OUT
                                : HANDSHAKE_TIMED_OUT + ": not done within " + Durations.format(timeout))
                        .build();
            }
        }
        return Disconnections.of(DisconnectCause.TLS_HANDSHAKE, null, failure);
    }

    /** The cause of a failed proxy handshake if {@code t} reports one, else {@code null}. */
    private static Disconnection proxyFailure(Throwable t, Throwable failure) {
        if (t instanceof ProxyHandshakeException) {
            switch (((ProxyHandshakeException) t).reason()) {
                case AUTH_FAILED:
                    return Disconnections.of(DisconnectCause.PROXY_AUTH_FAILED, null, failure);
                case TIMEOUT:
                    return Disconnections.of(DisconnectCause.PROXY_CONNECT_TIMEOUT, null, failure);
                default:
                    return Disconnections.of(DisconnectCause.PROXY_REFUSED, null, failure);
            }
        }
        if (t instanceof ProxyConnectException && !(t.getCause() instanceof IOException)) {
            // Netty rejected a reply it could not use (an unexpected method, a second response): no I/O error.
            return Disconnections.of(DisconnectCause.PROXY_REFUSED, null, failure);
        }
        return null;
    }

    private static DisconnectCause connectCause(Errno errno) {
        if (errno == null) {
            return null;
        }
        switch (errno) {
            case ECONNREFUSED:
                return DisconnectCause.CONNECT_REFUSED;
            case ETIMEDOUT:
                return DisconnectCause.CONNECT_TIMEOUT;
            case EHOSTUNREACH:
            case ENETUNREACH:
            case ENETDOWN:
            case EHOSTDOWN:
                return DisconnectCause.UNREACHABLE;
            case ECONNRESET:
            case EPIPE:
            case ECONNABORTED:
                return DisconnectCause.RESET;
            default:
                return null;
        }
    }

    private static DisconnectCause establishedCause(Errno errno) {
        if (errno == null) {
            return DisconnectCause.OTHER;
        }
        switch (errno) {
            case ECONNRESET:
            case EPIPE:
            case ECONNABORTED:
                return DisconnectCause.RESET;
            case ETIMEDOUT:
                return DisconnectCause.TIMED_OUT;
            case EHOSTUNREACH:
            case ENETUNREACH:
            case ENETDOWN:
            case EHOSTDOWN:
                return DisconnectCause.UNREACHABLE;
            default:
                return DisconnectCause.OTHER;
        }
    }
}
