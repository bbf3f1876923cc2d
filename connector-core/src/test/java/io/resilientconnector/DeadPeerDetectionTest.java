package io.resilientconnector;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.resilientconnector.faultlab.Detection;
import io.resilientconnector.faultlab.FaultLab;
import io.resilientconnector.faultlab.LabClient.Timed;
import io.resilientconnector.faultlab.LabClient;
import io.resilientconnector.faultlab.NumberedWriter;
import io.resilientconnector.internal.ending.TcpInfo;
import io.resilientconnector.testing.Transports;
import io.resilientconnector.transport.KeepAliveOptions;
import io.resilientconnector.transport.TransportType;
import io.resilientconnector.util.Durations;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Dead-peer detection against the real kernel: a real peer in a {@link FaultLab} namespace, a link that is
 * really cut, on epoll, io_uring and NIO. Each test prints its measured detection time as a
 * {@code DETECTION} line.
 *
 * <p>Timings: keepalive idle 2 s, interval 1 s, count 3, so an idle dead peer is found 5 s after the last
 * segment received; the user timeout and the write-stall timeout are derived from them and are 5 s too.
 *
 * <p>Margins, the same for every case:
 * <ul>
 *   <li>{@value #LATE} s late: the kernel's timer wheel rounds timers of this length up by up to 64 ms each,
 *       and an event loop on a busy 2-core machine can be scheduled late or paused by a collection;</li>
 *   <li>{@value #EARLY} s early: detection must not come implausibly early, which would mean something else
 *       (a reset, a read timeout) ended the connection. Each start instant is taken after the fault is
 *       certainly in force, so a measurement can only err short by the few milliseconds the fault command
 *       took;</li>
 *   <li>where the write-progress watchdog detects, its check granularity (a quarter of the stall timeout,
 *       1.25 s) and the time the socket's send buffer took to fill are added to the late side, since the
 *       watchdog only sees a stall once that buffer is full. Both are documented properties of the watchdog.</li>
 * </ul>
 */
class DeadPeerDetectionTest {

    private static final KeepAliveOptions KEEPALIVE = KeepAliveOptions.builder()
            .idle(Duration.ofSeconds(2)).interval(Duration.ofSeconds(1)).count(3).build();
    /**
     * The derived user timeout, idle + interval × count, in seconds; the write-stall timeout is derived from
     * it and is the same.
     */
    private static final double BOUND = KEEPALIVE.userTimeout().toMillis() / 1000.0;
    static final double LATE = 2.0;
    static final double EARLY = 0.5;
    private static final double WATCHDOG_GRANULARITY = BOUND / 4;

    private static final Duration CONNECT = Duration.ofSeconds(15);
    private static final Duration FLOWING = Duration.ofSeconds(15);
    /** Longer than any allowed window, so that a slow detection is measured rather than timed out. */
    private static final Duration DETECTION_DEADLINE = Duration.ofSeconds(30);

    static List<TransportType> transports() {
        return Transports.linuxAndNio();
    }

    @AfterAll
    static void summary() {
        List<String> lines = Detection.lines();
        if (!lines.isEmpty()) {
            System.out.println("DETECTION SUMMARY (keepalive " + Durations.format(KEEPALIVE.idle()) + "/"
                    + Durations.format(KEEPALIVE.interval()) + "/" + KEEPALIVE.count() + ", user timeout "
                    + Durations.format(KEEPALIVE.userTimeout()) + ", write-stall timeout "
                    + Durations.format(KEEPALIVE.userTimeout()) + ")");
            lines.forEach(l -> System.out.println("  " + l));
        }
    }

    private static ConnectorOptions.Builder options(FaultLab lab, TransportType type) {
        return ConnectorOptions.builder()
                .endpoint(lab.peerHost(), lab.peerPort())
                .transport(type)
                .keepAlive(KEEPALIVE)
                .readIdlePeriod(Duration.ZERO)
                .connectTimeout(Duration.ofSeconds(1))
                .reconnect(ReconnectPolicy.builder().initialDelay(Duration.ofMillis(200))
                        .maxDelay(Duration.ofSeconds(1)).jitter(Jitter.NONE).build());
    }

    private static boolean isNative(TransportType type) {
        return type == TransportType.EPOLL || type == TransportType.IO_URING;
    }

    private static String name(TransportType type) {
        return type.name().toLowerCase(Locale.ROOT);
    }

    private static String describe(Disconnection why) {
        return "cause=" + why.cause() + (why.errno() == null ? "" : " errno=" + why.errno())
                + " unacknowledged=" + why.unacknowledged();
    }

    /** Starts writing 1 KiB numbered lines every millisecond (about 1 MB/s) and waits until they flow. */
    private static NumberedWriter busyWriter(FaultLab lab, LabClient client) {
        NumberedWriter writer = NumberedWriter.start(client.connector(), 1024, Duration.ofMillis(1), 1);
        await().atMost(FLOWING).until(() -> lab.stats().lines() >= 200);
        return writer;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void idleLinkBlackholedTimesOutWithinKeepaliveBoundOfLastSegment(TransportType type) throws Exception {
        Transports.assumeAvailable(type);
        try (FaultLab lab = FaultLab.startForTest(); LabClient client = LabClient.start(options(lab, type).build())) {
            client.awaitConnected(CONNECT);
            // The client's connect completes with the handshake, which can be before the peer's accept() returns.
            await().atMost(FLOWING).until(() -> lab.stats().open() == 1);
            assertThat(lab.sendLine("last segment before the cut")).isEqualTo(1);
            await().atMost(FLOWING).until(() -> client.bytesRead() > 0);
            // The keepalive timer counts from the last segment received; nothing is sent or received after it.
            long lastReceived = client.lastReadNanos();
            lab.blackhole();

            Timed<Disconnection> end = client.awaitEnded(DETECTION_DEADLINE);
            Disconnection why = end.value();
            Detection.check(name(type), "idle-blackhole", BOUND, end.secondsSince(lastReceived), EARLY, LATE,
                    describe(why));
            assertThat(why.cause()).isEqualTo(DisconnectCause.TIMED_OUT);
            assertThat(why.errno()).isEqualTo(isNative(type) ? "ETIMEDOUT" : null);
            if (isNative(type)) {
                assertThat(why.unacknowledged().bytes()).as("nothing was in flight on an idle link").isZero();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void busyLinkBlackholedIsCutByTheUserTimeoutOrOnNioByTheWatchdog(TransportType type) throws Exception {
        Transports.assumeAvailable(type);
        try (FaultLab lab = FaultLab.startForTest()) {
            // On the native transports the watchdog is off, so that only TCP_USER_TIMEOUT can end it.
            ConnectorOptions.Builder options = options(lab, type);
            if (isNative(type)) {
                options.writeStallTimeout(Duration.ZERO);
            }
            try (LabClient client = LabClient.start(options.build())) {
                client.awaitConnected(CONNECT);
                try (NumberedWriter writer = busyWriter(lab, client)) {
                    // Before the command: the cut is no earlier, so its run time can only add to the measure, never
                    // make a detection look early.
                    long cut = System.nanoTime();
                    lab.blackhole();

                    Timed<Disconnection> end = client.awaitEnded(DETECTION_DEADLINE);
                    Disconnection why = end.value();
                    double filled = Math.max(0, (writer.lastWrittenNanos() - cut) / 1e9);
                    String note = describe(why) + String.format(Locale.ROOT, " sendBufferFullAfter=%.2fs", filled);
                    if (isNative(type)) {
                        Detection.check(name(type), "busy-blackhole", BOUND, end.secondsSince(cut), EARLY, LATE, note);
                        assertThat(why.cause()).isEqualTo(DisconnectCause.TIMED_OUT);
                        assertThat(why.errno()).isEqualTo("ETIMEDOUT");
                    } else {
                        Detection.check(name(type), "busy-blackhole", BOUND, end.secondsSince(cut), EARLY,
                                filled + WATCHDOG_GRANULARITY + LATE, note);
                        assertThat(why.cause()).isEqualTo(DisconnectCause.STALLED);
                    }
                }
            }
        }
    }

    /**
     * A line now and then, as a person typing or a sensor reporting: the send buffer never fills, so only the
     * kernel's send queue shows the stall. The user timeout is off, so that the watchdog alone must end it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void slowWritesIntoABlackholeAreCutByTheWatchdogAlone(TransportType type) throws Exception {
        Transports.assumeAvailable(type);
        try (FaultLab lab = FaultLab.startForTest()) {
            ConnectorOptions options = options(lab, type)
                    .keepAlive(KEEPALIVE.toBuilder().userTimeout(Duration.ZERO).build())
                    .writeStallTimeout(Duration.ofSeconds(5))
                    .build();
            try (LabClient client = LabClient.start(options)) {
                client.awaitConnected(CONNECT);
                // 64-byte lines every 200 ms: 320 bytes a second, which no send buffer fills in this test.
                try (NumberedWriter writer = NumberedWriter.start(client.connector(), 64, Duration.ofMillis(200), 1)) {
                    await().atMost(FLOWING).until(() -> lab.stats().lines() >= 5);
                    // Before the command: the cut is no earlier, so its run time can only add to the measure, never
                    // make a detection look early.
                    long cut = System.nanoTime();
                    lab.blackhole();

                    Timed<Disconnection> end = client.awaitEnded(DETECTION_DEADLINE);
                    Disconnection why = end.value();
                    // The stall clock starts at the kernel's first retransmission timeout (200 ms or more
                    // after the cut) and is read once per quarter of the timeout, so either side may be off
                    // by one check.
                    Detection.check(name(type), "slow-writes-blackhole", BOUND, end.secondsSince(cut),
                            WATCHDOG_GRANULARITY + EARLY, WATCHDOG_GRANULARITY + LATE, describe(why));
                    assertThat(why.cause()).isEqualTo(DisconnectCause.STALLED);
                    assertThat(why.detail()).contains("in the kernel, none acknowledged");
                    assertThat(writer.lastWrittenNanos()).as("the socket kept taking the lines after the cut")
                            .isGreaterThan(cut);
                }
            }
        }
    }

    @Test
    void busyLinkBlackholedWithKeepaliveAloneHasNotEndedAfter30Seconds() throws Exception {
        TransportType type = TransportType.EPOLL;
        Transports.assumeAvailable(type);
        try (FaultLab lab = FaultLab.startForTest()) {
            ConnectorOptions options = options(lab, type)
                    .keepAlive(KEEPALIVE.toBuilder().userTimeout(Duration.ZERO).build())
                    .writeStallTimeout(Duration.ZERO)
                    .build();
            try (LabClient client = LabClient.start(options)) {
                Channel channel = client.awaitConnected(CONNECT).value();
                try (NumberedWriter writer = busyWriter(lab, client)) {
                    lab.blackhole();
                    Timed<Disconnection> end = client.pollEnded(Duration.ofSeconds(30));
                    TcpInfo info = channel.eventLoop().submit(() -> TcpInfo.read(channel)).get(5, TimeUnit.SECONDS);
                    Detection.record("DETECTION transport=" + name(type) + " scenario=busy-blackhole-keepalive-only "
                            + "bound=none measured=" + (end == null ? ">30s" : "ended: " + describe(end.value()))
                            + " (unacknowledged data stops keepalive; the kernel retransmits for ~15 min, tcp_retries2)");
                    assertThat(end).as("keepalive alone must not end a busy connection: that is the gap the user "
                            + "timeout and the watchdog close").isNull();
                    assertThat(client.connector().state()).isEqualTo(ConnectorState.CONNECTED);
                    assertThat(info.unackedSegments()).as("segments were in flight the whole time").isPositive();
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void peerThatStopsReadingIsDetectedAsStalledOrTimedOut(TransportType type) throws Exception {
        Transports.assumeAvailable(type);
        try (FaultLab lab = FaultLab.startForTest(); LabClient client = LabClient.start(options(lab, type).build())) {
            client.awaitConnected(CONNECT);
            try (NumberedWriter writer = busyWriter(lab, client)) {
                // Before the command: the stall is no earlier, so its run time can only add to the measure, never
                // make a detection look early.
                long stalled = System.nanoTime();
                lab.stallReading();

                Timed<Disconnection> end = client.awaitEnded(DETECTION_DEADLINE);
                Disconnection why = end.value();
                double filled = Math.max(0, (writer.lastWrittenNanos() - stalled) / 1e9);
                // The user timeout counts from the first zero-window probe and the watchdog from the moment the
                // send buffer is full; both follow the stall by about the time it takes to fill the buffers.
                Detection.check(name(type), "zero-window", BOUND, end.secondsSince(stalled), EARLY,
                        filled + WATCHDOG_GRANULARITY + LATE,
                        describe(why) + String.format(Locale.ROOT, " sendBufferFullAfter=%.2fs", filled));
                if (isNative(type)) {
                    assertThat(why.cause()).isIn(DisconnectCause.STALLED, DisconnectCause.TIMED_OUT);
                } else {
                    assertThat(why.cause()).isEqualTo(DisconnectCause.STALLED);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void resetIsReportedAsResetAndFollowedByAReconnect(TransportType type) throws Exception {
        Transports.assumeAvailable(type);
        try (FaultLab lab = FaultLab.startForTest(); LabClient client = LabClient.start(options(lab, type).build())) {
            client.awaitConnected(CONNECT);
            await().atMost(FLOWING).until(() -> lab.stats().open() == 1);
            // The RST reaches the client before resetConnections() returns, so the clock starts before it.
            long reset = System.nanoTime();
            lab.resetConnections();

            Timed<Disconnection> end = client.awaitEnded(DETECTION_DEADLINE);
            Disconnection why = end.value();
            Detection.check(name(type), "rst", 0, end.secondsSince(reset), 0, LATE, describe(why));
            assertThat(why.cause()).isEqualTo(DisconnectCause.RESET);
            assertThat(why.errno()).isEqualTo(isNative(type) ? "ECONNRESET" : null);

            client.awaitConnected(CONNECT);
            await().atMost(FLOWING).until(() -> lab.stats().accepted() == 2);
            client.connector().send(Unpooled.copiedBuffer("0:after the reset\n", StandardCharsets.US_ASCII))
                    .get(10, TimeUnit.SECONDS);
            await().atMost(FLOWING).until(() -> lab.receivedNumbers().get(0));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void afterHealItReconnectsAndNoMessageIsSilentlyLost(TransportType type) throws Exception {
        Transports.assumeAvailable(type);
        try (FaultLab lab = FaultLab.startForTest()) {
            // A small pending buffer, so that the outage overflows it and some sends fail explicitly.
            ConnectorOptions options = options(lab, type).maxPendingMessages(300).build();
            try (LabClient client = LabClient.start(options)) {
                client.awaitConnected(CONNECT);
                // 512-byte lines every 2 ms: about 250 kB/s, enough to fill the send buffer within a second.
                NumberedWriter writer = NumberedWriter.start(client.connector(), 512, Duration.ofMillis(2), 1);
                try (writer) {
                    await().atMost(FLOWING).until(() -> lab.stats().lines() >= 100);
                    // Before the command: the cut is no earlier, so its run time can only add to the measure, never
                    // make a detection look early.
                    long cut = System.nanoTime();
                    lab.blackhole();
                    int sentAtCut = writer.sent();

                    Timed<Disconnection> end = client.awaitEnded(DETECTION_DEADLINE);
                    Disconnection why = end.value();
                    int sentBeforeDetection = writer.sent();
                    double filled = Math.max(0, (writer.lastWrittenNanos() - cut) / 1e9);
                    Detection.check(name(type), "heal-busy-blackhole", BOUND, end.secondsSince(cut), EARLY,
                            (why.cause() == DisconnectCause.STALLED ? filled + WATCHDOG_GRANULARITY : 0) + LATE,
                            describe(why));
                    assertThat(why.cause()).isIn(DisconnectCause.TIMED_OUT, DisconnectCause.STALLED);

                    // Still cut: an attempt fails before the link heals.
                    await().atMost(FLOWING).until(() -> !client.connectFailures().isEmpty());
                    lab.heal();
                    long healed = System.nanoTime();
                    Timed<Channel> back = client.awaitConnected(CONNECT);
                    int sentBeforeReconnect = writer.sent();
                    long linesAtReconnect = lab.stats().lines();
                    await().atMost(FLOWING).until(() -> lab.stats().lines() >= linesAtReconnect + 200);
                    writer.stop();
                    int last = writer.sent() - 1;
                    writer.awaitAllSettled(Duration.ofSeconds(30));
                    await().atMost(FLOWING).until(() -> lab.receivedNumbers().get(last));

                    NumberedWriter.Accounting account = writer.account(lab.receivedNumbers());
                    List<Timed<Disconnection>> ended = client.endedConnections();
                    long reported = 0;
                    boolean allKnown = true;
                    for (Timed<Disconnection> e : ended) {
                        Unacknowledged u = e.value().unacknowledged();
                        allKnown &= u.known();
                        reported += u.known() ? u.bytes() : 0;
                    }
                    long lostBytes = (long) account.writtenButLost().cardinality() * writer.messageBytes();
                    Detection.record(String.format(Locale.ROOT, "HEAL transport=%s reconnectedAfterHeal=%.2fs %s "
                                    + "lostBytes=%d reportedUnacknowledged=%s failures=%s", name(type),
                            back.secondsSince(healed), account, lostBytes,
                            allKnown ? reported + " bytes" : "unknown", account.failureKinds()));

                    assertThat(account.pending().isEmpty()).as("every send future completed").isTrue();
                    assertThat(account.failedButReceived().isEmpty()).as("no failed send was received").isTrue();
                    assertThat(account.receivedButNeverSent().isEmpty()).isTrue();
                    assertThat(lab.stats().duplicates()).as("nothing received twice").isZero();
                    assertThat(lab.stats().outOfOrder()).as("nothing received out of order").isZero();
                    BitSet whileDisconnected = new BitSet();
                    whileDisconnected.set(sentBeforeDetection, sentBeforeReconnect);
                    whileDisconnected.and(account.writtenButLost());
                    assertThat(whileDisconnected.isEmpty()).as("messages sent while disconnected arrive or fail").isTrue();
                    // The pending-send buffer fills while the dead connection stalls (the socket takes nothing),
                    // so what it keeps may all have been sent before the detection: count from the cut.
                    BitSet duringOutage = new BitSet();
                    duringOutage.set(sentAtCut, sentBeforeReconnect);
                    duringOutage.and(account.received());
                    assertThat(duringOutage.isEmpty()).as("messages kept during the outage arrive after the reconnect")
                            .isFalse();
                    // TCP_INFO on epoll and io_uring; on NIO /proc/net/tcp, which lists the connection until the
                    // watchdog resets it (NIO detects a busy blackhole only as STALLED).
                    assertThat(why.cause() == DisconnectCause.STALLED || isNative(type)).isTrue();
                    assertThat(allKnown).as("the unacknowledged bytes are reported: " + ended).isTrue();
                    // A message cut by the acknowledged boundary is lost whole, hence one message of slack.
                    assertThat(lostBytes).as("lost messages are covered by the unacknowledged bytes reported")
                            .isLessThanOrEqualTo(reported + writer.messageBytes());
                }
            }
        }
    }
}
