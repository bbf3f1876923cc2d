package io.resilientconnector.internal.connect;

import io.resilientconnector.util.ChannelLog;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One way to an endpoint: the endpoint as configured (an unresolved host and port) and one of the addresses its
 * name resolved to. When the name did not resolve, the address is the unresolved endpoint itself.
 */
public record Route(InetSocketAddress endpoint, InetSocketAddress address) {

    public Route {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(address, "address");
    }

    /** The route of an endpoint whose name did not resolve. */
    static Route unresolved(InetSocketAddress endpoint) {
        return new Route(endpoint, endpoint);
    }

    public boolean isResolved() {
        return !address.isUnresolved();
    }

    @Override
    public String toString() {
        String name = ChannelLog.address(endpoint);
        return isResolved() ? name + " (" + ChannelLog.address(address) + ")" : name;
    }
}
