package io.resilientconnector.internal.connect;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import io.resilientconnector.ResolveTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One pass: every address of every endpoint, tried once. The names are resolved afresh, all at once and off
 * the event loop (through the resolver group, which hands lookups to its own threads). Each endpoint's
 * addresses are ordered as RFC 8305 asks, those that failed recently moved to its back. Then one race runs
 * over the routes of every endpoint, in endpoint order; an address that two endpoints share is tried once.
 *
 * <p>One race across the whole pass, rather than a race per endpoint: a primary endpoint whose addresses all
 * drop packets then costs one attempt delay per address before the backup is tried, not one connect timeout
 * per address. The order still says who is tried first, so a healthy primary wins; with an attempt delay of
 * zero the pass is strictly sequential, endpoint after endpoint.
 *
 * <p>The lookups share one deadline, the resolve timeout from the start of the pass: a name that has not resolved
 * by then fails with a {@link ResolveTimeoutException}, and the race starts with the names that did. The pass
 * cannot stop a lookup, which may hang in the system resolver; it stops waiting for it.
 *
 * <p>A name that does not resolve is reported and skipped. The result is the winner and its route, or a
 * {@link ConnectFailedException} listing every resolution failure and every attempt. {@link #cancel()}
 * closes everything the pass opened.
 */
public final class ConnectPass {

    private static final Logger logger = LoggerFactory.getLogger(ConnectPass.class);

    private final EventLoop loop;
    private final List<InetSocketAddress> endpoints;
    private final AddressResolverGroup<InetSocketAddress> resolvers;
    private final Duration resolveTimeout;
    private final RouteDatabase routeDatabase;
    private final Duration attemptDelay;
    private final RouteOpener opener;
    private final AttemptListener listener;
    private final Promise<Connected> result;
    private final Promise<Void> settled;

    // Confined to the event loop.
    private final List<Promise<List<InetSocketAddress>>> lookups = new ArrayList<>();
    private int lookupsLeft;
    private ScheduledFuture<?> resolveDeadline;
    private ConnectRace race;
    private boolean cancelled;

    private ConnectPass(EventLoop loop, List<InetSocketAddress> endpoints, AddressResolverGroup<InetSocketAddress> resolvers,
                        Duration resolveTimeout, RouteDatabase routeDatabase, Duration attemptDelay, RouteOpener opener,
                        AttemptListener listener) {
        this.loop = loop;
        this.endpoints = List.copyOf(endpoints);
        this.resolvers = resolvers;
        this.resolveTimeout = resolveTimeout;
        this.routeDatabase = routeDatabase;
        this.attemptDelay = attemptDelay;
        this.opener = opener;
        this.listener = listener;
        this.result = loop.newPromise();
        this.settled = loop.newPromise();
    }

    static ConnectPass start(EventLoop loop, List<InetSocketAddress> endpoints,
                             AddressResolverGroup<InetSocketAddress> resolvers, Duration resolveTimeout,
                             RouteDatabase routeDatabase, Duration attemptDelay, RouteOpener opener,
                             AttemptListener listener) {
        ConnectPass pass = new ConnectPass(loop, endpoints, resolvers, resolveTimeout, routeDatabase, attemptDelay,
                opener, listener);
        pass.result.addListener(f -> {
            if (f.isCancelled()) {
                pass.cancel();
            }
        });
        if (loop.inEventLoop()) {
            pass.resolve();
        } else {
            loop.execute(pass::resolve);
        }
        return pass;
    }

    /** The endpoints in the order this pass tries them: each an unresolved host and port. */
    public List<InetSocketAddress> endpoints() {
        return endpoints;
    }

    /**
     * The winner and its route, or why there is none. Completes on the event loop; with a winner, only after its
     * bare pipeline has seen channelActive, so that {@link WinnerPipeline#install} may run in a listener of this.
     */
    public Future<Connected> result() {
        return result;
    }

    /** Completes when the result has and every channel the pass opened, but the winner, is closed. */
    public Future<Void> settled() {
        return settled;
    }

    /**
     * Stops the pass: ignores the lookups still under way, cancels the race, closes every attempt in flight and
     * cancels the result, unless the pass was already won, in which case the winner is the caller's and stays
     * open.
     *
     * @return {@link #settled()}
     */
    public Future<Void> cancel() {
        result.cancel(false);
        if (loop.inEventLoop()) {
            abort();
        } else {
            loop.execute(this::abort);
        }
        return settled;
    }

    private void resolve() {
        if (cancelled) {
            return;
        }
        AddressResolver<InetSocketAddress> resolver;
        try {
            resolver = resolvers.getResolver(loop);
        } catch (RuntimeException e) {
            // The event loop is shutting down.
            result.tryFailure(e);
            settled.trySuccess(null);
            return;
        }
        lookupsLeft = endpoints.size();
        boolean waiting = false;
        for (InetSocketAddress endpoint : endpoints) {
            // The pass's own promise, which the deadline can fail: the resolver's is completed with setSuccess,
            // which a promise failed early would reject with a logged error.
            Promise<List<InetSocketAddress>> lookup = loop.newPromise();
            resolver.resolveAll(endpoint).addListener((Future<List<InetSocketAddress>> f) -> {
                if (f.isSuccess()) {
                    lookup.trySuccess(f.getNow());
                } else {
                    lookup.tryFailure(f.cause());
                }
            });
            lookups.add(lookup);
            waiting |= !lookup.isDone();
        }
        if (waiting) {
            resolveDeadline = loop.schedule(this::resolveTimedOut, resolveTimeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        // A literal resolves at once, so a listener may run, and even start the race, while this loop goes on.
        // The promises are the loop's, so their listeners run on it.
        for (Future<List<InetSocketAddress>> lookup : List.copyOf(lookups)) {
            lookup.addListener(f -> lookupDone());
        }
    }

    private void resolveTimedOut() {
        for (int i = 0; i < endpoints.size(); i++) {
            Promise<List<InetSocketAddress>> lookup = lookups.get(i);
            if (!lookup.isDone()) {
                lookup.tryFailure(new ResolveTimeoutException(endpoints.get(i).getHostString(), resolveTimeout));
            }
        }
    }

    private void lookupDone() {
        if (--lookupsLeft > 0 || cancelled) {
            return;
        }
        if (resolveDeadline != null) {
            resolveDeadline.cancel(false);
        }
        List<AttemptFailure> unresolved = new ArrayList<>();
        List<Route> routes = new ArrayList<>();
        Set<InetSocketAddress> seen = new HashSet<>();
        for (int i = 0; i < endpoints.size(); i++) {
            InetSocketAddress endpoint = endpoints.get(i);
            Future<List<InetSocketAddress>> lookup = lookups.get(i);
            if (!lookup.isSuccess()) {
                Throwable cause = lookup.cause();
                unresolved.add(new AttemptFailure(Route.unresolved(endpoint), cause));
                notify(() -> listener.unresolved(endpoint, cause));
                continue;
            }
            for (InetSocketAddress address : routeDatabase.postponeFailed(AddressOrder.interleave(lookup.getNow()))) {
                if (seen.add(address)) {
                    routes.add(new Route(endpoint, address));
                }
            }
        }
        if (routes.isEmpty()) {
            result.tryFailure(new ConnectFailedException(unresolved));
            settled.trySuccess(null);
            return;
        }
        race = ConnectRace.start(loop, routes, attemptDelay, opener, new Recorder());
        race.result().addListener(f -> {
            if (f.isSuccess()) {
                Connected won = (Connected) f.getNow();
                if (!result.trySuccess(won)) {
                    won.channel().close();
                }
            } else if (f.cause() instanceof ConnectFailedException) {
                List<AttemptFailure> all = new ArrayList<>(unresolved);
                all.addAll(((ConnectFailedException) f.cause()).failures());
                result.tryFailure(new ConnectFailedException(all));
            } else {
                result.tryFailure(f.cause());
            }
        });
        race.settled().addListener(f -> settled.trySuccess(null));
    }

    private void abort() {
        if (cancelled) {
            return;
        }
        cancelled = true;
        if (resolveDeadline != null) {
            resolveDeadline.cancel(false);
        }
        // Lookups in flight are left to finish and their answers ignored: Netty's InetSocketAddressResolver
        // completes its promise with setSuccess, which a cancelled promise would reject with a logged error.
        if (race != null) {
            race.cancel();
        } else {
            settled.trySuccess(null);
        }
    }

    /** Teaches the route database each attempt's outcome, then tells the pass's listener. */
    private final class Recorder implements AttemptListener {
        @Override
        public void started(Route route) {
            listener.started(route);
        }

        @Override
        public void failed(Route route, Channel channel, Throwable cause) {
            routeDatabase.failed(route.address());
            listener.failed(route, channel, cause);
        }

        @Override
        public void won(Route route, Channel channel) {
            routeDatabase.connected(route.address());
            listener.won(route, channel);
        }
    }

    private static void notify(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            logger.warn("an attempt listener threw; the pass goes on", e);
        }
    }
}
