package io.resilientconnector.handler;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.resilientconnector.ConnectorOptions;
import io.resilientconnector.DisconnectCause;
import io.resilientconnector.internal.ending.ConnectionRecord;
import io.resilientconnector.internal.ending.DisconnectRecorder;
import io.resilientconnector.internal.ending.Disconnections;
import io.resilientconnector.internal.liveness.ConnectionTimer;
import io.resilientconnector.internal.liveness.WriteStallDetector;
import io.resilientconnector.util.Checks;
import io.resilientconnector.util.Durations;

import java.time.Duration;

/**
 * Resets a connection whose pending outbound bytes have not drained for the stall timeout, and records
 * {@link DisconnectCause#STALLED}. It is the portable counterpart of TCP_USER_TIMEOUT: it works on every
 * transport, including NIO, where the kernel option is not available, and catches both a dead path and a
 * peer that stopped reading (a zero window), which TCP itself never gives up on.
 *
 * <p>It watches Netty's outbound buffer and, where it can be read, the kernel's send queue (TCP_INFO on epoll
 * and io_uring, {@code /proc/net/tcp} for NIO on Linux), so small writes that never fill the send buffer are
 * caught too. Where the kernel's queue cannot be read (NIO on macOS and Windows) a stall is seen only once the
 * send buffer is full. A connection is reset between one and one and a quarter stall timeouts (plus the
 * {@value ConnectionTimer#GRID_MILLIS} ms timer grid) after the last progress seen.
 *
 * <p>It costs nothing on an idle connection: a check is armed on a flush, and runs every quarter of the stall
 * timeout until the bytes have drained. It is the connector's own write-stall detector, as a handler of its
 * own. Create one per channel.
 */
public final class WriteProgressWatchdog extends ChannelDuplexHandler implements Runnable {

    /** The shortest stall timeout accepted. */
    public static final Duration MIN_STALL_TIMEOUT = ConnectorOptions.MIN_WRITE_STALL_TIMEOUT;
    /** The longest stall timeout accepted. */
    public static final Duration MAX_STALL_TIMEOUT = ConnectorOptions.MAX_WRITE_STALL_TIMEOUT;

    private final Duration stallTimeout;
    private final ConnectionTimer timer = new ConnectionTimer(this);
    private WriteStallDetector detector;
    private ChannelHandlerContext ctx;

    public WriteProgressWatchdog(Duration stallTimeout) {
        Checks.positive(stallTimeout, MAX_STALL_TIMEOUT, "writeStallTimeout");
        if (stallTimeout.compareTo(MIN_STALL_TIMEOUT) < 0) {
            throw new IllegalArgumentException("writeStallTimeout: " + Durations.format(stallTimeout)
                    + " (expected: 0 to disable, or >= " + Durations.format(MIN_STALL_TIMEOUT) + ")");
        }
        this.stallTimeout = stallTimeout;
    }

    public Duration stallTimeout() {
        return stallTimeout;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.detector = new WriteStallDetector(stallTimeout, ctx.channel());
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
        ConnectionRecord record = ConnectionRecord.of(ctx.channel());
        detector.beforeFlush(ctx.channel(), record);
        ctx.flush();
        detector.flushed(ctx.channel(), record, ctx.executor().ticker().nanoTime());
        timer.arm(ctx.executor(), detector.deadline());
    }

    /** The timer fired. */
    @Override
    public void run() {
        Channel channel = ctx.channel();
        ConnectionRecord record = ConnectionRecord.of(channel);
        String stalled = detector.check(channel, record, ctx.executor().ticker().nanoTime());
        if (stalled != null) {
            DisconnectRecorder.reset(ctx, record,
                    Disconnections.builder(DisconnectCause.STALLED).detail(stalled).build(), "write stalled");
            return;
        }
        timer.arm(ctx.executor(), detector.deadline());
    }

    private void disarm() {
        timer.cancel();
        if (detector != null) {
            detector.disarm();
        }
    }
}
