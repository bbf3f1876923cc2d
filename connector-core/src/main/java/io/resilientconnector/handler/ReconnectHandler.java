package io.resilientconnector.handler;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.resilientconnector.ConnectorListener;
import io.resilientconnector.DisconnectCause;
import io.resilientconnector.Disconnection;
import io.resilientconnector.ReconnectPolicy;
import io.resilientconnector.internal.ending.ConnectionRecord;
import io.resilientconnector.internal.ending.DisconnectRecorder;
import io.resilientconnector.internal.ending.Disconnections;
import io.resilientconnector.internal.reconnect.ReconnectLoop;

import java.util.Objects;
import java.util.Random;

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
 * closes. It only schedules; the delay comes from the policy's backoff. It tells a {@link ConnectorListener}
 * each step, in the connector's own vocabulary: {@code connected}, {@code disconnected} for an established
 * connection that ended (with the cause {@link ConnectionEventLogger} worked out), {@code connectFailed} for a
 * connect that failed, {@code reconnectScheduled}, {@code gaveUp}. A bootstrap whose
 * remote address is unresolved resolves it again on every attempt, so DNS changes are picked up. Call
 * {@link #stop()} before closing the channel on purpose, or it will be reopened.
 */
@Sharable
public final class ReconnectHandler extends ChannelInboundHandlerAdapter {

    private static final ConnectorListener NO_LISTENER = new ConnectorListener() {
    };

    private final ReconnectLoop loop;

    public ReconnectHandler(Bootstrap bootstrap, ReconnectPolicy policy) {
        this(bootstrap, policy, new Random(), NO_LISTENER);
    }

    /** @param random the source of jitter; seed it for a reproducible schedule */
    public ReconnectHandler(Bootstrap bootstrap, ReconnectPolicy policy, Random random, ConnectorListener listener) {
        Objects.requireNonNull(bootstrap, "bootstrap");
        Objects.requireNonNull(bootstrap.config().group(), "bootstrap.group");
        this.loop = new ReconnectLoop(bootstrap::connect, bootstrap.config().group().next(),
                Objects.requireNonNull(policy, "policy"), Objects.requireNonNull(random, "random"),
                Objects.requireNonNull(listener, "listener"), bootstrap.config().remoteAddress());
    }

    /**
     * Connects, and keeps reconnecting after every loss until {@link #stop()}.
     *
     * @return the first attempt; a failure is followed by a scheduled retry, not by an exception here
     */
    public ChannelFuture connect() {
        return (ChannelFuture) loop.start();
    }

    /**
     * Stops reconnecting: cancels a scheduled attempt and aborts one under way. Connections already
     * established stay open; close them yourself.
     */
    public void stop() {
        loop.stop();
    }

    public boolean isStopped() {
        return loop.isStopped();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (loop.isStopped()) {
            // Stopped while this connect was in flight: nobody wants the connection any more.
            ConnectionRecord.of(ctx.channel()).record(Disconnections.of(DisconnectCause.LOCAL_CLOSE));
            ctx.close();
            return;
        }
        loop.connected(ctx.channel());
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        ConnectionRecord record = ConnectionRecord.find(ctx.channel());
        Disconnection why = record != null ? record.recorded() : null;
        loop.lost(DisconnectRecorder.named(why != null ? why : Disconnections.of(DisconnectCause.PEER_CLOSED),
                ctx.channel()));
        super.channelInactive(ctx);
    }
}
