package io.resilientconnector.internal.connect;

import io.netty.channel.Channel;
import io.netty.channel.ConnectTimeoutException;
import io.netty.util.concurrent.Future;
import io.resilientconnector.testing.Closer;
import io.resilientconnector.testing.FullBacklogListener;
import io.resilientconnector.testing.Ports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.resilientconnector.internal.connect.RaceKit.at;
import static io.resilientconnector.internal.connect.RaceKit.direct;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/** The race on real loopback sockets: who is started when, who wins, and that every loser is closed. */
class ConnectRaceTest {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final long WAIT_SECONDS = 10;

    @RegisterExtension
    final Closer closer = new Closer();

    private final RaceKit kit = closer.add(new RaceKit());

    private static <T> Future<T> done(Future<T> f) throws InterruptedException {
        assertThat(f.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("completes within %ss", WAIT_SECONDS).isTrue();
        return f;
    }

    @Test
    void aRefusedAttemptStartsTheNextAtOnce() throws Exception {
        ServerSocket live = kit.listen("127.0.0.2", 0);
        int port = live.getLocalPort();
        assumeThat(RaceKit.refuses("127.0.0.1", port)).as("nothing listens on 127.0.0.1:%s", port).isTrue();
        RaceKit.Log log = new RaceKit.Log();
        long start = System.nanoTime();

        // An attempt delay of 2 s: only the refusal can start the second attempt sooner.
        ConnectRace race = ConnectRace.start(kit.loop, List.of(direct(at("127.0.0.1", port)), direct(at("127.0.0.2", port))),
                Duration.ofSeconds(2), kit.opener(CONNECT_TIMEOUT), log);

        Connected won = done(race.result()).getNow();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500));
        assertThat(won.route().address()).isEqualTo(at("127.0.0.2", port));
        assertThat(won.channel().isActive()).isTrue();
        assertThat(log.events).containsExactly("started 127.0.0.1:" + port, "failed 127.0.0.1:" + port + " ConnectException",
                "started 127.0.0.2:" + port, "won 127.0.0.2:" + port);
        done(race.settled());
        assertThat(kit.stillOpen()).containsExactly(won.channel());
    }

    @Test
    void anUnansweredAttemptIsJoinedByTheNextAfterTheAttemptDelayAndClosedWhenItLoses() throws Exception {
        try (FullBacklogListener silent = new FullBacklogListener()) {
            ServerSocket live = kit.listen("127.0.0.1", 0);
            RaceKit.Log log = new RaceKit.Log();
            long start = System.nanoTime();

            ConnectRace race = ConnectRace.start(kit.loop, List.of(direct(at("127.0.0.1", silent.port())),
                    direct(at("127.0.0.1", live.getLocalPort()))), Duration.ofMillis(100), kit.opener(CONNECT_TIMEOUT), log);

            Connected won = done(race.result()).getNow();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(CONNECT_TIMEOUT.dividedBy(2));
            assertThat(won.route().address().getPort()).isEqualTo(live.getLocalPort());
            // The silent attempt neither failed nor won: it lost, and losing is silent.
            assertThat(log.events).containsExactly("started 127.0.0.1:" + silent.port(),
                    "started 127.0.0.1:" + live.getLocalPort(), "won 127.0.0.1:" + live.getLocalPort());
            done(race.settled());
            assertThat(kit.stillOpen()).containsExactly(won.channel());
        }
    }

    @Test
    void withAttemptDelayZeroEachAttemptRunsToItsTimeoutAlone() throws Exception {
        try (FullBacklogListener silent = new FullBacklogListener()) {
            ServerSocket live = kit.listen("127.0.0.1", 0);
            RaceKit.Log log = new RaceKit.Log();
            long start = System.nanoTime();

            ConnectRace race = ConnectRace.start(kit.loop, List.of(direct(at("127.0.0.1", silent.port())),
                    direct(at("127.0.0.1", live.getLocalPort()))), Duration.ZERO, kit.opener(Duration.ofMillis(300)), log);

            Connected won = done(race.result()).getNow();
            // The control for the test above: without fast fallback the silent address costs its whole timeout.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
            assertThat(won.route().address().getPort()).isEqualTo(live.getLocalPort());
            assertThat(log.events).containsExactly("started 127.0.0.1:" + silent.port(),
                    "failed 127.0.0.1:" + silent.port() + " ConnectTimeoutException",
                    "started 127.0.0.1:" + live.getLocalPort(), "won 127.0.0.1:" + live.getLocalPort());
        }
    }

    @Test
    void failsWithEveryAttemptsCauseWhenAllFail() throws Exception {
        List<Route> routes = List.of(direct(at("127.0.0.1", Ports.closed())), direct(at("127.0.0.1", Ports.closed())),
                direct(at("127.0.0.1", Ports.closed())));
        RaceKit.Log log = new RaceKit.Log();

        ConnectRace race = ConnectRace.start(kit.loop, routes, Duration.ofMillis(250), kit.opener(CONNECT_TIMEOUT), log);

        Throwable cause = done(race.result()).cause();
        assertThat(cause).isInstanceOf(ConnectFailedException.class).hasCauseInstanceOf(ConnectException.class)
                .hasMessageStartingWith("3 attempts failed: ");
        List<AttemptFailure> failures = ((ConnectFailedException) cause).failures();
        assertThat(failures).extracting(AttemptFailure::route).containsExactlyElementsOf(routes);
        assertThat(failures).allSatisfy(f -> assertThat(f.cause()).isInstanceOf(ConnectException.class));
        assertThat(cause.getCause()).isSameAs(failures.get(2).cause());
        done(race.settled());
        assertThat(kit.opened).hasSize(3);
        assertThat(kit.stillOpen()).isEmpty();
    }

    @Test
    void anOpenerThatThrowsCountsAsAFailedAttempt() throws Exception {
        ServerSocket live = kit.listen("127.0.0.1", 0);
        RouteOpener real = kit.opener(CONNECT_TIMEOUT);
        InetSocketAddress broken = at("127.0.0.1", Ports.closed());
        RouteOpener opener = route -> {
            if (route.address().equals(broken)) {
                throw new IllegalStateException("no channel for you");
            }
            return real.open(route);
        };
        RaceKit.Log log = new RaceKit.Log();

        ConnectRace race = ConnectRace.start(kit.loop, List.of(direct(broken), direct(at("127.0.0.1", live.getLocalPort()))),
                Duration.ofSeconds(2), opener, log);

        assertThat(done(race.result()).getNow().route().address().getPort()).isEqualTo(live.getLocalPort());
        assertThat(log.events).contains("failed 127.0.0.1:" + broken.getPort() + " IllegalStateException");
    }

    @Test
    void anEmptyListFailsAtOnce() throws Exception {
        ConnectRace race = ConnectRace.start(kit.loop, List.of(), Duration.ofMillis(250), kit.opener(CONNECT_TIMEOUT),
                AttemptListener.NONE);
        assertThat(done(race.result()).cause()).isInstanceOf(ConnectFailedException.class)
                .hasMessage("no address to connect to");
        done(race.settled());
    }

    @Test
    void cancelWhileSeveralAttemptsAreInFlightLeavesNoChannelOpen() throws Exception {
        try (FullBacklogListener a = new FullBacklogListener(); FullBacklogListener b = new FullBacklogListener();
             FullBacklogListener c = new FullBacklogListener()) {
            CountDownLatch threeStarted = new CountDownLatch(3);
            RaceKit.Log log = new RaceKit.Log() {
                @Override
                public void started(Route route) {
                    super.started(route);
                    threeStarted.countDown();
                }
            };
            ConnectRace race = ConnectRace.start(kit.loop, List.of(direct(at("127.0.0.1", a.port())),
                            direct(at("127.0.0.1", b.port())), direct(at("127.0.0.1", c.port()))),
                    Duration.ofMillis(10), kit.opener(CONNECT_TIMEOUT), log);
            assertThat(threeStarted.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> kit.stillOpen().size() == 3);

            done(race.cancel());

            assertThat(race.result().isCancelled()).isTrue();
            assertThat(kit.stillOpen()).isEmpty();
            // Nothing won, so nothing is handed over for the application's handlers; no attempt "failed" either.
            assertThat(log.events).allMatch(e -> e.startsWith("started "));
        }
    }

    @Test
    void cancelRacingAWinEitherHandsTheWinnerOverOrClosesIt() throws Exception {
        ServerSocket live = kit.listen("127.0.0.1", 0);
        RouteOpener opener = kit.opener(CONNECT_TIMEOUT);
        List<Channel> handedOver = new ArrayList<>();
        int cancelled = 0;
        for (int i = 0; i < 300; i++) {
            ConnectRace[] race = new ConnectRace[1];
            CountDownLatch created = new CountDownLatch(1);
            int mode = i % 3;
            AttemptListener canceller = new AttemptListener() {
                @Override
                public void started(Route route) {
                    awaitQuietly(created);
                    if (mode == 1) {
                        race[0].cancel();
                    }
                }

                @Override
                public void won(Route route, Channel channel) {
                    if (mode == 2) {
                        // The latest moment: the connect has succeeded, the result is not yet set.
                        race[0].result().cancel(false);
                    }
                }
            };
            race[0] = ConnectRace.start(kit.loop, List.of(direct(at("127.0.0.1", live.getLocalPort()))),
                    Duration.ofMillis(250), opener, canceller);
            created.countDown();
            if (mode == 0) {
                long until = System.nanoTime() + (i % 30) * 20_000L;
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
                race[0].cancel();
            }
            assertThat(race[0].settled().await(WAIT_SECONDS, TimeUnit.SECONDS)).as("settled, mode %s, round %s: %s", mode, i,
                    race[0].result()).isTrue();
            Future<Connected> result = done(race[0].result());
            if (result.isSuccess()) {
                handedOver.add(result.getNow().channel());
            } else {
                assertThat(result.isCancelled()).isTrue();
                cancelled++;
            }
            if (mode != 0) {
                assertThat(result.isCancelled()).as("cancelled in mode %s", mode).isTrue();
            }
        }
        // Every channel is either the caller's winner or closed; nothing else is left open.
        assertThat(kit.stillOpen()).allMatch(handedOver::contains);
        assertThat(cancelled).isGreaterThanOrEqualTo(200);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aFailedAttemptWhileAnotherIsInFlightWaitsForIt() throws Exception {
        try (FullBacklogListener silent = new FullBacklogListener()) {
            int refused = Ports.closed();
            RaceKit.Log log = new RaceKit.Log();

            ConnectRace race = ConnectRace.start(kit.loop, List.of(direct(at("127.0.0.1", silent.port())),
                    direct(at("127.0.0.1", refused))), Duration.ofMillis(50), kit.opener(Duration.ofMillis(500)), log);

            Throwable cause = done(race.result()).cause();
            assertThat(cause).isInstanceOf(ConnectFailedException.class).hasCauseInstanceOf(ConnectTimeoutException.class);
            assertThat(log.events).containsExactly("started 127.0.0.1:" + silent.port(), "started 127.0.0.1:" + refused,
                    "failed 127.0.0.1:" + refused + " ConnectException",
                    "failed 127.0.0.1:" + silent.port() + " ConnectTimeoutException");
            done(race.settled());
            assertThat(kit.stillOpen()).isEmpty();
        }
    }
}
