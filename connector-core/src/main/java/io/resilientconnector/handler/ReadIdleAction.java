package io.resilientconnector.handler;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.resilientconnector.DisconnectCause;
import io.resilientconnector.internal.ending.ConnectionRecord;
import io.resilientconnector.internal.liveness.ReadIdlePolicy;
import io.resilientconnector.util.Checks;
import org.slf4j.event.Level;

import java.time.Duration;

/**
 * Decides what a read-idle period means: by default it only logs, as a read timeout in a polling loop would;
 * with {@code closeAfter} set, it closes the connection after that many consecutive idle periods and records
 * {@link DisconnectCause#READ_IDLE}. The event is always passed on. Create one per channel, after a
 * {@link ReadIdleHandler}.
 */
public final class ReadIdleAction extends ChannelInboundHandlerAdapter {

    private final ReadIdlePolicy policy;
    private int consecutive;

    /**
     * @param period     the read-idle period of the {@link ReadIdleHandler} before this, for the log and the cause
     * @param closeAfter consecutive idle periods before closing, or 0 to never close
     * @param level      the level of the "read idle" log line
     */
    public ReadIdleAction(Duration period, int closeAfter, Level level) {
        this.policy = new ReadIdlePolicy(Checks.positive(period, ReadIdleHandler.MAX_PERIOD, "readIdlePeriod"),
                Checks.inRange(closeAfter, 0, Integer.MAX_VALUE, "readIdleCloseAfter"), Checks.notNull(level, "level"));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent && ((IdleStateEvent) evt).state() == IdleState.READER_IDLE) {
            consecutive = ((IdleStateEvent) evt).isFirst() ? 1 : consecutive + 1;
            if (policy.idle(ctx.channel(), ConnectionRecord.of(ctx.channel()), consecutive)) {
                ctx.fireUserEventTriggered(evt);
                ctx.close();
                return;
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** The number of idle periods in the current stretch without reads; it starts over after a read. */
    public int consecutive() {
        return consecutive;
    }
}
