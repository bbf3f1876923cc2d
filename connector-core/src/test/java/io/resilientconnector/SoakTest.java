package io.resilientconnector;

import io.resilientconnector.faultlab.FaultLab;
import io.resilientconnector.faultlab.LabClient.Timed;
import io.resilientconnector.faultlab.LabClient;
import io.resilientconnector.faultlab.NumberedWriter;
import io.resilientconnector.testing.Footprint;
import io.resilientconnector.testing.Transports;
import io.resilientconnector.transport.KeepAliveOptions;
import io.resilientconnector.transport.TransportType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One connector that keeps sending through 200 server restarts and 50 blackhole/heal cycles, against a real
 * peer in a {@link FaultLab} namespace. Afterwards it is connected, every message is accounted for, and
 * threads, file descriptors and heap after GC have not grown beyond small bounds. Leak detection is PARANOID
 * for the whole suite, and a LEAK report fails the class.
 *
 * <p>The default is sized for CI (a few minutes on 2 cores). For a longer run:
 * {@code ./mvnw -pl connector-core test -Dtest=SoakTest -Dsoak.restarts=2000 -Dsoak.blackholes=500}.
 *
 * <p>Accounting. A byte stream without acknowledgements from the application cannot deliver everything
 * across a dead connection: bytes the kernel accepted but the peer never acknowledged are gone when the
 * connection is reset or times out. So every message must be either received exactly once, in order, or
 * have its future failed with a reason, or be among the bytes that a disconnection reported as
 * unacknowledged (TCP_INFO, on epoll).
 */
class SoakTest {

    private static final int RESTARTS = Integer.getInteger("soak.restarts", 200);
    private static final int BLACKHOLES = Integer.getInteger("soak.blackholes", 50);
    private static final Duration STEP = Duration.ofSeconds(20);
    private static final int MESSAGE_BYTES = 128;

    /** Bounds on growth over the whole soak, after warm-up; generous against noise, far below a real leak. */
    private static final int MAX_THREAD_GROWTH = 4;
    private static final int MAX_FD_GROWTH = 16;
    private static final long MAX_HEAP_GROWTH = 24L * 1024 * 1024;

    @Test
    void survivesRestartsAndBlackholesWithEveryMessageAccountedFor() throws Exception {
        TransportType type = TransportType.EPOLL;
        Transports.assumeAvailable(type);
        try (FaultLab lab = FaultLab.startForTest()) {
            ConnectorOptions options = ConnectorOptions.builder()
                    .endpoint(lab.peerHost(), lab.peerPort())
                    .transport(type)
                    .keepAlive(KeepAliveOptions.builder().idle(Duration.ofSeconds(1)).interval(Duration.ofSeconds(1))
                            .count(1).userTimeout(Duration.ofSeconds(1)).build())
                    .writeStallTimeout(Duration.ofSeconds(1))
                    .connectTimeout(Duration.ofMillis(500))
                    .readIdlePeriod(Duration.ZERO)
                    .reconnect(ReconnectPolicy.builder().initialDelay(Duration.ofMillis(10))
                            .maxDelay(Duration.ofMillis(200)).jitter(Jitter.FULL).build())
                    .build();
            try (LabClient client = LabClient.start(options)) {
                client.awaitConnected(STEP);
                // 128-byte lines every 2 ms: 64 KB/s, always something in flight when a fault strikes.
                NumberedWriter writer = NumberedWriter.start(client.connector(), MESSAGE_BYTES, Duration.ofMillis(2), 1);
                try (writer) {
                    awaitFlowing(lab, 200);
                    // Warm up every path once before the baseline: a restart and a blackhole.
                    restart(lab, client);
                    blackholeAndHeal(lab, client);
                    Footprint before = Footprint.take();

                    int blackholes = 1;
                    for (int restart = 1; restart <= RESTARTS; restart++) {
                        restart(lab, client);
                        if (blackholes < BLACKHOLES + 1 && restart % Math.max(1, RESTARTS / BLACKHOLES) == 0) {
                            blackholeAndHeal(lab, client);
                            blackholes++;
                        }
                    }
                    while (blackholes < BLACKHOLES + 1) {
                        blackholeAndHeal(lab, client);
                        blackholes++;
                    }

                    writer.stop();
                    writer.awaitAllSettled(Duration.ofSeconds(30));
                    int last = writer.sent() - 1;
                    await().atMost(STEP).until(() -> lab.receivedNumbers().get(last));
                    Footprint after = Footprint.take();

                    assertThat(client.connector().state()).isEqualTo(ConnectorState.CONNECTED);
                    account(lab, client, writer);
                    System.out.println("SOAK footprint before " + before + ", after " + after);
                    assertThat(after.threads() - before.threads()).as("thread growth").isLessThanOrEqualTo(MAX_THREAD_GROWTH);
                    if (before.fds() >= 0) {
                        assertThat(after.fds() - before.fds()).as("file descriptor growth").isLessThanOrEqualTo(MAX_FD_GROWTH);
                    }
                    assertThat(after.heap() - before.heap()).as("heap growth after GC").isLessThanOrEqualTo(MAX_HEAP_GROWTH);
                }
            }
        }
    }

