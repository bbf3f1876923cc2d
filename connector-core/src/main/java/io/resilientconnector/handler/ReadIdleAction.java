package io.resilientconnector.handler;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.resilientconnector.cause.DisconnectCause;
import io.resilientconnector.cause.Disconnection;
import io.resilientconnector.internal.ChannelLog;
import io.resilientconnector.internal.Checks;
import io.resilientconnector.internal.Durations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.time.Duration;

/**
 * Decides what a read-idle period means: by default it only logs, as a read timeout in a polling loop would;
 * with {@code closeAfter} set, it closes the connection after that many consecutive idle periods and records
 * {@link DisconnectCause#READ_IDLE}. The event is always passed on. Create one per channel, after a
 * {@link ReadIdleHandler}.
 */
public final class ReadIdleAction extends ChannelInboundHandlerAdapter {

    private static final Logger logger = LoggerFactory.getLogger(ReadIdleAction.class);

    private final Duration period;
    private final int closeAfter;
    private final Level level;
    private int consecutive;

    /**
     * @param period     the read timeout of the {@link ReadIdleHandler} before this, for the log and the cause
     * @param closeAfter consecutive idle periods before closing, or 0 to never close
     * @param level      the level of the "read idle" log line
     */
    public ReadIdleAction(Duration period, int closeAfter, Level level) {
        this.period = Checks.positive(period, ReadIdleHandler.MAX_TIMEOUT, "readTimeout");
        this.closeAfter = Checks.inRange(closeAfter, 0, Integer.MAX_VALUE, "readIdleCloseAfter");
        this.level = Checks.notNull(level, "level");
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent && ((IdleStateEvent) evt).state() == IdleState.READER_IDLE) {
            consecutive = ((IdleStateEvent) evt).isFirst() ? 1 : consecutive + 1;
            if (logger.isEnabledForLevel(level)) {
                logger.atLevel(level).log("{} read idle: nothing received for {} ({} consecutive)",
                        ChannelLog.id(ctx.channel()), Durations.format(period.multipliedBy(consecutive)), consecutive);
            }
            if (closeAfter > 0 && consecutive >= closeAfter) {
                Disconnection.record(ctx.channel(), Disconnection.of(DisconnectCause.READ_IDLE)
                        .withDetail("nothing received for " + Durations.format(period.multipliedBy(consecutive))));
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
