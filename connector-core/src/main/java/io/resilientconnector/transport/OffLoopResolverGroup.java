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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A resolver group for {@link io.netty.bootstrap.Bootstrap#resolver} that runs a {@link HostResolver} off the
 * event loop. Netty's default resolver calls {@code InetAddress.getAllByName} on the event loop, where a slow
 * DNS server stalls every connection on that loop. IP literals are parsed in place, without a thread hop.
 *
 * <p>Each group has a pool of its own, so that names that hang in one group never hold up another: at most
 * {@value #LOOKUP_THREADS} daemon threads, which exit after a second without work, and at most
 * {@value #MAX_QUEUED_LOOKUPS} names waiting for one. A lookup of a name already being looked up joins it, so a
 * name that hangs holds one thread however many attempts ask for it. A name the full queue cannot take fails
 * at once ("resolver busy") rather than the queue growing without end.
 *
 * <p>The group sets no deadline: a thread stuck in the system resolver cannot be stopped, so the caller stops
 * waiting instead (a connector gives each lookup its connect timeout). {@link #close()} fails every lookup
 * still waiting or under way and stops the threads.
 */
public final class OffLoopResolverGroup extends AddressResolverGroup<InetSocketAddress> {

    /** Names a group looks up at once; more wait in its queue. */
    public static final int LOOKUP_THREADS = 4;
    /** Names that may wait for a lookup thread, per group; a lookup beyond them fails as busy. */
    public static final int MAX_QUEUED_LOOKUPS = 1024;

    private static final AtomicInteger GROUP_IDS = new AtomicInteger();

    private final HostResolver hostResolver;
    private final int threads;
    private final int maxQueued;
    private final ThreadPoolExecutor pool;
    /** The lookup of each name waiting or under way, for later askers of the same name to join. */
    private final ConcurrentMap<String, Lookup> lookups = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public OffLoopResolverGroup(HostResolver hostResolver) {
        this(hostResolver, LOOKUP_THREADS, MAX_QUEUED_LOOKUPS);
    }

    /** For tests, which fill a small pool. */
    OffLoopResolverGroup(HostResolver hostResolver, int threads, int maxQueued) {
        this.hostResolver = Objects.requireNonNull(hostResolver, "hostResolver");
        this.threads = threads;
        this.maxQueued = maxQueued;
        String prefix = "resilient-connector-resolver-" + GROUP_IDS.incrementAndGet() + "-";
        AtomicInteger ids = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 1, TimeUnit.SECONDS, new ArrayBlockingQueue<>(maxQueued),
                runnable -> {
                    Thread t = new Thread(runnable, prefix + ids.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
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

    /** Fails every lookup still waiting or under way, and stops the threads. Idempotent. */
    @Override
    public void close() {
        closed = true;
        super.close();
        // Before the interrupt, so that the askers hear that the resolver closed, not how the resolver took it.
        failLookups();
        // Interrupts the lookups under way: a resolver that waits interruptibly lets its thread go at once.
        pool.shutdownNow();
        // Any that started in between.
        failLookups();
    }

    private void failLookups() {
        for (Lookup lookup : lookups.values()) {
            lookup.finish(null, new UnknownHostException(lookup.host + ": resolver closed"));
        }
    }

    private <T> void lookUp(String host, Promise<T> promise, Function<InetAddress[], T> result) {
        byte[] literal = NetUtil.createByteArrayFromIpAddressString(host);
        if (literal != null) {
            try {
                promise.trySuccess(result.apply(new InetAddress[] {InetAddress.getByAddress(host, literal)}));
            } catch (UnknownHostException e) {
                promise.tryFailure(e);
            }
            return;
        }
        Lookup fresh = new Lookup(host);
        Lookup lookup = lookups.putIfAbsent(host, fresh);
        if (lookup == null) {
            lookup = fresh;
        }
        lookup.result.whenComplete((addresses, failure) -> {
            if (failure != null) {
                promise.tryFailure(failure);
            } else {
                // Every asker gets its own copy: the answer is shared.
                promise.trySuccess(result.apply(addresses.clone()));
            }
        });
        if (lookup == fresh) {
            start(fresh);
        }
    }

    private void start(Lookup lookup) {
        try {
            pool.execute(lookup);
        } catch (RejectedExecutionException e) {
            lookup.finish(null, new UnknownHostException(closed ? lookup.host + ": resolver closed"
                    : lookup.host + ": resolver busy: " + pool.getQueue().size() + " names wait for its " + threads
                    + " threads (expected: at most " + maxQueued + " waiting; a slow DNS server holds the threads)"));
        }
    }

    /** One name's lookup, which every asker of that name joins until it ends. */
    private final class Lookup implements Runnable {
        final String host;
        final CompletableFuture<InetAddress[]> result = new CompletableFuture<>();

        Lookup(String host) {
            this.host = host;
        }

        @Override
        public void run() {
            Thread thread = Thread.currentThread();
            String name = thread.getName();
            // So that a thread dump names the host a stuck thread waits for.
            thread.setName(name + " looking up " + host);
            try {
                InetAddress[] addresses = hostResolver.resolve(host);
                if (addresses == null || addresses.length == 0) {
                    throw new UnknownHostException(host + ": the resolver returned no address");
                }
                finish(addresses, null);
            } catch (Throwable t) {
                // A resolver that throws anything still ends the lookup, or its askers would wait on it forever.
                finish(null, t);
                if (t instanceof VirtualMachineError) {
                    throw (VirtualMachineError) t;
                }
            } finally {
                thread.setName(name);
            }
        }

        void finish(InetAddress[] addresses, Throwable failure) {
            // Out of the map first: a lookup asked for after this one ends starts afresh, rather than reuse an
            // answer that may be old.
            lookups.remove(host, this);
            if (failure != null) {
                result.completeExceptionally(failure);
            } else {
                result.complete(addresses);
            }
        }
    }
}
