package io.resilientconnector.internal.observe;

import io.netty.channel.Channel;
import io.resilientconnector.Disconnection;

/**
 * What a connector's session decided, told to the binders that count it: unlike the public
 * {@code disconnected} event, which carries the current connection's loss and the end of a connection a failback
 * retired alike, each end is told as what it was.
 *
 * <p>Each method is called once per event, on the connector's event loop, before the public listeners hear of
 * it. What an observer throws is logged and ignored.
 */
public interface SessionObserver {

    /** The connector's attempt (one pass across its endpoints) starts; it ends in {@link #connected} or {@link #connectFailed}. */
    default void attemptStarting() {
    }

    /**
     * {@code channel} is established, through any proxy and TLS, and is the connector's connection from now on:
     * the attempt's, or a failback's, which started no attempt.
     */
    default void connected(Channel channel) {
    }

    /** The attempt failed: its pass failed, or its connection ended during its setup. */
    default void connectFailed(Disconnection why) {
    }

    /**
     * An established connection ended.
     *
     * @param wasCurrent     false for one a failback retired, whose end comes after its successor's {@link #connected}
     * @param connectedNanos how long it was established
     */
    default void ended(Disconnection why, boolean wasCurrent, long connectedNanos) {
    }
}
