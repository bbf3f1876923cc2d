package io.resilientconnector.handler;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.resilientconnector.ConnectorOptions;
import io.resilientconnector.internal.liveness.ConnectionTimer;
import io.resilientconnector.internal.liveness.ReadIdleClock;
import io.resilientconnector.util.Checks;

import java.time.Duration;

/**
 * Fires an {@link IdleStateEvent} of state {@code READER_IDLE} each time nothing has been read for the read-idle
 * period: first with {@link IdleStateEvent#isFirst()} true, then again every period while reads stay idle.
 * It only detects; {@link ReadIdleAction} decides what to do. A read only stores a timestamp; one timer,
 * re-armed lazily and rounded up to a {@value ConnectionTimer#GRID_MILLIS} ms grid, serves the deadlines. It is
 * the connector's own read-idle clock, as a handler of its own. Create one per channel.
 */
public final class ReadIdleHandler extends ChannelInboundHandlerAdapter implements Runnable {

    /** The longest read-idle period accepted: a day. */
    public static final Duration MAX_PERIOD = ConnectorOptions.MAX_READ_IDLE_PERIOD;

    private final Duration readIdlePeriod;
    private final ReadIdleClock clock;
    private final ConnectionTimer timer = new ConnectionTimer(this);
    private ChannelHandlerContext ctx;
    private boolean started;

    public ReadIdleHandler(Duration readIdlePeriod) {
        this.readIdlePeriod = Checks.positive(readIdlePeriod, MAX_PERIOD, "readIdlePeriod");
        this.clock = new ReadIdleClock(readIdlePeriod.toNanos());
    }

    public Duration readIdlePeriod() {
        return readIdlePeriod;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
            start();
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        timer.cancel();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        start();
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        timer.cancel();
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        clock.reading();
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        clock.readComplete(ctx.executor().ticker().nanoTime());
        ctx.fireChannelReadComplete();
    }

    private void start() {
        if (started) {
            return;
        }
        started = true;
        clock.start(ctx.executor().ticker().nanoTime());
        timer.arm(ctx.executor(), clock.deadline());
    }

    /** The timer fired. */
    @Override
    public void run() {
        if (!ctx.channel().isOpen()) {
            return;
        }
        int idle = clock.check(ctx.executor().ticker().nanoTime());
        if (idle > 0) {
            ctx.fireUserEventTriggered(idle == 1 ? IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT
                    : IdleStateEvent.READER_IDLE_STATE_EVENT);
        }
        if (ctx.channel().isOpen()) {
            timer.arm(ctx.executor(), clock.deadline());
        }
    }
}
