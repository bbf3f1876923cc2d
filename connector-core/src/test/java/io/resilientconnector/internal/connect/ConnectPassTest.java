package io.resilientconnector.internal.connect;

import io.netty.util.concurrent.Future;
import io.resilientconnector.ResolveTimeoutException;
import io.resilientconnector.faultlab.FaultLab;
import io.resilientconnector.internal.ending.CauseClassifier;
import io.resilientconnector.testing.Closer;
import io.resilientconnector.testing.FullBacklogListener;
import io.resilientconnector.testing.Ports;
import io.resilientconnector.transport.OffLoopResolverGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.resilientconnector.internal.connect.RaceKit.at;
import static io.resilientconnector.internal.connect.RaceKit.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * Passes across endpoints on real sockets, with a resolver the test controls: names with a dead first address
 * (refusing, or dropping every packet in the fault lab), dual stack, DNS changes, cancellation, and a thousand
 * passes without growth.
 */
class ConnectPassTest {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration ATTEMPT_DELAY = Duration.ofMillis(250);
    private static final long WAIT_SECONDS = 10;

    @RegisterExtension
    final Closer closer = new Closer();

    private final RaceKit kit = closer.add(new RaceKit());
    /** The controlled DNS: a name not in it does not resolve. */
    private final Map<String, InetAddress[]> dns = new ConcurrentHashMap<>();
    /** Holds every lookup of {@code slow.test} until counted down. */
    private final CountDownLatch slowLookups = closer.add(new CountDownLatch(1), CountDownLatch::countDown);
    private final CountDownLatch lookupStarted = new CountDownLatch(1);
    /**
     * Closed first, while the loop still runs: it fails the lookups still hung, whose promises notify on the loop.
     */
    private final OffLoopResolverGroup resolvers = closer.add(new OffLoopResolverGroup(host -> {
        if (host.equals("slow.test")) {
            lookupStarted.countDown();
            try {
                slowLookups.await(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        InetAddress[] addresses = dns.get(host);
        if (addresses == null) {
            throw new UnknownHostException(host + ": not in the test's DNS");
        }
        return addresses;
    }));

    private Dialer dialer(Duration attemptDelay, Duration connectTimeout, InetSocketAddress... endpoints) {
        return new Dialer(EndpointSequence.ordered(List.of(endpoints)), resolvers, connectTimeout, new RouteDatabase(),
                attemptDelay, kit.opener(connectTimeout));
    }

    private static InetSocketAddress endpoint(String host, int port) {
        return InetSocketAddress.createUnresolved(host, port);
    }

    private static <T> Future<T> done(Future<T> f) throws InterruptedException {
        assertThat(f.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("completes within %ss", WAIT_SECONDS).isTrue();
        return f;
    }

    /** A port with a listener on 127.0.0.2 and nothing on 127.0.0.1. */
    private int liveOnlyOn127002() throws IOException {
        ServerSocket live = kit.listen("127.0.0.2", 0);
        assumeThat(RaceKit.refuses("127.0.0.1", live.getLocalPort()))
                .as("nothing listens on 127.0.0.1:%s", live.getLocalPort()).isTrue();
        return live.getLocalPort();
    }

    @Test
    void aNameWhoseFirstAddressRefusesConnectsOnTheSecondWithinOnePass() throws Exception {
        int port = liveOnlyOn127002();
        dns.put("feed.test", new InetAddress[] {ip("127.0.0.1"), ip("127.0.0.2")});
        RaceKit.Log log = new RaceKit.Log();

        Connected won = done(dialer(ATTEMPT_DELAY, CONNECT_TIMEOUT, endpoint("feed.test", port)).pass(kit.loop, log).result()).getNow();

        assertThat(won.route()).isEqualTo(new Route(endpoint("feed.test", port), at("127.0.0.2", port)));
        assertThat(log.events).containsExactly("started 127.0.0.1:" + port, "failed 127.0.0.1:" + port + " ConnectException",
                "started 127.0.0.2:" + port, "won 127.0.0.2:" + port);
    }

    @Test
    void aNameWhoseFirstAddressDropsEveryPacketConnectsWithinTheAttemptDelay() throws Exception {
        try (FaultLab lab = FaultLab.startForTest()) {
            int port = lab.peerPort();
            String loopback = freeLoopbackFor(port);
            kit.listen(loopback, port);
            lab.blackhole();
            dns.put("feed.test", new InetAddress[] {ip(lab.peerHost()), ip(loopback)});

            RaceKit.Log log = new RaceKit.Log();
            long start = System.nanoTime();
            ConnectPass pass = dialer(ATTEMPT_DELAY, CONNECT_TIMEOUT, endpoint("feed.test", port)).pass(kit.loop, log);
            Connected won = done(pass.result()).getNow();
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(won.route().address()).isEqualTo(at(loopback, port));
            // Attempt delay plus a loopback round trip, with a margin for a busy machine; far from the 10 s timeout.
            assertThat(took).isGreaterThanOrEqualTo(ATTEMPT_DELAY).isLessThan(CONNECT_TIMEOUT.dividedBy(2));
            assertThat(log.events).containsExactly("started " + lab.peerHost() + ":" + port, "started " + loopback + ":" + port,
                    "won " + loopback + ":" + port);
            done(pass.settled());
            assertThat(kit.stillOpen()).containsExactly(won.channel());
            won.channel().close();

            // The control: one address at a time, the blackholed peer costs its whole connect timeout.
            RaceKit.Log control = new RaceKit.Log();
            start = System.nanoTime();
            Connected slow = done(dialer(Duration.ZERO, Duration.ofSeconds(1), endpoint("feed.test", port))
                    .pass(kit.loop, control).result()).getNow();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
            assertThat(slow.route().address()).isEqualTo(at(loopback, port));
            assertThat(control.events).containsExactly("started " + lab.peerHost() + ":" + port,
                    "failed " + lab.peerHost() + ":" + port + " ConnectTimeoutException",
                    "started " + loopback + ":" + port, "won " + loopback + ":" + port);
        }
    }

    /** A loopback address on which {@code port} is free, for a listener on the lab peer's port. */
    private static String freeLoopbackFor(int port) {
        for (int i = 1; i < 10; i++) {
            if (RaceKit.refuses("127.0.0." + i, port)) {
                return "127.0.0." + i;
            }
        }
        throw new AssertionError("port " + port + " is taken on 127.0.0.1..9");
    }

    @Test
    void dualStackInterleavesTheFamiliesInAttemptOrder() throws Exception {
        assumeThat(ipv6LoopbackUsable()).as("::1 is usable here (needed for the dual-stack test)").isTrue();
        ServerSocket live = kit.listen("127.0.0.3", 0);
        int port = live.getLocalPort();
        for (String host : List.of("127.0.0.1", "127.0.0.2", "::1")) {
            assumeThat(RaceKit.refuses(host, port)).as("nothing listens on %s:%s", host, port).isTrue();
        }
        // The resolver's order: IPv4 first, the one IPv6 address third.
        dns.put("dual.test", new InetAddress[] {ip("127.0.0.1"), ip("127.0.0.2"), ip("::1"), ip("127.0.0.3")});
        RaceKit.Log log = new RaceKit.Log();

        done(dialer(ATTEMPT_DELAY, CONNECT_TIMEOUT, endpoint("dual.test", port)).pass(kit.loop, log).result()).getNow();

        assertThat(log.startedAddresses()).containsExactly("127.0.0.1:" + port, "[0:0:0:0:0:0:0:1]:" + port,
                "127.0.0.2:" + port, "127.0.0.3:" + port);

        // And starting with IPv6 when the resolver puts it first.
        dns.put("dual.test", new InetAddress[] {ip("::1"), ip("127.0.0.1"), ip("127.0.0.3")});
        RaceKit.Log v6first = new RaceKit.Log();
        done(dialer(ATTEMPT_DELAY, CONNECT_TIMEOUT, endpoint("dual.test", port)).pass(kit.loop, v6first).result()).getNow();
        assertThat(v6first.startedAddresses()).containsExactly("[0:0:0:0:0:0:0:1]:" + port, "127.0.0.1:" + port,
                "127.0.0.3:" + port);
    }

    private static boolean ipv6LoopbackUsable() {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            return true;
        } catch (IOException e) {
            System.out.println("DUAL-STACK TEST SKIPPED: ::1 is not usable here: " + e);
            return false;
        }
    }

    @Test
    void aDnsChangeIsSeenByTheNextPassWhichUsesOnlyTheNewAddresses() throws Exception {
        int port = liveOnlyOn127002();
        dns.put("feed.test", new InetAddress[] {ip("127.0.0.1")});
        Dialer dialer = dialer(ATTEMPT_DELAY, CONNECT_TIMEOUT, endpoint("feed.test", port));

        RaceKit.Log first = new RaceKit.Log();
        assertThat(done(dialer.pass(kit.loop, first).result()).cause()).isInstanceOf(ConnectFailedException.class);
        assertThat(first.startedAddresses()).containsExactly("127.0.0.1:" + port);

        dns.put("feed.test", new InetAddress[] {ip("127.0.0.2")});
        RaceKit.Log second = new RaceKit.Log();
        Connected won = done(dialer.pass(kit.loop, second).result()).getNow();

        assertThat(second.startedAddresses()).containsExactly("127.0.0.2:" + port);
        assertThat(won.route().address()).isEqualTo(at("127.0.0.2", port));
    }

    @Test
    void theBackupEndpointConnectsWithinOnePassWhenThePrimaryRefuses() throws Exception {
        int port = liveOnlyOn127002();
        dns.put("primary.test", new InetAddress[] {ip("127.0.0.1")});
        dns.put("backup.test", new InetAddress[] {ip("127.0.0.2")});
        RaceKit.Log log = new RaceKit.Log();

        ConnectPass pass = dialer(ATTEMPT_DELAY, CONNECT_TIMEOUT, endpoint("primary.test", port), endpoint("backup.test", port))
                .pass(kit.loop, log);
        Connected won = done(pass.result()).getNow();

        assertThat(pass.endpoints()).containsExactly(endpoint("primary.test", port), endpoint("backup.test", port));
        assertThat(won.route()).isEqualTo(new Route(endpoint("backup.test", port), at("127.0.0.2", port)));
        assertThat(log.events).containsExactly("started 127.0.0.1:" + port, "failed 127.0.0.1:" + port + " ConnectException",
                "started 127.0.0.2:" + port, "won 127.0.0.2:" + port);
    }

    @Test
    void aNameThatDoesNotResolveIsSkipped() throws Exception {
        int port = liveOnlyOn127002();
        dns.put("backup.test", new InetAddress[] {ip("127.0.0.2")});
        RaceKit.Log log = new RaceKit.Log();

        Connected won = done(dialer(ATTEMPT_DELAY, CONNECT_TIMEOUT, endpoint("gone.test", port), endpoint("backup.test", port))
                .pass(kit.loop, log).result()).getNow();

        assertThat(won.route().endpoint()).isEqualTo(endpoint("backup.test", port));
        assertThat(log.events).containsExactly("unresolved gone.test:" + port + " UnknownHostException",
                "started 127.0.0.2:" + port, "won 127.0.0.2:" + port);
    }

    @Test
    void aNameThatHangsPastTheResolveTimeoutIsSkippedAndTheOthersAreTried() throws Exception {
        int port = liveOnlyOn127002();
        dns.put("slow.test", new InetAddress[] {ip("127.0.0.2")});
        dns.put("backup.test", new InetAddress[] {ip("127.0.0.2")});
        RaceKit.Log log = new RaceKit.Log();
        Duration resolveTimeout = Duration.ofMillis(300);
        Dialer dialer = new Dialer(EndpointSequence.ordered(List.of(endpoint("slow.test", port), endpoint("backup.test", port))),
                resolvers, resolveTimeout, new RouteDatabase(), ATTEMPT_DELAY, kit.opener(CONNECT_TIMEOUT));

        long start = System.nanoTime();
        Connected won = done(dialer.pass(kit.loop, log).result()).getNow();

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(resolveTimeout);
        assertThat(won.route().endpoint()).isEqualTo(endpoint("backup.test", port));
        assertThat(log.events).containsExactly("unresolved slow.test:" + port + " ResolveTimeoutException",
                "started 127.0.0.2:" + port, "won 127.0.0.2:" + port);
    }

    @Test
    void aPassWhoseOnlyNameHangsFailsAsUnresolvedWhenTheResolveTimeoutEnds() throws Exception {
        Dialer dialer = new Dialer(EndpointSequence.ordered(List.of(endpoint("slow.test", 7000))), resolvers,
                Duration.ofMillis(300), new RouteDatabase(), ATTEMPT_DELAY, kit.opener(CONNECT_TIMEOUT));

        Throwable cause = done(dialer.pass(kit.loop, AttemptListener.NONE).result()).cause();

        assertThat(cause).isInstanceOf(ConnectFailedException.class).hasCauseInstanceOf(ResolveTimeoutException.class);
        assertThat(cause.getCause()).hasMessageContaining("slow.test").hasMessageContaining("timed out")
                .hasMessageContaining("300ms");
        assertThat(CauseClassifier.classifyConnectFailure(cause).cause())
                .isEqualTo(io.resilientconnector.DisconnectCause.UNRESOLVED);
        assertThat(kit.opened).isEmpty();
    }

    @Test
    void aPassFailsWithEveryResolutionFailureAndEveryAttempt() throws Exception {
        int refused = Ports.closed();
        dns.put("down.test", new InetAddress[] {ip("127.0.0.1")});

        Throwable cause = done(dialer(ATTEMPT_DELAY, CONNECT_TIMEOUT, endpoint("gone.test", refused), endpoint("down.test", refused))
                .pass(kit.loop, AttemptListener.NONE).result()).cause();

        assertThat(cause).isInstanceOf(ConnectFailedException.class).hasCauseInstanceOf(ConnectException.class);
        List<AttemptFailure> failures = ((ConnectFailedException) cause).failures();
        assertThat(failures).extracting(AttemptFailure::route).containsExactly(
                new Route(endpoint("gone.test", refused), endpoint("gone.test", refused)),
                new Route(endpoint("down.test", refused), at("127.0.0.1", refused)));
        assertThat(failures.get(0).route().isResolved()).isFalse();
        assertThat(failures.get(0).cause()).isInstanceOf(UnknownHostException.class);

        // With no name resolved, the cause is the resolution failure.
        Throwable unresolved = done(dialer(ATTEMPT_DELAY, CONNECT_TIMEOUT, endpoint("gone.test", refused))
                .pass(kit.loop, AttemptListener.NONE).result()).cause();
        assertThat(unresolved).isInstanceOf(ConnectFailedException.class).hasCauseInstanceOf(UnknownHostException.class);
    }

    @Test
    void anAddressThatFailedIsTriedLastInTheNextPass() throws Exception {
        int port = liveOnlyOn127002();
        dns.put("feed.test", new InetAddress[] {ip("127.0.0.1"), ip("127.0.0.2")});
        Dialer dialer = dialer(Duration.ofSeconds(2), CONNECT_TIMEOUT, endpoint("feed.test", port));
        Connected first = done(dialer.pass(kit.loop, AttemptListener.NONE).result()).getNow();
        first.channel().close();
        assertThat(dialer.routeDatabase().shouldPostpone(at("127.0.0.1", port))).isTrue();

        RaceKit.Log log = new RaceKit.Log();
        done(dialer.pass(kit.loop, log).result()).getNow();

        // 127.0.0.2 goes first now and wins before the 2 s attempt delay lets 127.0.0.1 start.
        assertThat(log.events).containsExactly("started 127.0.0.2:" + port, "won 127.0.0.2:" + port);
    }

    @Test
    void cancelWhileSeveralAttemptsAreInFlightLeavesNoChannelOpen() throws Exception {
        try (FullBacklogListener a = new FullBacklogListener(); FullBacklogListener b = new FullBacklogListener();
             FullBacklogListener c = new FullBacklogListener()) {
            RaceKit.Log log = new RaceKit.Log();
            ConnectPass pass = dialer(Duration.ofMillis(10), CONNECT_TIMEOUT, endpoint("127.0.0.1", a.port()),
                    endpoint("127.0.0.1", b.port()), endpoint("127.0.0.1", c.port())).pass(kit.loop, log);
            await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> kit.stillOpen().size() == 3);

            done(pass.cancel());

            assertThat(pass.result().isCancelled()).isTrue();
            assertThat(kit.stillOpen()).isEmpty();
            assertThat(log.events).allMatch(e -> e.startsWith("started "));
        }
    }

    @Test
    void cancelWhileTheNamesResolveOpensNothing() throws Exception {
        dns.put("slow.test", new InetAddress[] {ip("127.0.0.1")});
        ConnectPass pass = dialer(ATTEMPT_DELAY, CONNECT_TIMEOUT, endpoint("slow.test", Ports.closed()))
                .pass(kit.loop, AttemptListener.NONE);
        assertThat(lookupStarted.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();

        pass.result().cancel(false);
        done(pass.settled());
        slowLookups.countDown();

        assertThat(pass.result().isCancelled()).isTrue();
        // The lookup finishes after the cancel; give its answer time to reach the loop. It must not start a race.
        Thread.sleep(200);
        assertThat(kit.opened).isEmpty();
    }

    @Test
    void aThousandPassesAgainstRefusingAddressesGrowNoThreadsOrFileDescriptors() throws Exception {
        int a = Ports.closed();
        dns.put("down.test", new InetAddress[] {ip("127.0.0.1"), ip("127.0.0.2")});
        Dialer dialer = dialer(ATTEMPT_DELAY, CONNECT_TIMEOUT, endpoint("down.test", a), endpoint("127.0.0.3", a));
        for (int i = 0; i < 50; i++) {
            failedPass(dialer);
        }
        long fdsBefore = openFileDescriptors();
        int threadsBefore = Thread.activeCount();

        for (int i = 0; i < 1000; i++) {
            failedPass(dialer);
        }

        assertThat(kit.opened).hasSize(1050 * 3);
        assertThat(kit.stillOpen()).isEmpty();
        kit.opened.clear();
        // Small margins: the lookup threads come and go, and the JVM opens a file now and then.
        assertThat(openFileDescriptors()).isLessThanOrEqualTo(fdsBefore + 5);
        assertThat(Thread.activeCount()).isLessThanOrEqualTo(threadsBefore + 2);
        assertThat(dialer.routeDatabase().size()).isEqualTo(3);
    }

    private void failedPass(Dialer dialer) throws InterruptedException {
        ConnectPass pass = dialer.pass(kit.loop, AttemptListener.NONE);
        assertThat(done(pass.result()).cause()).isInstanceOf(ConnectFailedException.class);
        done(pass.settled());
    }

    private static long openFileDescriptors() throws IOException {
        Path fds = Path.of("/proc/self/fd");
        assumeThat(Files.isDirectory(fds)).as("/proc/self/fd exists (Linux)").isTrue();
        try (Stream<Path> list = Files.list(fds)) {
            return list.count();
        }
    }
}
