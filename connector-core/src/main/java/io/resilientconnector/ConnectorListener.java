package io.resilientconnector;

import io.netty.channel.Channel;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * Told about a connector's life, or, through {@link io.resilientconnector.handler.ReconnectHandler}, about
 * any reconnecting bootstrap's. Every event names its connection: a {@link Channel} (its id and remote
 * address), or a {@link Disconnection}, whose {@link Disconnection#connectionId()} and
 * {@link Disconnection#remoteAddress()} say which connection or attempt it was. Every method has an empty
 * default, so implement only what you need. Callbacks run on an event loop thread: they must not block. A
 * callback that throws is logged and ignored.
 *
 * <p>{@link #disconnected} is about established connections only. A connector's attempt is a pass across every
 * address of every endpoint; the addresses it tries are reported one by one, as {@link #attemptStarted} and
 * {@link #attemptFailed}, and a pass that fails is reported once, as {@link #connectFailed}. Either end is followed
 * by one {@link #reconnectScheduled}, or by {@link #gaveUp}. A failover from a dead primary to its backup, for
 * example:
 * <pre>
 * disconnected(PEER_CLOSED, the primary's connection)
 * reconnectScheduled(1, 1s, ...)
 * attemptStarted(primary, 10.0.0.1:7000)
 * attemptFailed(primary, 10.0.0.1:7000, CONNECT_REFUSED)
 * attemptStarted(backup, 10.0.0.2:7000)
 * connected(the backup's connection)
 * </pre>
 * and, were the backup down too, the pass's end instead of the last line:
 * <pre>
 * attemptFailed(backup, 10.0.0.2:7000, CONNECT_REFUSED)
 * connectFailed(CONNECT_REFUSED, [primary's CONNECT_REFUSED, backup's CONNECT_REFUSED])
 * reconnectScheduled(2, 2s, ...)
 * </pre>
 */
public interface ConnectorListener {

    /** A connection is up, and messages sent while disconnected have been handed to it. */
    default void connected(Channel channel) {
    }

    /**
     * An established connection ended: the connector's, or one a failback replaced. A failed attempt to open one
     * is {@link #connectFailed}, never this.
     */
    default void disconnected(Disconnection why) {
    }

    /**
     * An attempt to connect failed: no address of any endpoint gave a connection, or the one that did failed
     * during its setup (the proxy handshake or TLS), or the connector was closed during the attempt.
     *
     * <p>{@code attempts} lists every address's failure in the order they failed, names that did not resolve
     * first (with their unresolved address), as {@link #attemptFailed} told them; then, if the attempt ended
     * otherwise, what ended it: a failed setup, or {@code LOCAL_CLOSE}. {@code why} is its last element, the
     * failure that ended the attempt, the one {@link #reconnectScheduled} and {@link #gaveUp} name. The list is a
     * parameter rather than a field of {@link Disconnection}, because a {@code Disconnection} is one connection's
     * end, and the attempt was several connections'.
     *
     * @param attempts unmodifiable, never empty
     */
    default void connectFailed(Disconnection why, List<Disconnection> attempts) {
    }

    /**
     * Attempt number {@code attempt} will start after {@code delay}, because of {@code after}, a connection's end
     * or a failed attempt. Attempts are counted from the start, and again from the loss of a connection that
     * stayed up for the {@linkplain ReconnectPolicy#stablePeriod() stable period}: the first is 1, so a
     * reconnect after a failed first attempt is attempt 2.
     */
    default void reconnectScheduled(int attempt, Duration delay, Disconnection after) {
    }

    /**
     * The reconnect policy allows no more attempts, after {@code attempts} were made, counted as
     * {@link #reconnectScheduled} counts them; {@code last} is the end or the failed attempt that came last. The
     * connector is now {@link ConnectorState#GAVE_UP}.
     */
    default void gaveUp(int attempts, Disconnection last) {
    }

    /** Nothing was read for a read-idle period; {@code consecutive} counts periods since the last read. */
    default void readIdle(Channel channel, int consecutive) {
    }

    /**
     * A heartbeat probe was answered after {@code roundTrip}. A missed heartbeat ends the connection, reported
     * to {@link #disconnected} with the cause {@code UNRESPONSIVE}.
     */
    default void heartbeat(Channel channel, Duration roundTrip) {
    }

    /**
     * A message handed to {@link ResilientConnector#send} will not reach the socket; its future fails with
     * {@code rejected}, whose {@link SendRejectedException#reason()} says why. Runs on the thread that sent the
     * message ({@code BUFFER_FULL}), that closed the connector ({@code CLOSED}), or on the event loop
     * ({@code GAVE_UP}), once per message.
     */
    default void sendRejected(SendRejectedException rejected) {
    }

    /**
     * An attempt to connect to {@code address}, one of the addresses {@code endpoint}'s name resolved to, starts.
     * With fast fallback, several attempts of one pass may be under way at once. The attempt's connection is
     * named by {@code address} here, and by its id as well in {@link #attemptFailed} or {@link #connected}.
     */
    default void attemptStarted(Endpoint endpoint, InetSocketAddress address) {
    }

    /**
     * The attempt to {@code address} failed, and the pass goes on with the next address; {@code why} names the
     * attempt's connection. A name that does not resolve is reported here too, with its unresolved address and
     * {@link DisconnectCause#UNRESOLVED}. An attempt that loses the race to another
     * is closed without a word.
     */
    default void attemptFailed(Endpoint endpoint, InetSocketAddress address, Disconnection why) {
    }
}
