package io.resilientconnector.cause;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

import java.util.Objects;

/**
 * What ended a connection: the {@link DisconnectCause}, the errno when the transport reports one, and the
 * exception, if there was one.
 *
 * <p>The first handler to learn why a channel is ending {@linkplain #record records} it on the channel;
 * later reports are ignored, because the first one is the cause and the rest are consequences.
 */
public final class Disconnection {

    private static final AttributeKey<Disconnection> KEY = AttributeKey.valueOf(Disconnection.class, "disconnection");

    private final DisconnectCause cause;
    private final String errno;
    private final Throwable exception;
    private final String detail;

    private Disconnection(DisconnectCause cause, String errno, Throwable exception, String detail) {
        this.cause = Objects.requireNonNull(cause, "cause");
        this.errno = errno;
        this.exception = exception;
        this.detail = detail;
    }

    public static Disconnection of(DisconnectCause cause) {
        return new Disconnection(cause, null, null, null);
    }

    public static Disconnection of(DisconnectCause cause, String errno, Throwable exception) {
        return new Disconnection(cause, errno, exception, null);
    }

    /** A copy with a human-readable detail, such as how long reads were idle. */
    public Disconnection withDetail(String detail) {
        return new Disconnection(cause, errno, exception, detail);
    }

    public DisconnectCause cause() {
        return cause;
    }

    /** The symbolic errno, such as {@code ETIMEDOUT}, or {@code null} when the transport does not report one (NIO). */
    public String errno() {
        return errno;
    }

    /** The exception that ended the connection, or {@code null} for an orderly close or a decision of ours. */
    public Throwable exception() {
        return exception;
    }

    /** Extra context for a person, or {@code null}. */
    public String detail() {
        return detail;
    }

    /**
     * Records {@code disconnection} on {@code channel} unless a cause is recorded already.
     *
     * @return whether this call recorded it
     */
    public static boolean record(Channel channel, Disconnection disconnection) {
        return channel.attr(KEY).setIfAbsent(disconnection) == null;
    }

    /** The recorded disconnection of {@code channel}, or {@code null}. */
    public static Disconnection recorded(Channel channel) {
        return channel.attr(KEY).get();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Disconnection)) {
            return false;
        }
        Disconnection that = (Disconnection) o;
        return cause == that.cause && Objects.equals(errno, that.errno)
                && Objects.equals(exception, that.exception) && Objects.equals(detail, that.detail);
    }

    @Override
    public int hashCode() {
        return Objects.hash(cause, errno, exception, detail);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("cause=").append(cause);
        if (errno != null) {
            s.append(" errno=").append(errno);
        }
        if (detail != null) {
            s.append(" (").append(detail).append(')');
        }
        if (exception != null) {
            s.append(": ").append(exception.getClass().getSimpleName());
            if (exception.getMessage() != null) {
                s.append(": ").append(exception.getMessage());
            }
        }
        return s.toString();
    }
}
