package io.resilientconnector.handler;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import io.resilientconnector.backoff.BackoffState;
import io.resilientconnector.backoff.ReconnectPolicy;
import io.resilientconnector.cause.CauseClassifier;
import io.resilientconnector.cause.DisconnectCause;
import io.resilientconnector.cause.Disconnection;
import io.resilientconnector.internal.ChannelLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Reconnects a {@link Bootstrap} with backoff. Add the same instance to the pipeline of every channel the
 * bootstrap creates (it is {@link Sharable}), then call {@link #connect()} instead of
 * {@code bootstrap.connect()}:
 *
 * <pre>{@code
 * ReconnectHandler reconnect = new ReconnectHandler(bootstrap, ReconnectPolicy.defaults());
 * bootstrap.handler(new ChannelInitializer<Channel>() {
 *     protected void initChannel(Channel ch) {
 *         ch.pipeline().addLast(new ConnectionEventLogger(), reconnect, new MyHandler());
 *     }
 * });
 * reconnect.connect();
 * }</pre>
 *
 * <p>It reacts to both ways a connection is lost: a connect that fails (which fires no
 * {@code channelInactive}, because the channel never became active) and an established connection that
 * closes. It only schedules; the delay comes from {@link BackoffState}. A bootstrap whose remote address is
 * unresolved resolves it again on every attempt, so DNS changes are picked up. Call {@link #stop()} before
 * closing the channel on purpose, or it will be reopened.
 */
@Sharable
public final class ReconnectHandler extends ChannelInboundHandlerAdapter {

    private static final Logger logger = LoggerFactory.getLogger(ReconnectHandler.class);

    /** Told about each step. Callbacks run on an event loop: they must not block. */
    public interface Listener {
        /** A connection is up. */
        default void connected(Channel channel) {
        }

        /** A connection ended, or an attempt to open one failed. */
        default void connectionLost(Channel channel, Disconnection why) {
        }

        /** Attempt number {@code attempt} will start after {@code delay}. */
        default void reconnectScheduled(int attempt, Duration delay, Disconnection after) {
        }

        /** The policy allows no more attempts. */
        default void gaveUp(int attempts, Disconnection last) {
        }
    }

    private static final Listener NO_LISTENER = new Listener() {
    };

    private final Bootstrap bootstrap;
    private final Listener listener;
    private final BackoffState backoff;
    private volatile boolean stopped;
    private volatile ScheduledFuture<?> scheduled;
    private volatile ChannelFuture inFlight;

    public ReconnectHandler(Bootstrap bootstrap, ReconnectPolicy policy) {
        this(bootstrap, policy, new Random(), NO_LISTENER);
    }

    /** @param random the source of jitter; seed it for a reproducible schedule */
    public ReconnectHandler(Bootstrap bootstrap, ReconnectPolicy policy, Random random, Listener listener) {
        this.bootstrap = Objects.requireNonNull(bootstrap, "bootstrap");
        this.backoff = new BackoffState(Objects.requireNonNull(policy, "policy"), Objects.requireNonNull(random, "random"));
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * Connects, and keeps reconnecting after every loss until {@link #stop()}.
     *
     * @return the first attempt; a failure is followed by a scheduled retry, not by an exception here
     */
    public ChannelFuture connect() {
        if (stopped) {
            throw new IllegalStateException("reconnect handler is stopped");
        }
        ChannelFuture future = bootstrap.connect();
        inFlight = future;
        future.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                // A handler may already know why, for example an initializer that threw and closed the channel.
                Disconnection recorded = Disconnection.recorded(f.channel());
                lost(f.channel(), stopped ? Disconnection.of(DisconnectCause.LOCAL_CLOSE, null, f.cause())
                        : recorded != null ? recorded : CauseClassifier.classifyConnectFailure(f.cause()));
            }
        });
        return future;
    }

    /**
     * Stops reconnecting: cancels a scheduled attempt and aborts one under way. Connections already
     * established stay open; close them yourself.
     */
    public void stop() {
        stopped = true;
        ScheduledFuture<?> s = scheduled;
        if (s != null) {
            s.cancel(false);
        }
        ChannelFuture attempt = inFlight;
        if (attempt != null && !attempt.isDone()) {
            attempt.channel().close();
        }
    }

    public boolean isStopped() {
        return stopped;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (stopped) {
            // Stopped while this connect was in flight: nobody wants the connection any more.
            Disconnection.record(ctx.channel(), Disconnection.of(DisconnectCause.LOCAL_CLOSE));
            ctx.close();
            return;
        }
        synchronized (backoff) {
            backoff.connected(ctx.executor().ticker().nanoTime());
        }
        notify(() -> listener.connected(ctx.channel()));
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        Disconnection why = Disconnection.recorded(ctx.channel());
        lost(ctx.channel(), why != null ? why : Disconnection.of(DisconnectCause.PEER_CLOSED));
        super.channelInactive(ctx);
    }

    private void lost(Channel channel, Disconnection why) {
        notify(() -> listener.connectionLost(channel, why));
        if (stopped) {
            return;
        }
        Duration delay;
        int attempt;
        synchronized (backoff) {
            backoff.disconnected(channel.eventLoop().ticker().nanoTime());
            delay = backoff.nextDelay();
            attempt = backoff.attempt();
        }
        if (delay == null) {
            notify(() -> listener.gaveUp(attempt, why));
            return;
        }
        notify(() -> listener.reconnectScheduled(attempt, delay, why));
        try {
            scheduled = channel.eventLoop().schedule(this::reconnect, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            logger.debug("{} not reconnecting: the event loop is shutting down", ChannelLog.id(channel));
            stopped = true;
            return;
        }
        if (stopped) {
            // stop() ran between the check above and the schedule, and may have missed this future.
            scheduled.cancel(false);
        }
    }

    private void reconnect() {
        if (stopped) {
            return;
        }
        try {
            connect();
        } catch (RuntimeException e) {
            logger.warn("reconnect attempt could not start; not reconnecting", e);
            stopped = true;
        }
    }

    private static void notify(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            // A listener's bug must not stop the reconnect loop.
            logger.warn("reconnect listener threw", e);
        }
    }
}
