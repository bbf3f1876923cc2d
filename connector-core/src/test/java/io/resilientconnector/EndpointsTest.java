package io.resilientconnector;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.resilientconnector.faultlab.FaultLab;
import io.resilientconnector.testing.Closer;
import io.resilientconnector.testing.EventRecorder;
import io.resilientconnector.testing.Fast;
import io.resilientconnector.testing.Footprint;
import io.resilientconnector.testing.FullBacklogListener;
import io.resilientconnector.testing.LineServer;
import io.resilientconnector.testing.NoopInitializer;
import io.resilientconnector.testing.Ports;
import io.resilientconnector.transport.HostResolver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.resilientconnector.testing.Fast.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * The connector across several addresses and endpoints, on real sockets: a dead first address (refusing, or
 * dropping every packet in the fault lab), dual stack, failover to a backup and failback, a pass per backoff
 * wait, a DNS change, a thousand passes without growth, and close() with attempts in flight.
 */
class EndpointsTest {

    private static final Duration ATTEMPT_DELAY = ConnectorOptions.DEFAULT_ATTEMPT_DELAY;

    @RegisterExtension
    final Closer closer = new Closer();
    private final EventRecorder events = EventRecorder.withAttempts();
    /** The controlled DNS: a name not in it does not resolve. */
    private final Map<String, InetAddress[]> dns = new ConcurrentHashMap<>();
    private final HostResolver resolver = host -> {
        InetAddress[] addresses = dns.get(host);
        if (addresses == null) {
            throw new UnknownHostException(host + ": not in the test's DNS");
        }
        return addresses.clone();
    };

    private ResilientConnector start(ConnectorOptions options) {
        return start(options, new NoopInitializer());
    }

    private ResilientConnector start(ConnectorOptions options, io.netty.channel.ChannelHandler handler) {
        ResilientConnector connector = ResilientConnector.builder(options).handler(handler).listener(events)
                .hostResolver(resolver).build();
        closer.add(connector);
        return connector.start();
    }

