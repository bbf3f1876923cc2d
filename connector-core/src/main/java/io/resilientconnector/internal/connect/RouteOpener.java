package io.resilientconnector.internal.connect;

import io.netty.channel.ChannelFuture;

/**
 * Opens a bare channel and connects it along one route, for a race. Bare means without the application's
 * handlers: those go on the winner only. The channel must be registered on the race's event loop, and its
 * connect timeout ({@code CONNECT_TIMEOUT_MILLIS}) is the timeout of this one attempt. A proxy handler, when
 * there is a proxy, belongs on the bare channel.
 */
@FunctionalInterface
public interface RouteOpener {

    /**
     * @return a future that completes when the route can carry the application's traffic: TCP connected, or,
     *         with a proxy handler on the bare channel, the proxy's handshake done
     */
    ChannelFuture open(Route route);
}
