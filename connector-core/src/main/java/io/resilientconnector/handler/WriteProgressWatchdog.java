package io.resilientconnector.handler;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.concurrent.ScheduledFuture;
import io.resilientconnector.cause.DisconnectCause;
import io.resilientconnector.cause.Disconnection;
import io.resilientconnector.internal.ChannelLog;
import io.resilientconnector.internal.Checks;
import io.resilientconnector.internal.Durations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection whose pending outbound bytes have not drained for the stall timeout, and records
 * {@link DisconnectCause#STALLED}. It is the portable counterpart of TCP_USER_TIMEOUT: it works on every
 * transport, including NIO, where the kernel option is not available.
 *
 * <p>It costs nothing while nothing is pending: a check is scheduled only on a flush that leaves bytes
 * behind, and then one check runs every quarter of the stall timeout until the buffer is empty. Progress is
 * seen when the message at the head of Netty's outbound buffer changes or advances. Bytes already in the
 * kernel's send buffer are invisible to it, so a stall is seen once that buffer is full: detection takes the
 * time to fill the socket's send buffer plus the stall timeout. Create one per channel.
 */
public final class WriteProgressWatchdog extends ChannelDuplexHandler {

    private static final Logger logger = LoggerFactory.getLogger(WriteProgressWatchdog.class);

    /** The shortest stall timeout accepted. */
    public static final Duration MIN_STALL_TIMEOUT = Duration.ofMillis(100);
    /** The longest stall timeout accepted. */
    public static final Duration MAX_STALL_TIMEOUT = Duration.ofDays(1);

    private final long stallNanos;
    private final long checkNanos;
    private final Duration stallTimeout;

    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> check;
    private Object lastHead;
    private long lastProgress;
    private long lastChangeNanos;

    public WriteProgressWatchdog(Duration stallTimeout) {
        Checks.positive(stallTimeout, MAX_STALL_TIMEOUT, "writeStallTimeout");
        if (stallTimeout.compareTo(MIN_STALL_TIMEOUT) < 0) {
            throw new IllegalArgumentException("writeStallTimeout: " + Durations.format(stallTimeout)
                    + " (expected: 0 to disable, or >= " + Durations.format(MIN_STALL_TIMEOUT) + ")");
        }
        this.stallTimeout = stallTimeout;
        this.stallNanos = stallTimeout.toNanos();
        this.checkNanos = stallNanos / 4;
    }

    public Duration stallTimeout() {
        return stallTimeout;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        disarm();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        disarm();
        super.channelInactive(ctx);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        ctx.flush();
        if (check == null && pendingBytes() > 0) {
            snapshot(ctx.channel().unsafe().outboundBuffer());
            lastChangeNanos = ctx.executor().ticker().nanoTime();
            check = ctx.executor().schedule(this::check, checkNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void check() {
        check = null;
        ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
        if (!ctx.channel().isActive() || buffer == null || buffer.totalPendingWriteBytes() == 0) {
            return;
        }
        long now = ctx.executor().ticker().nanoTime();
        if (buffer.current() != lastHead || buffer.currentProgress() != lastProgress) {
            snapshot(buffer);
            lastChangeNanos = now;
        } else if (now - lastChangeNanos >= stallNanos) {
            long pending = buffer.totalPendingWriteBytes();
            String detail = pending + " bytes pending, none written for "
                    + Durations.format(Duration.ofNanos(now - lastChangeNanos));
            if (Disconnection.record(ctx.channel(), Disconnection.of(DisconnectCause.STALLED).withDetail(detail))) {
                logger.info("{} write stalled: {}; closing", ChannelLog.id(ctx.channel()), detail);
            }
            ctx.close();
            return;
        }
        check = ctx.executor().schedule(this::check, checkNanos, TimeUnit.NANOSECONDS);
    }

    private void snapshot(ChannelOutboundBuffer buffer) {
        lastHead = buffer == null ? null : buffer.current();
        lastProgress = buffer == null ? 0 : buffer.currentProgress();
    }

    private long pendingBytes() {
        ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
    }

    private void disarm() {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
        lastHead = null;
    }
}
