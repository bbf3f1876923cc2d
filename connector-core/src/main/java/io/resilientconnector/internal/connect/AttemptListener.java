package io.resilientconnector.internal.connect;

import io.netty.channel.Channel;

import java.net.InetSocketAddress;

/**
 * Hears each attempt of a race or a pass, on the event loop. An attempt that loses to another, or that a
 * cancellation stops, is neither failed nor won: it is closed without a word.
 */
public interface AttemptListener {

    /** Does nothing. */
    AttemptListener NONE = new AttemptListener() {
    };

    /** {@code endpoint}'s name did not resolve, so the pass goes on without it. */
    default void unresolved(InetSocketAddress endpoint, Throwable cause) {
    }

    /** An attempt to connect along {@code route} starts. */
    default void started(Route route) {
    }

    /**
     * The attempt along {@code route}, on {@code channel}, failed; {@code channel} is {@code null} when the attempt
     * failed before it had one.
     */
    default void failed(Route route, Channel channel, Throwable cause) {
    }

    /** The attempt along {@code route} connected first; every other attempt is being closed. */
    default void won(Route route, Channel channel) {
    }
}
