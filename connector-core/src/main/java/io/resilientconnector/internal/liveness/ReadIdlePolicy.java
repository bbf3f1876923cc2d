package io.resilientconnector.internal.liveness;

import io.netty.channel.Channel;
import io.resilientconnector.DisconnectCause;
import io.resilientconnector.internal.ending.ConnectionRecord;
import io.resilientconnector.internal.ending.Disconnections;
import io.resilientconnector.util.ChannelLog;
import io.resilientconnector.util.Durations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.time.Duration;

/**
 * Decides what a read-idle period means: by default it only logs, as a read timeout in a polling loop would;
 * with {@code closeAfter} set, the connection is to be closed after that many consecutive idle periods, with
 * {@link DisconnectCause#READ_IDLE} recorded. Immutable; one serves every connection of a connector.
 */
public final class ReadIdlePolicy {

    private static final Logger logger = LoggerFactory.getLogger("io.resilientconnector.handler.ReadIdleAction");

    private final Duration period;
    private final int closeAfter;
    private final Level level;

    public ReadIdlePolicy(Duration period, int closeAfter, Level level) {
        this.period = period;
        this.closeAfter = closeAfter;
        this.level = level;
    }

    /**
     * Logs idle period number {@code consecutive}, and returns whether the connection must now be closed; if
     * so, the cause is recorded.
     */
    public boolean idle(Channel channel, ConnectionRecord record, int consecutive) {
        if (logger.isEnabledForLevel(level)) {
            logger.atLevel(level).log("{} read idle: nothing received for {} ({} consecutive)",
                    ChannelLog.id(channel), Durations.format(period.multipliedBy(consecutive)), consecutive);
        }
        if (closeAfter > 0 && consecutive >= closeAfter) {
            record.record(Disconnections.builder(DisconnectCause.READ_IDLE)
                    .detail("nothing received for " + Durations.format(period.multipliedBy(consecutive))).build());
            return true;
        }
        return false;
    }
}
