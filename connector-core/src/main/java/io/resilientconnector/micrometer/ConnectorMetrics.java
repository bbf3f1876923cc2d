package io.resilientconnector.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.netty.channel.Channel;
import io.resilientconnector.ConnectorListener;
import io.resilientconnector.ConnectorState;
import io.resilientconnector.DisconnectCause;
import io.resilientconnector.Disconnection;
import io.resilientconnector.ResilientConnector;
import io.resilientconnector.SendRejectedException;
import io.resilientconnector.Unacknowledged;
import io.resilientconnector.internal.observe.SessionObserver;
import io.resilientconnector.internal.session.SessionAccess;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A connector's meters in a Micrometer {@link MeterRegistry}. Attach it once, best before
 * {@link ResilientConnector#start()}:
 *
 * <pre>{@code
 * ResilientConnector connector = ResilientConnector.builder(options).handler(...).build();
 * ConnectorMetrics.bind(connector, registry, "orders");
 * connector.start();
 * }</pre>
 *
 * <p>Every meter is tagged {@value #TAG_CONNECTOR} (the name given here) and {@value #TAG_ENDPOINT} (the server
 * address as configured, {@code host:port}); peer IP addresses and ports are never tags, so the number of time
 * series stays bounded by the causes, states and reasons, which are enums. The meters:
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>Name</th><th>Type</th><th>Extra tags</th><th>What</th></tr>
 *   <tr><td>{@value #STATE}</td><td>gauge</td><td>state</td><td>1 for the connector's current state, 0 for the
 *       others</td></tr>
 *   <tr><td>{@value #CONNECT_ATTEMPTS}</td><td>counter</td><td>outcome, cause</td><td>attempts to connect:
 *       {@code success} (cause {@code NONE}) once ready, through any proxy and TLS, or {@code failure}</td></tr>
 *   <tr><td>{@value #DISCONNECTS}</td><td>counter</td><td>cause</td><td>established connections that
 *       ended</td></tr>
 *   <tr><td>{@value #CONNECTION_DURATION}</td><td>timer</td><td></td><td>how long each connection was up, from its
 *       own connect to its own end</td></tr>
 *   <tr><td>{@value #OUTAGE_DURATION}</td><td>timer</td><td></td><td>from the end of the current connection until
 *       the next one was ready; a failback, which lets the old connection go once the new one is ready, is
 *       none</td></tr>
 *   <tr><td>{@value #DETECTION_LATENCY}</td><td>timer</td><td>cause</td><td>from the last bytes read to the end
 *       of the connection</td></tr>
 *   <tr><td>{@value #HEARTBEAT_RTT}</td><td>timer</td><td></td><td>round-trip time of answered heartbeats</td></tr>
 *   <tr><td>{@value #HEARTBEAT_MISSED}</td><td>counter</td><td></td><td>connections closed because a heartbeat
 *       went unanswered (cause {@code UNRESPONSIVE})</td></tr>
 *   <tr><td>{@value #PENDING_MESSAGES}</td><td>gauge</td><td></td><td>messages waiting to be written</td></tr>
 *   <tr><td>{@value #PENDING_BYTES}</td><td>gauge</td><td></td><td>their bytes</td></tr>
 *   <tr><td>{@value #SENDS_REJECTED}</td><td>counter</td><td>reason</td><td>messages that will not reach the
 *       socket: {@code BUFFER_FULL}, {@code CLOSED}, {@code GAVE_UP}</td></tr>
 *   <tr><td>{@value #UNACKNOWLEDGED}</td><td>distribution summary</td><td></td><td>bytes the peer had not
 *       acknowledged when each connection ended, where the transport knows them</td></tr>
 * </table>
 *
 * <p>Meters tagged by cause, outcome or reason appear with their first event. Every meter is removed from the
 * registry once the connector has closed, or when this binder is {@linkplain #close() closed}, whichever is
 * first; events after that are ignored. Thread-safe.
 *
 * <p>A name and an endpoint stand for one connector in a registry: binding another under the same pair is
 * rejected until the first binder closes. Micrometer would otherwise hand the second binder the first one's
 * meters: both connectors' counts would merge into one series, the gauges would read the first connector alone,
 * and closing either would remove the other's meters.
 */
public final class ConnectorMetrics implements ConnectorListener, AutoCloseable {

    /** The prefix of every meter's name. */
    public static final String PREFIX = "resilient.connector";
    public static final String STATE = PREFIX + ".state";
    public static final String CONNECT_ATTEMPTS = PREFIX + ".connect.attempts";
    public static final String DISCONNECTS = PREFIX + ".disconnects";
    public static final String CONNECTION_DURATION = PREFIX + ".connection.duration";
    public static final String OUTAGE_DURATION = PREFIX + ".outage.duration";
    public static final String DETECTION_LATENCY = PREFIX + ".detection.latency";
    public static final String HEARTBEAT_RTT = PREFIX + ".heartbeat.rtt";
    public static final String HEARTBEAT_MISSED = PREFIX + ".heartbeat.missed";
    public static final String PENDING_MESSAGES = PREFIX + ".pending.messages";
    public static final String PENDING_BYTES = PREFIX + ".pending.bytes";
    public static final String SENDS_REJECTED = PREFIX + ".sends.rejected";
    public static final String UNACKNOWLEDGED = PREFIX + ".unacknowledged.bytes";

    public static final String TAG_CONNECTOR = "connector";
    public static final String TAG_ENDPOINT = "endpoint";

    /** The cause tag of a connect attempt that succeeded. */
    private static final String NONE = "NONE";

    private final MeterRegistry registry;
    private final Tags tags;
    // Guarded by this.
    private final Set<Meter> meters = new LinkedHashSet<>();
    private volatile boolean closed;
    private final Timer connectionDuration;
    private final Timer outageDuration;
    private final Timer heartbeatRtt;
    private final Counter heartbeatMissed;
    private final DistributionSummary unacknowledged;
    private final Map<SendRejectedException.Reason, Counter> rejected = new EnumMap<>(SendRejectedException.Reason.class);
    // Written on the connector's event loop, where the session tells its observers.
    private long outageStartNanos = -1;

    /**
     * Which connector each pair of name and endpoint tags is bound to, per registry. Weak both ways: a connector's
     * listeners reach its registry, so a strong value would keep its key, and a registry or a connector that the
     * application drops without closing must not be kept.
     */
    private static final Map<MeterRegistry, Map<Tags, WeakReference<ResilientConnector>>> BOUND =
            new WeakHashMap<>();

    private ConnectorMetrics(ResilientConnector connector, MeterRegistry registry, Tags tags) {
        this.registry = registry;
        this.tags = tags;
        for (ConnectorState state : ConnectorState.values()) {
            track(Gauge.builder(STATE, connector, c -> c.state() == state ? 1 : 0)
                    .tags(tags).tag("state", state.name().toLowerCase(Locale.ROOT))
                    .description("1 for the connector's current state, 0 for the others")
                    .strongReference(true).register(registry));
        }
        track(Gauge.builder(PENDING_MESSAGES, connector, ResilientConnector::pendingMessages).tags(tags)
                .description("Messages waiting for a connection or for the socket to drain")
                .strongReference(true).register(registry));
        track(Gauge.builder(PENDING_BYTES, connector, ResilientConnector::pendingBytes).tags(tags).baseUnit("bytes")
                .description("Bytes of the messages waiting").strongReference(true).register(registry));
        connectionDuration = track(Timer.builder(CONNECTION_DURATION).tags(tags)
                .description("How long each connection was up").register(registry));
        outageDuration = track(Timer.builder(OUTAGE_DURATION).tags(tags)
                .description("From the end of a connection until the next one was ready").register(registry));
        heartbeatRtt = track(Timer.builder(HEARTBEAT_RTT).tags(tags)
                .description("Round-trip time of answered heartbeats").register(registry));
        heartbeatMissed = track(Counter.builder(HEARTBEAT_MISSED).tags(tags)
                .description("Connections closed because a heartbeat went unanswered").register(registry));
        unacknowledged = track(DistributionSummary.builder(UNACKNOWLEDGED).tags(tags).baseUnit("bytes")
                .description("Bytes the peer had not acknowledged when a connection ended").register(registry));
        // Created up front, at 0, so that a rate over them is defined before the first rejection.
        for (SendRejectedException.Reason reason : SendRejectedException.Reason.values()) {
            rejected.put(reason, track(Counter.builder(SENDS_REJECTED).tags(tags).tag("reason", reason.name())
                    .description("Messages that will not reach the socket").register(registry)));
        }
    }

    /**
     * Registers {@code connector}'s meters in {@code registry}, tagged with {@code name} and the connector's
     * endpoint, and keeps them up to date until the connector closes.
     *
     * @param name the connector's name for the {@value #TAG_CONNECTOR} tag, such as the service it talks to
     * @throws IllegalArgumentException if {@code name} is empty, or is already bound in {@code registry} for the
     *                                  same endpoint by a binder that has not closed
     */
    // "exports": Micrometer is an optional module, required statically and so not transitively; whoever calls
    // this has a registry, so reads micrometer.core already.
    @SuppressWarnings("exports")
    public static ConnectorMetrics bind(ResilientConnector connector, MeterRegistry registry, String name) {
        Objects.requireNonNull(connector, "connector");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("name: \"\" (expected: a non-empty name for the connector tag)");
        }
        Tags tags = Tags.of(TAG_CONNECTOR, name, TAG_ENDPOINT, connector.options().endpoint().toString());
        claim(registry, tags, connector, name);
        ConnectorMetrics metrics;
        try {
            metrics = new ConnectorMetrics(connector, registry, tags);
        } catch (RuntimeException | Error e) {
            release(registry, tags);
            throw e;
        }
        // The session says what each end was: a failed attempt, the current connection's, or a retired one's.
        SessionAccess.of(connector).observe(metrics.new Observer());
        connector.addListener(metrics);
        connector.closeFuture().thenRun(metrics::close);
        return metrics;
    }

    @Override
    public void heartbeat(Channel channel, Duration roundTrip) {
        if (!closed) {
            heartbeatRtt.record(roundTrip);
        }
    }

    @Override
    public void sendRejected(SendRejectedException rejected) {
        if (!closed) {
            this.rejected.get(rejected.reason()).increment();
        }
    }

    /**
     * Removes every meter from the registry and ignores events from now on; the name is then free for another
     * connector. Idempotent.
     */
    @Override
    public void close() {
        List<Meter> remove;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            remove = new ArrayList<>(meters);
            meters.clear();
        }
        for (Meter meter : remove) {
            registry.remove(meter);
        }
        // Only once the meters are gone: the registry removes by id, which the next binder's meters would share.
        release(registry, tags);
    }

    /** Reserves {@code tags} in {@code registry} for {@code connector}, or says who has them. */
    private static void claim(MeterRegistry registry, Tags tags, ResilientConnector connector, String name) {
        ResilientConnector holder;
        synchronized (BOUND) {
            Map<Tags, WeakReference<ResilientConnector>> bound = BOUND.computeIfAbsent(registry, r -> new HashMap<>(4));
            WeakReference<ResilientConnector> held = bound.get(tags);
            holder = held == null ? null : held.get();
            if (holder == null) {
                bound.put(tags, new WeakReference<>(connector));
            }
        }
        if (holder == connector) {
            throw new IllegalArgumentException("name: " + name + " is already bound to this connector in this registry "
                    + "(expected: one binder per connector and name)");
        }
        if (holder != null) {
            throw new IllegalArgumentException("name: " + name + " is already bound to another connector in this "
                    + "registry (expected: a unique name per connector)");
        }
    }

    private static void release(MeterRegistry registry, Tags tags) {
        synchronized (BOUND) {
            Map<Tags, WeakReference<ResilientConnector>> bound = BOUND.get(registry);
            if (bound != null && bound.remove(tags) != null && bound.isEmpty()) {
                BOUND.remove(registry);
            }
        }
    }

    private Counter counter(String name, String... extraTags) {
        return track(Counter.builder(name).tags(tags).tags(extraTags).register(registry));
    }

    private Timer timer(String name, String... extraTags) {
        return track(Timer.builder(name).tags(tags).tags(extraTags).register(registry));
    }

    /** Keeps {@code meter} for removal; removes it at once if the binder has closed meanwhile. */
    private <M extends Meter> M track(M meter) {
        synchronized (this) {
            if (!closed) {
                meters.add(meter);
                return meter;
            }
        }
        registry.remove(meter);
        return meter;
    }

    private long now() {
        return registry.config().clock().monotonicTime();
    }

    /** Counts attempts, connections and their ends as the connector's session decides them. */
    private final class Observer implements SessionObserver {

        @Override
        public void connected(Channel channel) {
            if (closed) {
                return;
            }
            counter(CONNECT_ATTEMPTS, "outcome", "success", "cause", NONE).increment();
            if (outageStartNanos >= 0) {
                outageDuration.record(now() - outageStartNanos, TimeUnit.NANOSECONDS);
                outageStartNanos = -1;
            }
        }

        @Override
        public void connectFailed(Disconnection why) {
            if (!closed) {
                counter(CONNECT_ATTEMPTS, "outcome", "failure", "cause", why.cause().name()).increment();
            }
        }

        /**
         * An established connection's end counts as a disconnect, timed from its own connect; only the current
         * connection's end starts an outage, as a connection that a failback replaced ends after its successor is
         * ready.
         */
        @Override
        public void ended(Disconnection why, boolean wasCurrent, long connectedNanos) {
            if (closed) {
                return;
            }
            String cause = why.cause().name();
            connectionDuration.record(connectedNanos, TimeUnit.NANOSECONDS);
            if (wasCurrent) {
                outageStartNanos = now();
            }
            counter(DISCONNECTS, "cause", cause).increment();
            Duration quiet = why.sinceLastRead();
            if (quiet != null) {
                timer(DETECTION_LATENCY, "cause", cause).record(quiet);
            }
            Unacknowledged lost = why.unacknowledged();
            if (lost != null && lost.known()) {
                unacknowledged.record(lost.bytes());
            }
            if (why.cause() == DisconnectCause.UNRESPONSIVE) {
                heartbeatMissed.increment();
            }
        }
    }
}
