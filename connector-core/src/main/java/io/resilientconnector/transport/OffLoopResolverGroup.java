package io.resilientconnector.transport;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetSocketAddressResolver;
import io.netty.resolver.SimpleNameResolver;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A resolver group for {@link io.netty.bootstrap.Bootstrap#resolver} that runs a {@link HostResolver} off the
 * event loop. Netty's default resolver calls {@code InetAddress.getAllByName} on the event loop, where a slow
 * DNS server stalls every connection on that loop. IP literals are parsed in place, without a thread hop.
 *
 * <p>Lookups run on a small shared pool of daemon threads that exit after a second without work.
 */
public final class OffLoopResolverGroup extends AddressResolverGroup<InetSocketAddress> {

    private static final Executor LOOKUPS = lookupPool();

    private final HostResolver hostResolver;

    public OffLoopResolverGroup(HostResolver hostResolver) {
        this.hostResolver = Objects.requireNonNull(hostResolver, "hostResolver");
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
        return new InetSocketAddressResolver(executor, new SimpleNameResolver<InetAddress>(executor) {
            @Override
            protected void doResolve(String host, Promise<InetAddress> promise) {
                lookUp(host, promise, addresses -> addresses[0]);
            }

            @Override
            protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
                lookUp(host, promise, Arrays::asList);
            }
        });
    }

    private <T> void lookUp(String host, Promise<T> promise, java.util.function.Function<InetAddress[], T> result) {
        byte[] literal = NetUtil.createByteArrayFromIpAddressString(host);
        if (literal != null) {
            try {
                promise.trySuccess(result.apply(new InetAddress[] {InetAddress.getByAddress(host, literal)}));
            } catch (UnknownHostException e) {
                promise.tryFailure(e);
            }
            return;
        }
        LOOKUPS.execute(() -> {
            try {
                InetAddress[] addresses = hostResolver.resolve(host);
                if (addresses == null || addresses.length == 0) {
                    throw new UnknownHostException(host + ": the resolver returned no address");
                }
                promise.trySuccess(result.apply(addresses));
            } catch (UnknownHostException | RuntimeException e) {
                promise.tryFailure(e);
            }
        });
    }

    private static Executor lookupPool() {
        AtomicInteger ids = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                runnable -> {
                    Thread t = new Thread(runnable, "resilient-connector-resolver-" + ids.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
