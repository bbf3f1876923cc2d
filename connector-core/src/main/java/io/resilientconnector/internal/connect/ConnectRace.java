package io.resilientconnector.internal.connect;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import io.resilientconnector.util.Checks;
import io.resilientconnector.util.Durations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One race to connect along a list of routes, the "fast fallback" of RFC 8305 section 5. The first route is
 * tried at once. When an attempt has not connected after the attempt delay, the next route is started while
 * the earlier ones go on; when an attempt fails, the next starts at once. The first attempt to connect wins and
 * every other is closed. With an attempt delay of zero, routes are tried strictly one at a time.
 *
 * <p>The race opens bare channels through its {@link RouteOpener}: the application's handlers belong on the winner
 * only, so the caller installs them once the race is won. Each attempt's connect timeout is the opener's to
 * set, as {@code CONNECT_TIMEOUT_MILLIS} on its channel.
 *
 * <p>Everything runs on the given event loop and nothing blocks. {@link #result()} always completes: with the
 * winner, with a {@link ConnectFailedException} listing every attempt, or cancelled. {@link #settled()}
 * completes once, in addition, every channel the race opened other than the winner is closed.
 */
public final class ConnectRace {

    private static final Logger logger = LoggerFactory.getLogger(ConnectRace.class);

    private final EventLoop loop;
    private final List<Route> routes;
    private final long attemptDelayNanos;
    private final RouteOpener opener;
    private final AttemptListener listener;
    private final Promise<Connected> result;
    private final Promise<Void> settled;

    // Confined to the event loop.
    private final Map<ChannelFuture, Route> inFlight = new LinkedHashMap<>();
    private final List<Channel> opened = new ArrayList<>();
    private final List<AttemptFailure> failures = new ArrayList<>();
    private int next;
    private ScheduledFuture<?> delayTimer;
    private boolean finished;
    private Channel winner;

    private ConnectRace(EventLoop loop, List<Route> routes, Duration attemptDelay, RouteOpener opener,
                        AttemptListener listener) {
        this.loop = loop;
        this.routes = List.copyOf(routes);
        this.attemptDelayNanos = attemptDelay.toNanos();
        this.opener = opener;
        this.listener = listener;
        this.result = loop.newPromise();
        this.settled = loop.newPromise();
    }

    /** Starts a race on {@code loop}; the caller may be on any thread. */
    public static ConnectRace start(EventLoop loop, List<Route> routes, Duration attemptDelay, RouteOpener opener,
                             AttemptListener listener) {
        Checks.notNull(loop, "loop");
        Checks.notNull(routes, "routes");
        Checks.notNull(attemptDelay, "attemptDelay");
        Checks.notNull(opener, "opener");
        Checks.notNull(listener, "listener");
        if (attemptDelay.isNegative()) {
            throw new IllegalArgumentException("attemptDelay: " + Durations.format(attemptDelay) + " (expected: >= 0)");
        }
        ConnectRace race = new ConnectRace(loop, routes, attemptDelay, opener, listener);
        // A caller that cancels the result gets the same clean-up as one that calls cancel().
        race.result.addListener(f -> {
            if (f.isCancelled()) {
                race.abort();
            }
        });
        if (loop.inEventLoop()) {
            race.startNext();
        } else {
            loop.execute(race::startNext);
        }
        return race;
    }

    /**
     * The winner, or why there is none. Completes on the event loop; with a winner, only after its bare pipeline
     * has seen channelActive.
     */
    public Future<Connected> result() {
        return result;
    }

    /** Completes when the result has and every channel the race opened, but the winner, is closed. */
    Future<Void> settled() {
        return settled;
    }

    /**
     * Stops the race: closes every attempt in flight and cancels the result, unless the race was already won, in
     * which case the winner is the caller's and stays open.
     *
     * @return {@link #settled()}
     */
    Future<Void> cancel() {
        result.cancel(false);
        if (loop.inEventLoop()) {
            abort();
        } else {
            loop.execute(this::abort);
        }
        return settled;
    }

    private void startNext() {
        cancelDelayTimer();
        if (finished) {
            return;
        }
        if (next >= routes.size()) {
            failIfNothingLeft();
            return;
        }
        Route route = routes.get(next++);
        notify(() -> listener.started(route));
        if (finished) {
            // The listener cancelled the race.
            return;
        }
        ChannelFuture attempt;
        try {
            attempt = opener.open(route);
        } catch (Throwable t) {
            recordFailure(route, null, t);
            startNext();
            return;
        }
        opened.add(attempt.channel());
        inFlight.put(attempt, route);
        // Armed before the listener is added: a connect that completes at once re-arms or cancels it in order.
        if (attemptDelayNanos > 0 && next < routes.size()) {
            delayTimer = loop.schedule(this::startNext, attemptDelayNanos, TimeUnit.NANOSECONDS);
        }
        attempt.addListener(f -> {
            if (loop.inEventLoop()) {
                onDone(attempt);
            } else {
                loop.execute(() -> onDone(attempt));
            }
        });
    }

    private void onDone(ChannelFuture attempt) {
        Route route = inFlight.remove(attempt);
        if (route == null) {
            // Closed by abort() or by another attempt's win; nothing left to do.
            return;
        }
        Channel channel = attempt.channel();
        if (finished) {
            channel.close();
            return;
        }
        if (attempt.isSuccess()) {
            finished = true;
            winner = channel;
            cancelDelayTimer();
            closeInFlight();
            // Netty completes the connect promise first and fires channelActive after it, in the same task
            // (fulfillConnectPromise in every transport). Announcing the win in a later task means that the
            // bare pipeline has seen channelActive by then, so the caller's WinnerPipeline replays it exactly once.
            loop.execute(() -> announce(route, channel));
            return;
        }
        channel.close();
        recordFailure(route, channel, attempt.cause());
        startNext();
    }

    private void announce(Route route, Channel channel) {
        notify(() -> listener.won(route, channel));
        if (!result.trySuccess(new Connected(route, channel))) {
            // Cancelled since the connect: the winner is nobody's, so it is closed too.
            winner = null;
            channel.close();
        }
        settle();
    }

    private void recordFailure(Route route, Channel channel, Throwable cause) {
        failures.add(new AttemptFailure(route, cause));
        notify(() -> listener.failed(route, channel, cause));
    }

    private void failIfNothingLeft() {
        if (!finished && next >= routes.size() && inFlight.isEmpty()) {
            finished = true;
            result.tryFailure(new ConnectFailedException(failures));
            settle();
        }
    }

    private void abort() {
        if (finished) {
            return;
        }
        finished = true;
        cancelDelayTimer();
        closeInFlight();
        result.cancel(false);
        settle();
    }

    private void closeInFlight() {
        List<ChannelFuture> attempts = new ArrayList<>(inFlight.keySet());
        inFlight.clear();
        for (ChannelFuture attempt : attempts) {
            // Closing a connecting channel fails its connect promise with ClosedChannelException.
            attempt.channel().close();
        }
    }

    private void settle() {
        List<Future<Void>> closing = new ArrayList<>();
        for (Channel channel : opened) {
            if (channel != winner) {
                closing.add(channel.closeFuture());
            }
        }
        opened.clear();
        if (closing.isEmpty()) {
            settled.trySuccess(null);
            return;
        }
        int[] left = {closing.size()};
        for (Future<Void> f : closing) {
            f.addListener(done -> {
                if (loop.inEventLoop()) {
                    if (--left[0] == 0) {
                        settled.trySuccess(null);
                    }
                } else {
                    loop.execute(() -> {
                        if (--left[0] == 0) {
                            settled.trySuccess(null);
                        }
                    });
                }
            });
        }
    }

    private void cancelDelayTimer() {
        if (delayTimer != null) {
            delayTimer.cancel(false);
            delayTimer = null;
        }
    }

    private static void notify(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            logger.warn("an attempt listener threw; the race goes on", e);
        }
    }
}
