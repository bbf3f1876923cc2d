package io.resilientconnector.internal.reconnect;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.resilientconnector.ConnectorListener;
import io.resilientconnector.DisconnectCause;
import io.resilientconnector.Disconnection;
import io.resilientconnector.ReconnectPolicy;
import io.resilientconnector.internal.ending.CauseClassifier;
import io.resilientconnector.internal.ending.ConnectionRecord;
import io.resilientconnector.internal.ending.Disconnections;
import io.resilientconnector.util.ApplicationCode;
import io.resilientconnector.util.ChannelLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Keeps one logical connection coming back: it starts attempts, hears that a connection came up or went down,
 * and schedules the next attempt after the backoff delay, or gives up. It only schedules; the delay comes from
 * {@link BackoffState}, and an attempt is whatever its {@link Attempt} starts: a bootstrap's connect for the
 * standalone {@code ReconnectHandler}. (The connector's own loop is its {@link ConnectorSession}, which shares
 * {@link BackoffState} and this class's {@link Attempt}.)
 *
 * <p>Every step is told to one {@link ConnectorListener}: {@code connected}, {@code disconnected} (an established
 * connection ended), {@code connectFailed} (an attempt failed), {@code reconnectScheduled}, {@code gaveUp}.
 * Whatever the listener throws, an {@code Error} included, is logged and ignored.
 */
public final class ReconnectLoop {

    private static final Logger logger = LoggerFactory.getLogger(ReconnectLoop.class);

    private final Attempt attempt;
    private final EventExecutor scheduler;
    private final ConnectorListener listener;
    private final BackoffState backoff;
    private volatile boolean stopped;
    private volatile ScheduledFuture<?> scheduled;
    private volatile Future<?> inFlight;

    /**
     * One attempt as a loop starts it. The loop calls it from one thread at a time.
     */
    public interface Attempt {

        /** Starts an attempt; the future fails if the attempt did, and succeeds once it has a connection. */
        Future<?> start();

        /** Why {@code failed}, a future {@link #start} returned, failed: named after its connection. */
        Disconnection failure(Future<?> failed);

        /**
         * Every address's failure in {@code attempt}, a future {@link #start} returned, in the order they failed,
         * ending with {@code last}, what ended the attempt. An attempt of one address has only {@code last}.
         */
        default List<Disconnection> failures(Future<?> attempt, Disconnection last) {
            return List.of(last);
        }

        /**
         * Aborts {@code attempt}, a future {@link #start} returned, if it has not handed over a ready connection.
         *
         * @return a future that completes once every channel the attempt opened is closed
         */
        Future<?> abort(Future<?> attempt);
    }

    /**
     * @param attempt   starts one connect attempt
     * @param scheduler where waits are scheduled
     * @param target    the address attempts are made to, for naming a failed attempt; {@code null} if unknown
     */
    public ReconnectLoop(Supplier<ChannelFuture> attempt, EventExecutor scheduler, ReconnectPolicy policy,
                         Random random, ConnectorListener listener, SocketAddress target) {
        this.attempt = new BootstrapAttempt(attempt, target);
        this.scheduler = scheduler;
        this.backoff = new BackoffState(policy, random);
        this.listener = listener;
    }

    /** Starts the first attempt, now. */
    public Future<?> start() {
        if (stopped) {
            throw new IllegalStateException("reconnect loop is stopped");
        }
        return attemptNow();
    }

    /**
     * Stops: cancels a scheduled attempt and aborts one under way. Connections already established stay open.
     *
     * @return a future that completes once the channels of the attempt under way are closed
     */
    public Future<?> stop() {
        stopped = true;
        ScheduledFuture<?> s = scheduled;
        if (s != null) {
            s.cancel(false);
        }
        Future<?> a = inFlight;
        return a != null ? attempt.abort(a) : scheduler.newSucceededFuture(null);
    }

    /**
     * Cuts the backoff wait short: the attempt scheduled for later starts now. Does nothing unless the loop is
     * waiting to reconnect. Thread-safe.
     *
     * @return whether a wait was cut short
     */
    public boolean reconnectNow() {
        ScheduledFuture<?> s = scheduled;
        if (stopped || s == null || s.isDone() || !s.cancel(false)) {
            return false;
        }
        try {
            scheduler.execute(() -> {
                if (stopped) {
                    return;
                }
                reconnect();
            });
        } catch (RejectedExecutionException e) {
            stopped = true;
            return false;
        }
        return true;
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

    /** An established connection ended: tells the listener, then schedules or gives up. */
    public void lost(Disconnection why) {
        notify(() -> listener.disconnected(why));
        next(why);
    }

    /** The attempt failed: tells the listener, then schedules or gives up. */
    private void connectFailed(Disconnection why, List<Disconnection> attempts) {
        notify(() -> listener.connectFailed(why, attempts));
        next(why);
    }

    private void next(Disconnection why) {
        if (stopped) {
            return;
        }
        Duration delay;
        int number;
        synchronized (backoff) {
            backoff.disconnected(scheduler.ticker().nanoTime());
            delay = backoff.nextDelay();
            number = delay == null ? backoff.attempts() : backoff.attempts() + 1;
        }
        if (delay == null) {
            notify(() -> listener.gaveUp(number, why));
            return;
        }
        long waitNanos = delay.toNanos();
        Duration wait = delay;
        if (scheduler.inEventLoop()) {
            // Scheduled before the event, so that a listener's reconnectNow() finds the wait to cut short; on the
            // scheduler's own thread the attempt cannot start before the event is told.
            schedule(waitNanos);
            notify(() -> listener.reconnectScheduled(number, wait, why));
        } else {
            notify(() -> listener.reconnectScheduled(number, wait, why));
            schedule(waitNanos);
        }
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

    /** The wait is over: attempts. */
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

    private Future<?> attemptNow() {
        synchronized (backoff) {
            backoff.attemptStarted();
        }
        Future<?> future = attempt.start();
        inFlight = future;
        future.addListener(f -> {
            if (!f.isSuccess()) {
                Disconnection why = attempt.failure(f);
                if (stopped) {
                    Disconnection closed = Disconnections.of(DisconnectCause.LOCAL_CLOSE, null, f.cause());
                    why = why.connectionId() == null ? closed
                            : Disconnections.from(closed).connection(why.connectionId(), why.remoteAddress()).build();
                }
                connectFailed(why, attempt.failures(f, why));
            }
        });
        return future;
    }

    /** A bootstrap's connect: the standalone handler's attempt. */
    private static final class BootstrapAttempt implements Attempt {
        private final Supplier<ChannelFuture> connect;
        private final SocketAddress target;

        BootstrapAttempt(Supplier<ChannelFuture> connect, SocketAddress target) {
            this.connect = connect;
            this.target = target;
        }

        @Override
        public String toString() {
            return "reconnecting bootstrap to " + (target == null ? "its remote address" : ChannelLog.address(target));
        }

        @Override
        public Future<?> start() {
            return connect.get();
        }

        @Override
        public Disconnection failure(Future<?> failed) {
            ChannelFuture f = (ChannelFuture) failed;
            // A handler may already know why, for example an initializer that threw and closed the channel.
            ConnectionRecord record = ConnectionRecord.find(f.channel());
            Disconnection recorded = record != null ? record.recorded() : null;
            Disconnection why = recorded != null ? recorded : CauseClassifier.classifyConnectFailure(f.cause());
            return why.connectionId() != null ? why
                    : Disconnections.from(why).connection(f.channel().id().asShortText(), target).build();
        }

        @Override
        public Future<?> abort(Future<?> attempt) {
            Channel channel = ((ChannelFuture) attempt).channel();
            if (!attempt.isDone()) {
                return channel.close();
            }
            return channel.newSucceededFuture();
        }
    }

    private void notify(Runnable callback) {
        // A listener's bug must not stop the reconnect loop.
        ApplicationCode.run(attempt, listener, callback);
    }
}
