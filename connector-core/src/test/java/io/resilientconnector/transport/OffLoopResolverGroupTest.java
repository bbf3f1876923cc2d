package io.resilientconnector.transport;

import io.netty.resolver.AddressResolver;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.Future;
import io.resilientconnector.DisconnectCause;
import io.resilientconnector.internal.ending.CauseClassifier;
import io.resilientconnector.testing.Closer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.resilientconnector.testing.Fast.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The resolver group's own pool: bounded, shared by concurrent lookups of one name, closed with the group. */
class OffLoopResolverGroupTest {

    @RegisterExtension
    final Closer closer = new Closer();

    /** Holds every lookup until counted down; teardown counts it down so that no thread stays stuck. */
    private final CountDownLatch release = new CountDownLatch(1);
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final CountDownLatch firstLookupStarted = new CountDownLatch(1);
    private final HostResolver blocking = host -> {
        calls.computeIfAbsent(host, h -> new AtomicInteger()).incrementAndGet();
        firstLookupStarted.countDown();
        try {
            if (!release.await(1, TimeUnit.MINUTES)) {
                throw new UnknownHostException(host + ": the test never released its lookup");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnknownHostException(host + ": interrupted");
        }
        return new InetAddress[] {InetAddress.getLoopbackAddress()};
    };
    private final DefaultEventExecutor executor = closer.addGroup(new DefaultEventExecutor());
    private OffLoopResolverGroup group;

    /** Runs before the closer closes the group, so that no lookup is still held. */
    @AfterEach
    void releaseLookups() {
        release.countDown();
    }

    private AddressResolver<InetSocketAddress> resolver(int threads, int maxQueued) {
        group = closer.add(new OffLoopResolverGroup(blocking, threads, maxQueued));
        return group.getResolver(executor);
    }

    private static InetSocketAddress name(String host) {
        return InetSocketAddress.createUnresolved(host, 7000);
    }

    @Test
    void aLookupBeyondTheQueueFailsAtOnceAsBusyAndUnresolved() throws Exception {
        AddressResolver<InetSocketAddress> resolver = resolver(1, 2);
        Future<InetSocketAddress> running = resolver.resolve(name("a.test"));
        assertThat(firstLookupStarted.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        Future<InetSocketAddress> queued1 = resolver.resolve(name("b.test"));
        Future<InetSocketAddress> queued2 = resolver.resolve(name("c.test"));

        Future<InetSocketAddress> rejected = resolver.resolve(name("d.test"));

        assertThat(rejected.await(WAIT.toMillis())).as("fails without waiting for a thread").isTrue();
        assertThat(rejected.cause()).isInstanceOf(UnknownHostException.class).hasMessageContaining("d.test")
                .hasMessageContaining("resolver busy").hasMessageContaining("(expected: at most 2 waiting");
        assertThat(CauseClassifier.classifyConnectFailure(rejected.cause()).cause()).isEqualTo(DisconnectCause.UNRESOLVED);
        assertThat(calls).doesNotContainKey("d.test");

        release.countDown();
        for (Future<InetSocketAddress> f : List.of(running, queued1, queued2)) {
            assertThat(f.await(WAIT.toMillis())).isTrue();
            assertThat(f.isSuccess()).as("%s", f.cause()).isTrue();
        }
        // Room again once the queue drained.
        Future<InetSocketAddress> later = resolver.resolve(name("d.test"));
        assertThat(later.await(WAIT.toMillis())).isTrue();
        assertThat(later.isSuccess()).as("%s", later.cause()).isTrue();
    }

    @Test
    void concurrentLookupsOfOneNameShareOneThreadAndTakeNoQueueSlot() throws Exception {
        AddressResolver<InetSocketAddress> resolver = resolver(1, 1);
        List<Future<InetSocketAddress>> hung = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            hung.add(resolver.resolve(name("hung.test")));
        }
        assertThat(firstLookupStarted.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        // The one queue slot is still free for another name.
        Future<InetSocketAddress> other = resolver.resolve(name("other.test"));
        assertThat(hung).noneMatch(Future::isDone);
        assertThat(other.isDone()).as("queued, not rejected").isFalse();

        release.countDown();
        for (Future<InetSocketAddress> f : hung) {
            assertThat(f.await(WAIT.toMillis())).isTrue();
            assertThat(f.getNow().getAddress()).isEqualTo(InetAddress.getLoopbackAddress());
        }
        assertThat(other.await(WAIT.toMillis())).isTrue();
        assertThat(calls.get("hung.test")).hasValue(1);
    }

    @Test
    void aLookupAfterOneEndedAsksTheResolverAgain() throws Exception {
        release.countDown();
        AddressResolver<InetSocketAddress> resolver = resolver(1, 1);

        assertThat(resolver.resolve(name("feed.test")).await(WAIT.toMillis())).isTrue();
        assertThat(resolver.resolve(name("feed.test")).await(WAIT.toMillis())).isTrue();

        assertThat(calls.get("feed.test")).hasValue(2);
    }

    @Test
    void aStuckThreadIsNamedAfterItsGroupAndTheHostItLooksUp() throws Exception {
        resolver(1, 1).resolve(name("stuck.test"));
        assertThat(firstLookupStarted.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

        await().atMost(WAIT).until(() -> resolverThreads().stream().anyMatch(t -> t.getName()
                .matches("resilient-connector-resolver-\\d+-\\d+ looking up stuck\\.test")));
        assertThat(resolverThreads()).allMatch(Thread::isDaemon);
    }

    @Test
    void closeFailsTheLookupsUnderWayAndWaitingAndLetsTheThreadsGo() throws Exception {
        AddressResolver<InetSocketAddress> resolver = resolver(1, 4);
        Future<InetSocketAddress> running = resolver.resolve(name("stuck.test"));
        assertThat(firstLookupStarted.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        Future<InetSocketAddress> waiting = resolver.resolve(name("queued.test"));

        group.close();

        for (Future<InetSocketAddress> f : List.of(running, waiting)) {
            assertThat(f.await(WAIT.toMillis())).isTrue();
            assertThat(f.cause()).isInstanceOf(UnknownHostException.class).hasMessageContaining("resolver closed");
        }
        // The blocking resolver waits interruptibly, so close lets its thread go without the latch.
        await().atMost(WAIT).until(() -> resolverThreads().stream()
                .noneMatch(t -> t.getName().endsWith("looking up stuck.test")));
        assertThat(calls).doesNotContainKey("queued.test");
    }

    private static List<Thread> resolverThreads() {
        List<Thread> threads = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith("resilient-connector-resolver-")) {
                threads.add(t);
            }
        }
        return threads;
    }
}
