package io.resilientconnector.internal.connect;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.resilientconnector.Disconnection;
import io.resilientconnector.internal.ending.CauseClassifier;
import io.resilientconnector.util.Checks;
import io.resilientconnector.util.Durations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Moves a connector back to a higher endpoint of an ordered list. While it is connected to endpoint {@code k}
 * of the list, every endpoint before {@code k} is probed with a plain connect (a pass across its addresses,
 * with nothing installed, closed at once) every {@linkplain #probeInterval probe interval}. An endpoint whose
 * probes have all succeeded for the failback period qualifies; the best one that qualifies then gets a pass of
 * its own, whose winner receives the application's pipeline as a candidate. The connector switches to the
 * candidate once it is ready, and only then lets the old connection go: a healthy connection is never dropped
 * before its successor is in hand.
 *
 * <p>A failed probe starts an endpoint's period over, and so does a candidate that fails to become ready. So an
 * endpoint qualifies between the period and the period plus one probe interval after it came back.
 *
 * <p>Confined to the connector's event loop.
 */
public final class Failback {

    private static final Logger logger = LoggerFactory.getLogger(Failback.class);
    static final Duration MIN_PROBE_INTERVAL = Duration.ofMillis(200);
    static final Duration MAX_PROBE_INTERVAL = Duration.ofSeconds(30);

    /** Sets up the application's connection on a pass's winner. */
    public interface Installer {
        /**
         * @param candidate whether it is to replace the current connection once ready
         * @return {@code null}, or why it could not be set up (the channel is then closed)
         */
        Disconnection install(Connected won, boolean candidate);
    }

    private final EventLoop loop;
    private final List<InetSocketAddress> endpoints;
    private final Dialer dialer;
    private final long afterNanos;
    private final long intervalNanos;
    private final Installer installer;
    private final AttemptListener candidateEvents;

    // Confined to the event loop.
    private int current = -1;
    private long[] upSince = new long[0];
    private boolean[] probing = new boolean[0];
    private final List<ConnectPass> inFlight = new ArrayList<>();
    private ScheduledFuture<?> timer;
    private boolean candidate;
    /** Bumped whenever the connection changes, so that answers for an earlier one are ignored. */
    private long generation;

    /**
     * @param endpoints       the ordered endpoints, each an unresolved host and port
     * @param dialer          opens the passes, with the connector's resolvers, route database and attempt delay
     * @param after           how long an endpoint must keep accepting connections before the move
     * @param installer       sets up the candidate connection
     * @param candidateEvents hears the attempts of a candidate's pass (probes are silent)
     */
    public Failback(EventLoop loop, List<InetSocketAddress> endpoints, Dialer dialer, Duration after,
                    Installer installer, AttemptListener candidateEvents) {
        this.loop = Checks.notNull(loop, "loop");
        this.endpoints = List.copyOf(endpoints);
        this.dialer = Checks.notNull(dialer, "dialer");
        Checks.state(!after.isNegative() && !after.isZero(), "failbackAfter: " + Durations.format(after) + " (expected: > 0)");
        this.afterNanos = after.toNanos();
        this.intervalNanos = probeInterval(after).toNanos();
        this.installer = Checks.notNull(installer, "installer");
        this.candidateEvents = Checks.notNull(candidateEvents, "candidateEvents");
    }

    /** A fifth of the period, within 200 ms..30 s: how often the higher endpoints are probed. */
    public static Duration probeInterval(Duration after) {
        Duration fifth = after.dividedBy(5);
        if (fifth.compareTo(MIN_PROBE_INTERVAL) < 0) {
            return MIN_PROBE_INTERVAL;
        }
        return fifth.compareTo(MAX_PROBE_INTERVAL) > 0 ? MAX_PROBE_INTERVAL : fifth;
    }

    /** The connector is connected to {@code endpoint}, one of the list: probing starts if there is a higher one. */
    public void connected(InetSocketAddress endpoint) {
        stop();
        int index = endpoints.indexOf(endpoint);
        if (index <= 0) {
            return;
        }
        current = index;
        upSince = new long[index];
        Arrays.fill(upSince, -1);
        probing = new boolean[index];
        timer = loop.scheduleWithFixedDelay(this::probe, 0, intervalNanos, TimeUnit.NANOSECONDS);
        logger.debug("failback: connected to {}, probing {} every {}", endpoints.get(index), endpoints.subList(0, index),
                Durations.format(Duration.ofNanos(intervalNanos)));
    }

    /** The connection is gone, or the connector is closing: stops probing and abandons a candidate. */
    public void stop() {
        generation++;
        current = -1;
        candidate = false;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        for (ConnectPass pass : List.copyOf(inFlight)) {
            pass.cancel();
        }
        inFlight.clear();
    }

    /** The candidate connection ended before it was ready: every period starts over. */
    public void candidateFailed(Disconnection why) {
        logger.info("failback: the connection to the higher endpoint failed before it was ready: {}", why);
        candidate = false;
        Arrays.fill(upSince, -1);
    }

    /** Whether a candidate is being connected or set up. */
    public boolean hasCandidate() {
        return candidate;
    }

    private void probe() {
        if (current <= 0 || candidate) {
            return;
        }
        long gen = generation;
        for (int i = 0; i < current; i++) {
            if (probing[i]) {
                continue;
            }
            int index = i;
            long startedAt = loop.ticker().nanoTime();
            probing[i] = true;
            ConnectPass pass = dialer.pass(loop, endpoints.get(i), AttemptListener.NONE);
            inFlight.add(pass);
            pass.result().addListener(f -> probed(pass, index, startedAt, gen));
        }
    }

    private void probed(ConnectPass pass, int index, long startedAt, long gen) {
        inFlight.remove(pass);
        Future<Connected> f = pass.result();
        if (f.isSuccess()) {
            f.getNow().channel().close();
        }
        if (gen != generation) {
            return;
        }
        probing[index] = false;
        if (!f.isSuccess()) {
            upSince[index] = -1;
            return;
        }
        if (upSince[index] < 0) {
            upSince[index] = startedAt;
        }
        if (candidate) {
            return;
        }
        long now = loop.ticker().nanoTime();
        for (int i = 0; i < current; i++) {
            if (upSince[i] >= 0 && now - upSince[i] >= afterNanos) {
                connectCandidate(i, gen);
                return;
            }
        }
    }

    private void connectCandidate(int index, long gen) {
        candidate = true;
        logger.info("failback: {} has accepted connections for {}; connecting to it", endpoints.get(index),
                Durations.format(Duration.ofNanos(afterNanos)));
        ConnectPass pass = dialer.pass(loop, endpoints.get(index), candidateEvents);
        inFlight.add(pass);
        pass.result().addListener(f -> {
            inFlight.remove(pass);
            if (gen != generation) {
                if (f.isSuccess()) {
                    pass.result().getNow().channel().close();
                }
                return;
            }
            if (!f.isSuccess()) {
                candidateFailed(CauseClassifier.classifyConnectFailure(f.cause()));
                return;
            }
            Disconnection failed = installer.install(pass.result().getNow(), true);
            if (failed != null) {
                candidateFailed(failed);
            }
            // Otherwise the connector switches once the candidate is ready, or hears that it failed.
        });
    }
}
