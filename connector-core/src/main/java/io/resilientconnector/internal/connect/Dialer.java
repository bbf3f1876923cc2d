package io.resilientconnector.internal.connect;

import io.netty.channel.EventLoop;
import io.netty.resolver.AddressResolverGroup;
import io.resilientconnector.util.Checks;
import io.resilientconnector.util.Durations;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * What a connector keeps from one pass to the next: the order of its endpoints, the addresses that failed
 * recently, the resolvers and the way to open a channel. {@link #pass} starts one pass across every endpoint;
 * the reconnect loop calls it once per attempt and waits its backoff between passes, never within one.
 *
 * <p>Thread-safe: passes may start from any thread; each runs on the event loop it is given.
 */
public final class Dialer {

    private final EndpointSequence<InetSocketAddress> endpoints;
    private final AddressResolverGroup<InetSocketAddress> resolvers;
    private final Duration resolveTimeout;
    private final RouteDatabase routeDatabase;
    private final Duration attemptDelay;
    private final RouteOpener opener;

    /**
     * @param endpoints    the endpoints, each an unresolved host and port, in the order policy's sequence
     * @param resolvers    resolves each endpoint's name afresh every pass, off the event loop
     * @param resolveTimeout how long a pass waits for its names to resolve; a connector gives its connect
     *                     timeout, so that a hung lookup fails the attempt as a silent address would
     * @param attemptDelay how long an attempt goes unanswered before the next starts alongside it; zero tries
     *                     one address at a time
     * @param opener       opens a bare channel along a route, with the per-address connect timeout set
     */
    public Dialer(EndpointSequence<InetSocketAddress> endpoints, AddressResolverGroup<InetSocketAddress> resolvers,
                  Duration resolveTimeout, RouteDatabase routeDatabase, Duration attemptDelay, RouteOpener opener) {
        this.endpoints = Checks.notNull(endpoints, "endpoints");
        this.resolvers = Checks.notNull(resolvers, "resolvers");
        Checks.notNull(resolveTimeout, "resolveTimeout");
        if (resolveTimeout.isNegative() || resolveTimeout.isZero()) {
            throw new IllegalArgumentException("resolveTimeout: " + Durations.format(resolveTimeout) + " (expected: > 0)");
        }
        this.resolveTimeout = resolveTimeout;
        this.routeDatabase = Checks.notNull(routeDatabase, "routeDatabase");
        Checks.notNull(attemptDelay, "attemptDelay");
        if (attemptDelay.isNegative()) {
            throw new IllegalArgumentException("attemptDelay: " + Durations.format(attemptDelay) + " (expected: >= 0)");
        }
        this.attemptDelay = attemptDelay;
        this.opener = Checks.notNull(opener, "opener");
    }

    /** Starts a pass on {@code loop}, with the endpoints in this pass's order. */
    public ConnectPass pass(EventLoop loop, AttemptListener listener) {
        Checks.notNull(loop, "loop");
        Checks.notNull(listener, "listener");
        return ConnectPass.start(loop, endpoints.nextPass(), resolvers, resolveTimeout, routeDatabase, attemptDelay, opener, listener);
    }

    /** Starts a pass on {@code loop} to {@code endpoint} alone, one of the endpoints, with the same settings. */
    public ConnectPass pass(EventLoop loop, InetSocketAddress endpoint, AttemptListener listener) {
        Checks.notNull(loop, "loop");
        Checks.notNull(listener, "listener");
        return ConnectPass.start(loop, List.of(endpoint), resolvers, resolveTimeout, routeDatabase, attemptDelay, opener, listener);
    }

    public RouteDatabase routeDatabase() {
        return routeDatabase;
    }
}