    private static void awaitFlowing(FaultLab lab, int lines) throws Exception {
        long from = lab.stats().lines();
        await().atMost(STEP).until(() -> lab.stats().lines() >= from + lines);
    }

    private static void restart(FaultLab lab, LabClient client) throws Exception {
        lab.restartPeer();
        Timed<Disconnection> end = client.awaitEnded(STEP);
        assertThat(end.value().cause()).as("after a restart: %s", end.value())
                .isIn(DisconnectCause.RESET, DisconnectCause.PEER_CLOSED);
        client.awaitConnected(STEP);
        awaitFlowing(lab, 20);
    }

    private static void blackholeAndHeal(FaultLab lab, LabClient client) throws Exception {
        lab.blackhole();
        Timed<Disconnection> end = client.awaitEnded(STEP);
        assertThat(end.value().cause()).as("after a blackhole: %s", end.value())
                .isIn(DisconnectCause.TIMED_OUT, DisconnectCause.STALLED);
        lab.heal();
        client.awaitConnected(STEP);
        awaitFlowing(lab, 20);
    }

    private static void account(FaultLab lab, LabClient client, NumberedWriter writer) throws Exception {
        BitSet received = lab.receivedNumbers();
        NumberedWriter.Accounting account = writer.account(received);
        FaultLab.PeerStats stats = lab.stats();
        List<Timed<Disconnection>> ended = client.endedConnections();
        Map<DisconnectCause, Integer> causes = new EnumMap<>(DisconnectCause.class);
        long reported = 0;
        int unknown = 0;
        for (Timed<Disconnection> e : ended) {
            causes.merge(e.value().cause(), 1, Integer::sum);
            Unacknowledged u = e.value().unacknowledged();
            if (u != null && u.known()) {
                reported += u.bytes();
            } else {
                unknown++;
            }
        }
        long lostBytes = (long) account.writtenButLost().cardinality() * MESSAGE_BYTES;
        System.out.println(String.format(Locale.ROOT, "SOAK %s disconnections=%d %s lostBytes=%d "
                        + "reportedUnacknowledged=%d unknownReports=%d peer=%s failures=%s", account, ended.size(), causes,
                lostBytes, reported, unknown, stats, account.failureKinds()));

        assertThat(account.pending().isEmpty()).as("every send future completed").isTrue();
        assertThat(account.failedButReceived().isEmpty()).as("no failed send was received").isTrue();
        assertThat(account.receivedButNeverSent().isEmpty()).as("nothing received that was not sent").isTrue();
        assertThat(stats.duplicates()).as("nothing received twice").isZero();
        assertThat(stats.outOfOrder()).as("nothing received out of order").isZero();
        assertThat(ended.size()).as("every fault ended a connection").isGreaterThanOrEqualTo(RESTARTS + BLACKHOLES);
        assertThat(unknown).as("every end reports its unacknowledged bytes on epoll").isZero();
        // A message cut by the acknowledged boundary is lost whole: one message of slack per disconnection.
        assertThat(lostBytes).as("messages lost with dead connections are within the unacknowledged bytes reported")
                .isLessThanOrEqualTo(reported + (long) ended.size() * MESSAGE_BYTES);
    }
}
