package io.resilientconnector.internal.observe;

import io.resilientconnector.util.Checks;
import io.resilientconnector.Disconnection;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The connections a listener has heard come up and not yet end, so that it can tell what a {@code disconnected}
 * event is about: the current connection, one that a failback replaced, or an attempt that never connected. The
 * order of events alone cannot tell: a failback's new connection is told as {@code connected} before the end of
 * the connection it replaced.
 *
 * <p>Connections are known by their channel's short id, as {@link Disconnection#connectionId()} names them. It
 * holds the current connection and the replaced ones whose ends are still to come, at most {@value #MAX_OPEN}:
 * should an end never be told, the oldest is forgotten rather than kept for good. Thread-safe.
 */
public final class OpenConnections {

    /** What a {@code disconnected} event was about. */
    public enum Part {
        /** An attempt or a pass that failed: its connection never came up. */
        FAILED_ATTEMPT,
        /** The current connection: the connector is without one until the next is ready. */
        CURRENT,
        /** A connection that a failback replaced: its successor is already up. */
        REPLACED
    }

    /**
     * What ended, and when it had come up, in the {@code nanoTime} given to {@link #connected}; {@code -1} for a
     * failed attempt.
     */
    public record Ended(Part part, long connectedAt) {
    }

    static final int MAX_OPEN = 4;
    private static final Ended FAILED = new Ended(Part.FAILED_ATTEMPT, -1);

    private final Map<String, Long> connectedAt = new LinkedHashMap<>(8) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > MAX_OPEN;
        }
    };
    private String current;

    /** Connection {@code id} is up since {@code nanoTime}, and is the current one from now on. */
    public synchronized void connected(String id, long nanoTime) {
        connectedAt.put(Checks.notNull(id, "id"), nanoTime);
        current = id;
    }

    /**
     * Forgets the connection {@code why} is about, and says what it was. A connect failure is a failed attempt
     * whatever it names; so is the end of a connection never heard as connected, such as a pass's winner whose
     * TLS handshake failed.
     */
    public synchronized Ended ended(Disconnection why) {
        String id = why.connectionId();
        Long at = id == null ? null : connectedAt.remove(id);
        boolean wasCurrent = id != null && id.equals(current);
        if (wasCurrent) {
            current = null;
        }
        if (at == null || why.cause().isConnectFailure()) {
            return FAILED;
        }
        return new Ended(wasCurrent ? Part.CURRENT : Part.REPLACED, at);
    }
}
