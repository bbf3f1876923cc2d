package io.resilientconnector.internal.connect;

import io.netty.channel.Channel;

import java.util.Objects;

/** The outcome of a race or a pass that connected: the channel and the route it took. */
public record Connected(Route route, Channel channel) {

    public Connected {
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(channel, "channel");
    }
}
