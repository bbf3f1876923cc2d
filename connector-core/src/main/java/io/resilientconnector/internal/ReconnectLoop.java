package io.resilientconnector.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.resilientconnector.ConnectorListener;
import io.resilientconnector.backoff.BackoffState;
import io.resilientconnector.backoff.ReconnectPolicy;
import io.resilientconnector.cause.CauseClassifier;
import io.resilientconnector.cause.DisconnectCause;
import io.resilientconnector.cause.Disconnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Keeps one logical connection coming back: it starts attempts, hears that a connection came up or went down,
 * and schedules the next attempt after the backoff delay, or gives up. It only schedules; the delay comes from
 * {@link BackoffState}, and an attempt is whatever the {@code attempt} supplier starts. Both the connector and
 * the standalone {@code ReconnectHandler} run on it.
 *
 * <p>Every step is told to one {@link ConnectorListener}: {@code connected}, {@code disconnected},
 * {@code reconnectScheduled}, {@code gaveUp}. A listener that throws is logged and ignored.
 *
 * <p>With a {@link ConnectRateLimiter}, every attempt, the first included, also waits for its slot.
 */
public final class ReconnectLoop {

    private static final Logger logger = LoggerFactory.getLogger(ReconnectLoop.class);

    private final Supplier<ChannelFuture> attempt;
    private final EventExecutor scheduler;
    private final ConnectorListener listener;
    private final BackoffState backoff;
    private final ConnectRateLimiter limiter;
    private final SocketAddress target;
    private volatile boolean stopped;
    private volatile ScheduledFuture<?> scheduled;
    private volatile ChannelFuture inFlight;

    /**
     * @param attempt   starts one connect attempt
     * @param scheduler where waits are scheduled
     * @param limiter   the shared limit on attempts per second, or {@code null}
     * @param target    the address attempts are made to, for naming a failed attempt; {@code null} if unknown
     */
    public ReconnectLoop(Supplier<ChannelFuture> attempt, EventExecutor scheduler, ReconnectPolicy policy,
                         Random random, ConnectorListener listener, ConnectRateLimiter limiter, SocketAddress target) {
        this.target = target;
        this.attempt = attempt;
        this.scheduler = scheduler;
        this.backoff = new BackoffState(policy, random);
        this.listener = listener;
        this.limiter = limiter;
    }

    /**
     * Starts the first attempt: now, or when the rate limit allows.
     *
     * @return the attempt if it started now, else {@code null}
     */
    public ChannelFuture start() {
        if (stopped) {
            throw new IllegalStateException("reconnect loop is stopped");
        }
        if (limiter != null) {
            long now = scheduler.ticker().nanoTime();
            long at = limiter.reserve(now);
            if (at > now) {
                schedule(at - now);
                return null;
            }
        }
        return attemptNow();
    }

    /**
     * Stops: cancels a scheduled attempt and aborts one under way. Connections already established stay open.
     */
    public void stop() {
        stopped = true;
        ScheduledFuture<?> s = scheduled;
        if (s != null) {
            s.cancel(false);
        }
        ChannelFuture a = inFlight;
        if (a != null && !a.isDone()) {
            a.channel().close();
        }
    }

    public boolean isStopped() {
        return stopped;
    }

    /** A connection is up and ready. */
    public void connected(Channel channel) {
        synchronized (backoff) {
            backoff.connected(scheduler.ticker().nanoTime());
        }
        notify(() -> listener.connected(channel));
    }

    /** An established connection ended, or an attempt failed: tells the listener, then schedules or gives up. */
    public void lost(Disconnection why) {
        notify(() -> listener.disconnected(why));
        if (stopped) {
            return;
        }
        Duration delay;
        int number;
        synchronized (backoff) {
            backoff.disconnected(scheduler.ticker().nanoTime());
            delay = backoff.nextDelay();
            number = backoff.attempt();
        }
        if (delay == null) {
            notify(() -> listener.gaveUp(number, why));
            return;
        }
        long waitNanos = delay.toNanos();
        if (limiter != null) {
            long now = scheduler.ticker().nanoTime();
            waitNanos = limiter.reserve(now + waitNanos) - now;
        }
        Duration wait = Duration.ofNanos(waitNanos);
        notify(() -> listener.reconnectScheduled(number, wait, why));
        schedule(waitNanos);
    }

    private void schedule(long delayNanos) {
        try {
            scheduled = scheduler.schedule(this::reconnect, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            logger.debug("not reconnecting: the event loop is shutting down");
            stopped = true;
            return;
        }
        if (stopped) {
            // stop() ran between the check and the schedule, and may have missed this future.
            scheduled.cancel(false);
        }
    }

    private void reconnect() {
        if (stopped) {
            return;
        }
        try {
            attemptNow();
        } catch (RuntimeException e) {
            logger.warn("reconnect attempt could not start; not reconnecting", e);
            stopped = true;
        }
    }

    private ChannelFuture attemptNow() {
        ChannelFuture future = attempt.get();
        inFlight = future;
        future.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                Disconnection why = failure(f);
                lost(why.connectionId() != null ? why
                        : why.withConnection(f.channel().id().asShortText(), target));
            }
        });
        return future;
    }

    private Disconnection failure(ChannelFuture f) {
        if (stopped) {
            return Disconnection.of(DisconnectCause.LOCAL_CLOSE, null, f.cause());
        }
        // A handler may already know why, for example an initializer that threw and closed the channel.
        ConnectionRecord record = ConnectionRecord.find(f.channel());
        Disconnection recorded = record != null ? record.recorded() : null;
        return recorded != null ? recorded : CauseClassifier.classifyConnectFailure(f.cause());
    }

    private static void notify(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            // A listener's bug must not stop the reconnect loop.
            logger.warn("connector listener threw", e);
        }
    }
}
