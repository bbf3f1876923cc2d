package io.resilientconnector;

import io.resilientconnector.util.Durations;

import java.net.UnknownHostException;
import java.time.Duration;

/**
 * A name did not resolve within its deadline, the connect timeout. It is an {@link UnknownHostException}, so an
 * attempt it ends is {@link DisconnectCause#UNRESOLVED} like any name that did not resolve; this type tells a
 * lookup that hung (a slow or black-holed DNS server) from a name that does not exist. The lookup may still be
 * under way; its late answer is ignored.
 */
public final class ResolveTimeoutException extends UnknownHostException {

    private static final long serialVersionUID = 1L;

    private final String host;
    private final Duration timeout;

    public ResolveTimeoutException(String host, Duration timeout) {
        super(host + ": lookup timed out after " + Durations.format(timeout));
        this.host = host;
        this.timeout = timeout;
    }

    public String host() {
        return host;
    }

    public Duration timeout() {
        return timeout;
    }

    /** Raised by a timer, whose stack says nothing about the lookup; a fleet's retries need not pay for it. */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
