package io.resilientconnector.internal.session;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.resilientconnector.ConnectorState;
import io.resilientconnector.DisconnectCause;
import io.resilientconnector.Disconnection;
import io.resilientconnector.Endpoint;
import io.resilientconnector.ReconnectPolicy;
import io.resilientconnector.SendRejectedException;
import io.resilientconnector.internal.connect.Failback;
import io.resilientconnector.internal.ending.Disconnections;
import io.resilientconnector.internal.observe.SessionObserver;
import io.resilientconnector.internal.pipeline.ConnectionHandler;
import io.resilientconnector.internal.pipeline.ConnectionOwner;
import io.resilientconnector.internal.pipeline.ProxyHandlers;
import io.resilientconnector.internal.reconnect.BackoffState;
import io.resilientconnector.internal.reconnect.ConnectRateLimiter;
import io.resilientconnector.internal.reconnect.RateLimiter;
import io.resilientconnector.internal.reconnect.ReconnectLoop;
import io.resilientconnector.transport.SocketTuning;
import io.resilientconnector.util.ApplicationCode;
import io.resilientconnector.util.ChannelLog;
import io.resilientconnector.util.Checks;
import io.resilientconnector.util.Durations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The one owner of a connector's state: where it is in its life ({@link ConnectorState}), its current
 * connection, the attempt under way, the backoff wait, and every connection it opened until that connection's
 * end has been told. Every change happens here, as one step on the connector's event loop, and tells the
 * listeners exactly once. Its observers ({@link SessionObserver}) hear what each end was, before the listeners.
 *
 * <p>A connection is either being set up (installed on a pass's winner, not yet through its proxy and TLS) or
 * established ({@link #ready}). Its end is decided once, in {@link #ended}: during setup it is one failed
 * attempt, after it one loss; never both. The pass that produced it only reports failures that came before a
 * connection was handed over.
 *
 * <p>Steps never run inside each other. A listener that closes the channel in {@code connected}, or a flush that
 * fails at once, causes an end while the step that became ready is still running; that end waits in a queue
 * and runs as its own step once the first is over (as gRPC-java's synchronization context does).
 *
 * <p>{@link #state()}, {@link #channel()}, {@link #close()} and {@link #reconnectNow()} may be called from any
 * thread; the rest runs on the event loop.
 */
public final class ConnectorSession implements ConnectionOwner {

    private static final Logger logger = LoggerFactory.getLogger("io.resilientconnector.ResilientConnector");

    /** A connection's part in the connector. */
    private enum Part {
        /** The connector's connection, or the attempt to open it. */
        CURRENT,
        /** A failback's new connection, which replaces the current one once it is ready. */
        CANDIDATE,
        /** The connection a failback replaced: its writes are flushed, then it closes. */
        RETIRED
    }

    private static final class Connection {
        final Endpoint endpoint;
        final long attempt;
        Part part;
        boolean established;
        /** When it became established, by the event loop's ticker. */
        long establishedAt;

        Connection(Endpoint endpoint, long attempt, Part part) {
            this.endpoint = endpoint;
            this.attempt = attempt;
            this.part = part;
        }
    }

    /** The parts a started session works with, made once the connector knows its resources. */
    public static final class Wiring {
        final EventLoop loop;
        final ReconnectLoop.Attempt attempt;
        final Failback failback;
        final SocketTuning tuning;
        final ConnectRateLimiter limiter;
        final Runnable release;

        /**
         * @param failback moves back to a higher endpoint, or {@code null}
         * @param limiter  the resources' connect-rate limit, or {@code null}
         * @param release  gives back what the connector took from its resources; run once, after the end
         */
        public Wiring(EventLoop loop, ReconnectLoop.Attempt attempt, Failback failback, SocketTuning tuning,
                      ConnectRateLimiter limiter, Runnable release) {
            this.loop = Checks.notNull(loop, "loop");
            this.attempt = Checks.notNull(attempt, "attempt");
            this.failback = failback;
            this.tuning = Checks.notNull(tuning, "tuning");
            this.limiter = limiter;
            this.release = Checks.notNull(release, "release");
        }
    }

    private final Object name;
    private final PendingSends pending;
    private final Listeners listeners;
    private final Duration writeStallTimeout;
    private final String heartbeatNote;
    private final BackoffState backoff;
    // Sized for the usual one endpoint: a default table costs 80 bytes a connector.
    private final Map<InetSocketAddress, Endpoint> endpoints = new LinkedHashMap<>(2);
    private final AtomicReference<ConnectorState> state = new AtomicReference<>(ConnectorState.NEW);
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();

    // Set by start(), before the state leaves NEW, and read only after it has.
    private Wiring wiring;
    private SerialSteps steps;
    private final ConnectRateLimiter.Turn turn = new ConnectRateLimiter.Turn();

    private volatile Channel current;
    private volatile Endpoint currentEndpoint;
    private volatile ScheduledFuture<?> wait;
    // Copied on write; null until the first: most connectors have none.
    private volatile SessionObserver[] observers;

    // Confined to the event loop.
    private final Map<Channel, Connection> connections = new HashMap<>(2);
    private Future<?> inFlight;
    private long attemptId;
    private long waitId;
    private int aborting;
    private RateLimiter reconnectWarnings;

    /**
     * @param name          what the log lines name as the connector's target
     * @param heartbeatNote what the "connected" line says of the heartbeat, or an empty string
     */
    public ConnectorSession(Object name, List<Endpoint> endpoints, PendingSends pending, Listeners listeners,
                            ReconnectPolicy policy, Random random, Duration writeStallTimeout, String heartbeatNote) {
        this.name = name;
        this.pending = pending;
        this.listeners = listeners;
        this.backoff = new BackoffState(policy, random);
        this.writeStallTimeout = writeStallTimeout;
        this.heartbeatNote = heartbeatNote;
        for (Endpoint e : endpoints) {
            this.endpoints.put(e.unresolved(), e);
        }
    }

    public ConnectorState state() {
        return state.get();
    }

    /** Tells {@code observer} what the session decides from now on; from any thread. */
    public synchronized void observe(SessionObserver observer) {
        Checks.notNull(observer, "observer");
        SessionObserver[] was = observers;
        SessionObserver[] now;
        if (was == null) {
            now = new SessionObserver[]{observer};
        } else {
            now = Arrays.copyOf(was, was.length + 1);
            now[was.length] = observer;
        }
        observers = now;
    }

    private void tell(Object about, Consumer<SessionObserver> event) {
        SessionObserver[] all = observers;
        if (all == null) {
            return;
        }
        for (SessionObserver observer : all) {
            try {
                event.accept(observer);
            } catch (Throwable t) {
                ApplicationCode.threw(listeners.describe(about), observer, t);
            }
        }
    }

    /** The current connection, or {@code null} while there is none. */
    public Channel channel() {
        return current;
    }

    /** The endpoint of the current connection, or {@code null} while there is none. */
    public Endpoint currentEndpoint() {
        return currentEndpoint;
    }

    /** Whether the calling thread is one of the event loops the connector runs on, where nothing may wait for it. */
    public boolean calledFromItsEventLoops() {
        Wiring w = state.get() == ConnectorState.NEW ? null : wiring;
        if (w == null || w.loop.parent() == null) {
            return w != null && w.loop.inEventLoop();
        }
        for (EventExecutor executor : w.loop.parent()) {
            if (executor.inEventLoop()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Completes once the session has ended: closed, every connection's end told, every attempt's channels
     * closed, and its resources given back.
     */
    public CompletableFuture<Void> terminated() {
        return terminated;
    }

    /**
     * NEW to CONNECTING, and the first attempt starts on the loop.
     *
     * @return false if the connector was closed meanwhile: then nothing starts, and the caller gives back what it
     *         took for {@code wiring}
     * @throws IllegalStateException if it was started before
     */
    public boolean start(Wiring wiring) {
        ConnectorState was = state.get();
        if (was == ConnectorState.NEW) {
            this.wiring = wiring;
            this.steps = new SerialSteps(wiring.loop, name);
            // The compare-and-set publishes the wiring to every thread that reads the state after it.
            if (state.compareAndSet(ConnectorState.NEW, ConnectorState.CONNECTING)) {
                if (!steps.execute(this::waitOver)) {
                    resourcesClosed();
                }
                return true;
            }
            was = state.get();
        }
        if (was == ConnectorState.CLOSED) {
            return false;
        }
        throw new IllegalStateException("connector cannot start in state " + was
                + " (expected: NEW; a connector starts once)");
    }

    /**
     * CLOSED, from any thread: pending sends fail, the wait is cancelled, the attempt under way is aborted and
     * every connection closes; {@link #terminated()} completes once their ends are told.
     *
     * @return the state it was in, or {@code null} if it was closed already
     */
    public ConnectorState close() {
        return close(new SendRejectedException(SendRejectedException.Reason.CLOSED,
                "connector closed before the message was written"));
    }

    private ConnectorState close(SendRejectedException why) {
        ConnectorState was;
        do {
            was = state.get();
            if (was == ConnectorState.CLOSED) {
                return null;
            }
        } while (!state.compareAndSet(was, ConnectorState.CLOSED));
        pending.failAll(why);
        if (was == ConnectorState.NEW) {
            // Nothing was taken: a start() racing this one gives back what it took itself.
            terminated.complete(null);
        } else if (!steps.execute(this::closing)) {
            // The loop is gone, and every channel on it with it.
            terminate();
        }
        return was;
    }

    /**
     * Cuts the backoff wait short, from any thread: the next attempt starts now, still in turn under the
     * connect-rate limit.
     *
     * @return whether a wait was cut short
     */
    public boolean reconnectNow() {
        ScheduledFuture<?> w = wait;
        if (w == null || state.get() != ConnectorState.WAITING_TO_RECONNECT || !w.cancel(false)) {
            return false;
        }
        return steps.execute(() -> {
            if (wait == w) {
                waitOver(waitId);
            }
        });
    }

    private long now() {
        return wiring.loop.ticker().nanoTime();
    }

    // The wait and the attempt.

    /** The first attempt, or a wait that is over: through the rate limit, then an attempt. */
    private void waitOver() {
        waitOver(waitId);
    }

    private void waitOver(long id) {
        ConnectorState s = state.get();
        if (id != waitId || inFlight != null || s.isTerminal() || s == ConnectorState.CONNECTED) {
            return;
        }
        wait = null;
        ConnectRateLimiter limiter = wiring.limiter;
        if (limiter != null) {
            long turnNanos = limiter.waitNanos(turn, now());
            if (turnNanos > 0) {
                schedule(turnNanos);
                return;
            }
        }
        if (s == ConnectorState.WAITING_TO_RECONNECT
                && !state.compareAndSet(ConnectorState.WAITING_TO_RECONNECT, ConnectorState.CONNECTING)) {
            return;
        }
        long id2 = ++attemptId;
        backoff.attemptStarted();
        tell(null, SessionObserver::attemptStarting);
        Future<?> attempt;
        try {
            attempt = wiring.attempt.start();
        } catch (RuntimeException e) {
            logger.warn("connector to {}: an attempt could not start", name, e);
            attemptFailed(Disconnections.builder(DisconnectCause.OTHER, null, e).detail("the attempt could not start")
                    .build());
            return;
        }
        inFlight = attempt;
        attempt.addListener(f -> steps.execute(() -> attemptDone(id2, f)));
    }

    /** Schedules the end of a wait. */
    private void schedule(long nanos) {
        long id = ++waitId;
        try {
            wait = wiring.loop.schedule(() -> steps.run(() -> waitOver(id)), nanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            resourcesClosed();
        }
    }

    /**
     * The pass under way finished. A pass that handed over a connection says no more: that connection's own
     * {@link #ready} or {@link #ended} decides. One that failed before is the attempt's failure.
     */
    private void attemptDone(long id, Future<?> f) {
        if (id != attemptId || f.isSuccess()) {
            return;
        }
        Disconnection why = wiring.attempt.failure(f);
        if (state.get() == ConnectorState.CLOSED) {
            Disconnection closed = Disconnections.of(DisconnectCause.LOCAL_CLOSE, null, f.cause());
            why = why.connectionId() == null ? closed
                    : Disconnections.from(closed).connection(why.connectionId(), why.remoteAddress()).build();
        }
        attemptFailed(why);
    }

    /** The attempt under way failed: tells it as {@code connectFailed}, with every address's failure. */
    private void attemptFailed(Disconnection why) {
        Future<?> attempt = inFlight;
        List<Disconnection> attempts = attempt != null ? wiring.attempt.failures(attempt, why) : List.of(why);
        inFlight = null;
        attemptId++;
        tell(why, o -> o.connectFailed(why));
        listeners.fire(why, l -> l.connectFailed(why, attempts));
        next(why);
    }

    /** The current connection ended: tells it as {@code disconnected}. */
    private void lost(Disconnection why) {
        state.compareAndSet(ConnectorState.CONNECTED, ConnectorState.CONNECTING);
        listeners.fire(why, l -> l.disconnected(why));
        next(why);
    }

    /**
     * After a loss or a failed attempt, once it is told: schedules the next attempt or gives up. After close, it
     * does nothing more.
     */
    private void next(Disconnection why) {
        ConnectorState s = state.get();
        if (s.isTerminal()) {
            maybeTerminated();
            return;
        }
        backoff.disconnected(now());
        Duration delay = backoff.nextDelay();
        if (delay == null) {
            gaveUp(backoff.attempts(), why);
            return;
        }
        if (wiring.loop.isShuttingDown()) {
            resourcesClosed();
            return;
        }
        if (!state.compareAndSet(s, ConnectorState.WAITING_TO_RECONNECT)) {
            maybeTerminated();
            return;
        }
        int number = backoff.attempts() + 1;
        // Scheduled before the event is told, so that a listener's reconnectNow() finds the wait to cut short.
        schedule(delay.toNanos());
        if (state.get() != ConnectorState.WAITING_TO_RECONNECT) {
            return;
        }
        long suppressed = warnings().tryAcquire();
        if (suppressed >= 0) {
            logger.warn("connector to {}: reconnecting in {} (attempt {}) after {}{}", name,
                    Durations.approx(delay), number, why.cause(),
                    suppressed > 0 ? " (" + suppressed + " similar messages suppressed)" : "");
        }
        listeners.fire(why, l -> l.reconnectScheduled(number, delay, why));
    }

    private void gaveUp(int attempts, Disconnection last) {
        ConnectorState s = state.get();
        if (s.isTerminal() || !state.compareAndSet(s, ConnectorState.GAVE_UP)) {
            return;
        }
        leaveTheRateLimitQueue();
        String counted = attempts == 1 ? "1 attempt" : attempts + " attempts";
        logger.warn("connector to {}: gave up after {}; last: {}", name, counted, last);
        pending.failAll(new SendRejectedException(SendRejectedException.Reason.GAVE_UP,
                "connector gave up reconnecting to " + name + " after " + counted));
        listeners.fire(null, l -> l.gaveUp(attempts, last));
    }

    /** A connector that will attempt no more gives back its place, so that nobody waits behind it. */
    private void leaveTheRateLimitQueue() {
        if (wiring.limiter != null) {
            wiring.limiter.leave(turn);
        }
    }

    /** The connector's resources are closing under it (or its event loop is shutting down): it closes too. */
    public void resourcesClosed() {
        ConnectorState was = close(new SendRejectedException(SendRejectedException.Reason.CLOSED,
                "the connector's resources were closed before the message was written"));
        if (was != null && !was.isTerminal()) {
            logger.warn("connector to {}: its resources were closed while it ran, so it is closed too "
                    + "(close connectors before their resources)", name);
        }
    }

    private RateLimiter warnings() {
        // Created on the first reconnect: most connections never need it.
        if (reconnectWarnings == null) {
            reconnectWarnings = new RateLimiter(30, TimeUnit.SECONDS);
        }
        return reconnectWarnings;
    }

    // Closing.

    private void closing() {
        ScheduledFuture<?> w = wait;
        if (w != null) {
            w.cancel(false);
            wait = null;
        }
        waitId++;
        leaveTheRateLimitQueue();
        if (wiring.failback != null) {
            wiring.failback.stop();
        }
        Future<?> attempt = inFlight;
        if (attempt != null) {
            aborting++;
            wiring.attempt.abort(attempt).addListener(f -> steps.execute(() -> {
                aborting--;
                maybeTerminated();
            }));
        }
        // Each close passes its connection handler, which records it as LOCAL_CLOSE.
        for (Channel ch : new ArrayList<>(connections.keySet())) {
            ch.close();
        }
        maybeTerminated();
    }

    private void maybeTerminated() {
        if (state.get() == ConnectorState.CLOSED && !terminated.isDone() && inFlight == null && aborting == 0
                && connections.isEmpty()) {
            terminate();
        }
    }

    private void terminate() {
        try {
            wiring.release.run();
        } finally {
            terminated.complete(null);
        }
    }

    // From the pass.

    /**
     * A pass's winner, along {@code endpoint}, is about to get the application's pipeline: as the attempt's
     * connection, or as a failback's candidate. Returns false if the connector has ended.
     */
    public boolean installing(Channel channel, InetSocketAddress endpoint, boolean candidate) {
        if (state.get().isTerminal()) {
            return false;
        }
        connections.put(channel, new Connection(endpoint(endpoint), attemptId, candidate ? Part.CANDIDATE : Part.CURRENT));
        return true;
    }

    /** The pipeline could not be set up on {@code channel}, which is closed; the pass reports why. */
    public void notInstalled(Channel channel) {
        connections.remove(channel);
    }

    /** An attempt to {@code address}, one of {@code endpoint}'s, starts. */
    public void attemptStarted(InetSocketAddress endpoint, InetSocketAddress address) {
        Endpoint e = endpoint(endpoint);
        listeners.fire(null, l -> l.attemptStarted(e, address));
    }

    /** The attempt to {@code address} failed; the pass goes on. */
    public void attemptFailed(InetSocketAddress endpoint, InetSocketAddress address, Disconnection why) {
        Endpoint e = endpoint(endpoint);
        logger.debug("connector to {}: attempt to {} ({}) failed: {}", name, e, ChannelLog.address(address), why);
        listeners.fire(why, l -> l.attemptFailed(e, address, why));
    }

    private Endpoint endpoint(InetSocketAddress unresolved) {
        Endpoint e = endpoints.get(unresolved);
        return e != null ? e : Endpoint.of(unresolved.getHostString(), unresolved.getPort());
    }

    // From the connection handler.

    @Override
    public void ready(Channel channel) {
        steps.run(() -> becameReady(channel));
    }

    private void becameReady(Channel channel) {
        Connection c = connections.get(channel);
        if (c == null || c.established || c.part == Part.RETIRED) {
            channel.close();
            return;
        }
        if (c.part == Part.CANDIDATE) {
            switchTo(channel, c);
            return;
        }
        if (c.attempt != attemptId || current != null
                || !state.compareAndSet(ConnectorState.CONNECTING, ConnectorState.CONNECTED)) {
            // Nobody waits for it: the connector closed, or the attempt it belonged to is over.
            channel.close();
            return;
        }
        c.established = true;
        inFlight = null;
        attemptId++;
        current = channel;
        currentEndpoint = c.endpoint;
        backoff.connected(now());
        established(channel, c);
    }

    /** A failback's candidate is ready: it becomes the connection, and the one it replaces is retired. */
    private void switchTo(Channel channel, Connection c) {
        Channel previous = current;
        Failback failback = wiring.failback;
        if (previous == null || failback == null || !failback.hasCandidate() || state.get() != ConnectorState.CONNECTED) {
            // The connection it was to replace ended meanwhile, and the reconnect loop is in charge again.
            channel.close();
            return;
        }
        c.part = Part.CURRENT;
        c.established = true;
        current = channel;
        currentEndpoint = c.endpoint;
        retire(previous, c.endpoint);
        backoff.connected(now());
        established(channel, c);
    }

    /** Sends go to {@code channel} from now on; then the listeners are told. */
    private void established(Channel channel, Connection c) {
        c.establishedAt = now();
        pending.connected(channel);
        logger.info("{} connected: {}{}{}", ChannelLog.id(channel), wiring.tuning.readBack(channel).describe(writeStallTimeout),
                ProxyHandlers.describe(channel), heartbeatNote);
        tell(channel, o -> o.connected(channel));
        listeners.fire(channel, l -> l.connected(channel));
        if (wiring.failback != null && current == channel) {
            wiring.failback.connected(c.endpoint.unresolved());
        }
    }

    /**
     * Lets {@code old} go after a failback: sends from now on go to the new connection, and what {@code old}
     * already has goes out before it closes. Netty's close fails whatever waits in the channel's outbound
     * buffer, so the close waits for an empty write, flushed from the connection handler behind every earlier
     * write: it completes once all of them have reached the socket.
     */
    private void retire(Channel old, Endpoint to) {
        Connection c = connections.get(old);
        if (c != null) {
            c.part = Part.RETIRED;
        }
        pending.disconnected(old);
        ConnectionHandler handler = old.pipeline().get(ConnectionHandler.class);
        if (handler != null) {
            handler.record().record(Disconnections.builder(DisconnectCause.LOCAL_CLOSE)
                    .detail("replaced by a connection to " + to + " (failback)").build());
        }
        ChannelHandlerContext ctx = old.pipeline().context(ConnectionHandler.class);
        if (ctx == null) {
            old.close();
            return;
        }
        logger.info("{} failing back to {}: closing this connection once its writes are flushed", ChannelLog.id(old), to);
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> old.close());
    }

    @Override
    public void readIdle(Channel channel, int consecutive) {
        listeners.fire(channel, l -> l.readIdle(channel, consecutive));
    }

    @Override
    public void heartbeat(Channel channel, long roundTripNanos) {
        Duration roundTrip = Duration.ofNanos(roundTripNanos);
        listeners.fire(channel, l -> l.heartbeat(channel, roundTrip));
    }

    @Override
    public void writabilityChanged(Channel channel) {
        pending.writabilityChanged(channel);
    }

    @Override
    public void ended(Channel channel, Disconnection why) {
        steps.run(() -> end(channel, why));
    }

    /** The one place that decides what a connection's end means. */
    private void end(Channel channel, Disconnection why) {
        Connection c = connections.remove(channel);
        if (c == null) {
            return;
        }
        switch (c.part) {
            case RETIRED:
                endedEstablished(c, why, false);
                listeners.fire(why, l -> l.disconnected(why));
                break;
            case CANDIDATE:
                if (wiring.failback != null) {
                    wiring.failback.candidateFailed(why);
                }
                InetSocketAddress address = why.remoteAddress() instanceof InetSocketAddress
                        ? (InetSocketAddress) why.remoteAddress() : c.endpoint.unresolved();
                listeners.fire(why, l -> l.attemptFailed(c.endpoint, address, why));
                break;
            default:
                if (c.established && current == channel) {
                    current = null;
                    currentEndpoint = null;
                    pending.disconnected(channel);
                    if (wiring.failback != null) {
                        wiring.failback.stop();
                    }
                    endedEstablished(c, why, true);
                    lost(why);
                } else if (c.established) {
                    endedEstablished(c, why, false);
                    listeners.fire(why, l -> l.disconnected(why));
                } else if (c.attempt == attemptId) {
                    // Ended during its setup: the attempt failed.
                    attemptFailed(why);
                }
        }
        maybeTerminated();
    }

    private void endedEstablished(Connection c, Disconnection why, boolean wasCurrent) {
        long up = now() - c.establishedAt;
        tell(why, o -> o.ended(why, wasCurrent, up));
    }
}
