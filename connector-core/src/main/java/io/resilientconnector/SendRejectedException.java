package io.resilientconnector;

/** Why a message handed to {@link ResilientConnector#send} will not reach the socket. */
public final class SendRejectedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The reason, for code that reacts to it. */
    public enum Reason {
        /** The pending-send buffer is full: too many messages or bytes wait for a connection. */
        BUFFER_FULL,
        /** The connector was closed before the message was written. */
        CLOSED,
        /** The connector gave up reconnecting before the message was written. */
        GAVE_UP
    }

    private final Reason reason;

    public SendRejectedException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
