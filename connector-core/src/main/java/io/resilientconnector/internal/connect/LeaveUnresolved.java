package io.resilientconnector.internal.connect;

import io.netty.resolver.AbstractAddressResolver;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * A resolver group that leaves every address as it is given, for passes through a proxy: the proxy resolves the
 * endpoint's name, so each endpoint is one route, its unresolved address. Netty's {@code NoopAddressResolverGroup}
 * does the same for plain {@code SocketAddress}es, which a pass cannot take.
 */
public final class LeaveUnresolved extends AddressResolverGroup<InetSocketAddress> {

    public static final LeaveUnresolved INSTANCE = new LeaveUnresolved();

    private LeaveUnresolved() {
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
        return new AbstractAddressResolver<InetSocketAddress>(executor) {
            @Override
            protected boolean doIsResolved(InetSocketAddress address) {
                return true;
            }

            @Override
            protected void doResolve(InetSocketAddress unresolved, Promise<InetSocketAddress> promise) {
                promise.setSuccess(unresolved);
            }

            @Override
            protected void doResolveAll(InetSocketAddress unresolved, Promise<List<InetSocketAddress>> promise) {
                promise.setSuccess(List.of(unresolved));
            }
        };
    }
}