    private LineServer server(String host, int port) throws IOException {
        return closer.add(LineServer.start(InetAddress.getByName(host), port));
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Whether nothing listens on {@code host:port}. */
    private static boolean refuses(String host, int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(ip(host), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A server on 127.0.0.2 at a port where nothing listens on 127.0.0.1. */
    private LineServer liveOnlyOn127002() throws IOException {
        LineServer live = server("127.0.0.2", 0);
        assumeThat(refuses("127.0.0.1", live.port())).as("nothing listens on 127.0.0.1:%s", live.port()).isTrue();
        return live;
    }

    @Test
    void aNameWhoseFirstAddressRefusesConnectsOnTheSecondWithinOnePass() throws Exception {
        LineServer live = liveOnlyOn127002();
        int port = live.port();
        dns.put("feed.test", new InetAddress[] {ip("127.0.0.1"), ip("127.0.0.2")});

        ResilientConnector connector = start(ConnectorOptions.builder().endpoint("feed.test", port)
                .reconnect(Fast.RECONNECT).build());

        events.await("CONNECTED", WAIT);
        assertThat(events.all()).containsExactly("ATTEMPT_STARTED feed.test:" + port + " 127.0.0.1:" + port,
                "ATTEMPT_FAILED feed.test:" + port + " 127.0.0.1:" + port + " CONNECT_REFUSED",
                "ATTEMPT_STARTED feed.test:" + port + " 127.0.0.2:" + port, "CONNECTED 127.0.0.2:" + port);
        assertThat(connector.currentEndpoint()).isEqualTo(Endpoint.of("feed.test", port));
        connector.send(Unpooled.copiedBuffer("hello\n", StandardCharsets.US_ASCII)).get(5, TimeUnit.SECONDS);
        assertThat(live.pollLine(5, TimeUnit.SECONDS)).isEqualTo("hello");
    }

    @Test
    void aNameWhoseFirstAddressDropsEveryPacketConnectsWithinTheAttemptDelayNotTheConnectTimeout() throws Exception {
        try (FaultLab lab = FaultLab.startForTest()) {
            int port = lab.peerPort();
            String loopback = freeLoopbackFor(port);
            server(loopback, port);
            lab.blackhole();
            dns.put("feed.test", new InetAddress[] {ip(lab.peerHost()), ip(loopback)});
            Duration connectTimeout = Duration.ofSeconds(10);

            long start = System.nanoTime();
            ResilientConnector connector = start(ConnectorOptions.builder().endpoint("feed.test", port)
                    .connectTimeout(connectTimeout).reconnect(Fast.RECONNECT).build());
            events.await("CONNECTED", WAIT);
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(connector.channel().remoteAddress()).isEqualTo(new InetSocketAddress(ip(loopback), port));
            // The attempt delay plus a loopback round trip, with a margin for a busy machine: far from 10 s.
            assertThat(took).isGreaterThanOrEqualTo(ATTEMPT_DELAY).isLessThan(Duration.ofSeconds(3));
            assertThat(events.all()).containsExactly("ATTEMPT_STARTED feed.test:" + port + " " + lab.peerHost() + ":" + port,
                    "ATTEMPT_STARTED feed.test:" + port + " " + loopback + ":" + port, "CONNECTED " + loopback + ":" + port);
            connector.close();

            // The control, as the connector behaved before passes: one address at a time, the dead one first,
            // costs the whole connect timeout.
            EventRecorder control = EventRecorder.withAttempts();
            start = System.nanoTime();
            ResilientConnector sequential = ResilientConnector.builder(ConnectorOptions.builder().endpoint("feed.test", port)
                            .attemptDelay(Duration.ZERO).connectTimeout(Duration.ofSeconds(2)).reconnect(Fast.RECONNECT).build())
                    .handler(new NoopInitializer()).listener(control).hostResolver(resolver).build();
            closer.add(sequential);
            sequential.start();
            control.await("CONNECTED", WAIT);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
            assertThat(control.all()).contains("ATTEMPT_FAILED feed.test:" + port + " " + lab.peerHost() + ":" + port
                    + " CONNECT_TIMEOUT");
        }
    }

    /** A loopback address on which {@code port} is free, for a listener on the lab peer's port. */
    private static String freeLoopbackFor(int port) {
        for (int i = 2; i < 10; i++) {
            if (refuses("127.0.0." + i, port)) {
                return "127.0.0." + i;
            }
        }
        throw new AssertionError("port " + port + " is taken on 127.0.0.2..9");
    }

    @Test
    void dualStackInterleavesTheFamilies() throws Exception {
        assumeThat(ipv6LoopbackUsable()).as("::1 is usable here (needed for the dual-stack test)").isTrue();
        LineServer live = server("127.0.0.3", 0);
        int port = live.port();
        for (String host : List.of("127.0.0.1", "127.0.0.2", "::1")) {
            assumeThat(refuses(host, port)).as("nothing listens on %s:%s", host, port).isTrue();
        }
        // The resolver's order: IPv4 first, the one IPv6 address third.
        dns.put("dual.test", new InetAddress[] {ip("127.0.0.1"), ip("127.0.0.2"), ip("::1"), ip("127.0.0.3")});

        start(ConnectorOptions.builder().endpoint("dual.test", port).reconnect(Fast.RECONNECT).build());

        events.await("CONNECTED", WAIT);
        assertThat(events.all()).filteredOn(e -> e.startsWith("ATTEMPT_STARTED")).containsExactly(
                "ATTEMPT_STARTED dual.test:" + port + " 127.0.0.1:" + port,
                "ATTEMPT_STARTED dual.test:" + port + " [0:0:0:0:0:0:0:1]:" + port,
                "ATTEMPT_STARTED dual.test:" + port + " 127.0.0.2:" + port,
                "ATTEMPT_STARTED dual.test:" + port + " 127.0.0.3:" + port);
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
    void whenThePrimaryDiesTheConnectorIsOnTheBackupWithinOnePassAndFailsBackAfterThePeriod() throws Exception {
        LineServer primary = server("127.0.0.1", 0);
        LineServer backup = server("127.0.0.1", 0);
        Endpoint first = Endpoint.of("127.0.0.1", primary.port());
        Endpoint second = Endpoint.of("127.0.0.1", backup.port());
        ResilientConnector connector = start(ConnectorOptions.builder().endpoints(first, second)
                .failbackAfter(Duration.ofSeconds(1)).reconnect(Fast.RECONNECT).build());
        events.await("CONNECTED 127.0.0.1:" + primary.port(), WAIT);
        assertThat(connector.currentEndpoint()).isEqualTo(first);

        // The accept first: a connection still in the accept queue when the listener closes is never accepted.
        primary.awaitOpenConnections(1);
        primary.stopListening();
        primary.closeConnections();
        events.await("CONNECTED 127.0.0.1:" + backup.port(), WAIT);
        List<String> failover = events.all().subList(events.all().indexOf("CONNECTED 127.0.0.1:" + primary.port()) + 1,
                events.all().size());
        assertThat(failover).containsExactly("DISCONNECTED PEER_CLOSED", "RECONNECTING 2",
                "ATTEMPT_STARTED " + first + " " + first, "ATTEMPT_FAILED " + first + " " + first + " CONNECT_REFUSED",
                "ATTEMPT_STARTED " + second + " " + second, "CONNECTED " + second);
        assertThat(connector.currentEndpoint()).isEqualTo(second);

        // Sends go on across the failback, from another thread: none lost, none twice, each server in order.
        AtomicBoolean sending = new AtomicBoolean(true);
        AtomicInteger sent = new AtomicInteger();
        Thread sender = new Thread(() -> {
            while (sending.get()) {
                connector.send(Unpooled.copiedBuffer(sent.getAndIncrement() + "\n", StandardCharsets.US_ASCII));
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        int before = events.all().size();
        long back = System.nanoTime();
        primary.listen();
        sender.start();
        events.await("CONNECTED " + first, WAIT);
        Duration failedBackAfter = Duration.ofNanos(System.nanoTime() - back);
        events.await("DISCONNECTED LOCAL_CLOSE", WAIT);
        Thread.sleep(200);
        sending.set(false);
        sender.join(5000);

        // The period, at most one probe interval (a fifth of it) more, and the connect: with a margin.
        assertThat(failedBackAfter).isGreaterThanOrEqualTo(Duration.ofSeconds(1)).isLessThan(Duration.ofSeconds(4));
        assertThat(events.all().subList(before, events.all().size())).containsExactly(
                "ATTEMPT_STARTED " + first + " " + first, "CONNECTED " + first, "DISCONNECTED LOCAL_CLOSE");
        Disconnection retired = events.disconnections().get(events.disconnections().size() - 1);
        assertThat(retired.detail()).isEqualTo("replaced by a connection to " + first + " (failback)");
        assertThat(connector.currentEndpoint()).isEqualTo(first);
        assertThat(connector.state()).isEqualTo(ConnectorState.CONNECTED);

        List<Integer> onBackup = drain(backup);
        List<Integer> onPrimary = drain(primary);
        assertThat(onPrimary).as("sends after the switch").isNotEmpty();
        List<Integer> all = new ArrayList<>(onBackup);
        all.addAll(onPrimary);
        assertThat(all).as("every send once, the backup's before the primary's").hasSize(sent.get())
                .isSorted().doesNotHaveDuplicates();
    }

    private static List<Integer> drain(LineServer server) throws InterruptedException {
        List<Integer> lines = new ArrayList<>();
        String line;
        while ((line = server.pollLine(500, TimeUnit.MILLISECONDS)) != null) {
            lines.add(Integer.parseInt(line));
        }
        return lines;
    }

    @Test
    void withoutFailbackTheConnectorStaysOnTheBackup() throws Exception {
        LineServer primary = server("127.0.0.1", 0);
        LineServer backup = server("127.0.0.1", 0);
        Endpoint second = Endpoint.of("127.0.0.1", backup.port());
        ResilientConnector connector = start(ConnectorOptions.builder()
                .endpoints(Endpoint.of("127.0.0.1", primary.port()), second).reconnect(Fast.RECONNECT).build());
        events.await("CONNECTED 127.0.0.1:" + primary.port(), WAIT);
        // The accept first: a connection still in the accept queue when the listener closes is never accepted.
        primary.awaitOpenConnections(1);
        primary.stopListening();
        primary.closeConnections();
        events.await("CONNECTED " + second, WAIT);

        primary.listen();
        // Failback would have moved within 1 s and one probe; without it, nothing happens for longer than that.
        assertThat(events.poll(Duration.ofSeconds(3))).isNull();
        assertThat(connector.currentEndpoint()).isEqualTo(second);
        assertThat(primary.acceptedCount()).as("no probe either").isEqualTo(1);
    }

    @Test
    void everyEndpointDownMeansExactlyOneBackoffWaitPerPass() throws Exception {
        int a = Ports.closed();
        int b = Ports.closed();
        ResilientConnector connector = start(ConnectorOptions.builder()
                .endpoints(Endpoint.of("127.0.0.1", a), Endpoint.of("127.0.0.1", b))
                .reconnect(Fast.RECONNECT.toBuilder().maxAttempts(4).build()).build());

        // The four passes maxAttempts allows, the first included: three waits.
        assertThat(events.await("GAVE_UP", WAIT)).isEqualTo("GAVE_UP 4");
        List<String> all = events.all();
        assertThat(all).filteredOn(e -> e.startsWith("ATTEMPT_STARTED")).hasSize(8);
        assertThat(all).filteredOn(e -> e.startsWith("ATTEMPT_FAILED")).hasSize(8);
        assertThat(all).filteredOn(e -> e.startsWith("CONNECT_FAILED")).hasSize(4);
        assertThat(all).filteredOn(e -> e.startsWith("DISCONNECTED")).isEmpty();
        assertThat(events.connectFailureAttempts()).as("each pass's failures: both endpoints")
                .allSatisfy(attempts -> assertThat(attempts).hasSize(2));
        assertThat(all).filteredOn(e -> e.startsWith("RECONNECTING")).containsExactly("RECONNECTING 2",
                "RECONNECTING 3", "RECONNECTING 4");
        // Each wait comes after both endpoints of its pass were tried, never between them.
        String pass = "ATTEMPT_STARTED 127.0.0.1:" + a + " 127.0.0.1:" + a;
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).startsWith("RECONNECTING")) {
                assertThat(all.get(i - 1)).startsWith("CONNECT_FAILED");
                assertThat(all.get(i + 1)).isEqualTo(pass);
            }
        }
        assertThat(connector.state()).isEqualTo(ConnectorState.GAVE_UP);
    }

    @Test
    void aThousandPassesGrowNoHeapThreadsOrFileDescriptors() throws Exception {
        int a = Ports.closed();
        dns.put("down.test", new InetAddress[] {ip("127.0.0.1"), ip("127.0.0.2")});
        AtomicInteger passes = new AtomicInteger();
        ReconnectPolicy quick = ReconnectPolicy.builder().initialDelay(Duration.ofMillis(1))
                .maxDelay(Duration.ofMillis(1)).jitter(Jitter.NONE).build();
        ResilientConnector connector = ResilientConnector.builder(ConnectorOptions.builder()
                        .endpoints(Endpoint.of("down.test", a), Endpoint.of("127.0.0.3", a)).reconnect(quick).build())
                .handler(new NoopInitializer()).hostResolver(resolver)
                .listener(new ConnectorListener() {
                    @Override
                    public void connectFailed(Disconnection why, List<Disconnection> attempts) {
                        passes.incrementAndGet();
                    }
                }).build();
        closer.add(connector);
        connector.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> passes.get() >= 100);
        Footprint before = Footprint.take();
        int from = passes.get();

        await().atMost(Duration.ofSeconds(120)).until(() -> passes.get() >= from + 1000);
        Footprint after = Footprint.take();

        System.out.println("1000 passes: before " + before + ", after " + after);
        assertThat(after.threads()).isLessThanOrEqualTo(before.threads() + 2);
        if (before.fds() >= 0) {
            assertThat(after.fds()).isLessThanOrEqualTo(before.fds() + 5);
        }
        // A leak of a few hundred bytes a pass would show as hundreds of KiB; the margin allows the JIT's noise.
        assertThat(after.heap()).isLessThan(before.heap() + 2L * 1024 * 1024);
    }

    @Test
    void aDnsChangeIsSeenByTheNextPassWhichUsesOnlyTheNewAddresses() throws Exception {
        LineServer live = liveOnlyOn127002();
        int port = live.port();
        dns.put("feed.test", new InetAddress[] {ip("127.0.0.1")});
        ResilientConnector connector = start(ConnectorOptions.builder().endpoint("feed.test", port)
                .reconnect(ReconnectPolicy.builder().initialDelay(Duration.ofSeconds(30))
                        .jitter(Jitter.NONE).build()).build());
        events.await("RECONNECTING 2", WAIT);
        assertThat(connector.state()).isEqualTo(ConnectorState.WAITING_TO_RECONNECT);

        dns.put("feed.test", new InetAddress[] {ip("127.0.0.2")});
        int before = events.all().size();
        assertThat(connector.reconnectNow()).isTrue();

        events.await("CONNECTED", WAIT);
        assertThat(events.all().subList(before, events.all().size())).containsExactly(
                "ATTEMPT_STARTED feed.test:" + port + " 127.0.0.2:" + port, "CONNECTED 127.0.0.2:" + port);
        assertThat(connector.reconnectNow()).as("nothing to cut short while connected").isFalse();
    }

    @Test
    void reconnectNowDoesNothingWithoutABackoffWait() throws Exception {
        ResilientConnector connector = ResilientConnector.builder(ConnectorOptions.builder().endpoint("127.0.0.1", 9)
                .build()).handler(new NoopInitializer()).build();
        closer.add(connector);
        assertThat(connector.reconnectNow()).as("before start").isFalse();
        connector.close();
        assertThat(connector.reconnectNow()).as("after close").isFalse();
    }

    /**
     * Sockets in SYN_SENT towards one of {@code ports}, from /proc/net/tcp and tcp6 (the JDK and Netty open IPv6
     * sockets where they can, even for IPv4 peers).
     */
    private static long synSent(int... ports) throws IOException {
        java.nio.file.Path tcp = java.nio.file.Path.of("/proc/net/tcp");
        assumeThat(java.nio.file.Files.isReadable(tcp)).as("/proc/net/tcp is readable (Linux)").isTrue();
        List<String> lines = new ArrayList<>(java.nio.file.Files.readAllLines(tcp));
        java.nio.file.Path tcp6 = java.nio.file.Path.of("/proc/net/tcp6");
        if (java.nio.file.Files.isReadable(tcp6)) {
            lines.addAll(java.nio.file.Files.readAllLines(tcp6));
        }
        long count = 0;
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 4 || !f[3].equals("02")) {
                continue;
            }
            int port = Integer.parseInt(f[2].substring(f[2].indexOf(':') + 1), 16);
            for (int p : ports) {
                count += p == port ? 1 : 0;
            }
        }
        return count;
    }

    @Test
    void closeWhileSeveralAttemptsAreInFlightLeavesNoChannelOpenAndInstallsNoHandlers() throws Exception {
        try (FullBacklogListener a = new FullBacklogListener(); FullBacklogListener b = new FullBacklogListener();
             FullBacklogListener c = new FullBacklogListener()) {
            AtomicInteger installed = new AtomicInteger();
            ConnectorResources resources = closer.add(ConnectorResources.builder().threads(1).build());
            int[] ports = {a.port(), b.port(), c.port()};
            long before = synSent(ports);
            ResilientConnector connector = ResilientConnector.builder(ConnectorOptions.builder()
                            .endpoints(Endpoint.of("127.0.0.1", a.port()), Endpoint.of("127.0.0.1", b.port()),
                                    Endpoint.of("127.0.0.1", c.port()))
                            .attemptDelay(Duration.ofMillis(10)).connectTimeout(Duration.ofSeconds(30)).build())
                    .resources(resources).listener(events)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            installed.incrementAndGet();
                        }
                    }).build();
            closer.add(connector);
            connector.start();
            await().atMost(WAIT).until(() -> events.all().stream().filter(e -> e.startsWith("ATTEMPT_STARTED")).count() == 3);
            await().atMost(WAIT).until(() -> events.all().stream().filter(e -> e.startsWith("ATTEMPT_STARTED")).count() == 3);
            await().atMost(WAIT).until(() -> synSent(ports) == before + 3);

            connector.closeAsync().get(5, TimeUnit.SECONDS);

            assertThat(synSent(ports)).as("no socket still connecting").isEqualTo(before);
            assertThat(installed.get()).isZero();
            assertThat(events.all()).noneMatch(e -> e.startsWith("CONNECTED") || e.startsWith("ATTEMPT_FAILED"));
            assertThat(events.all()).filteredOn(e -> e.startsWith("CONNECT_FAILED")).containsExactly("CONNECT_FAILED LOCAL_CLOSE");
        }
    }
}
