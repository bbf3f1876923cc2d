package io.resilientconnector.handler;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
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
 * transport, including NIO, where the kernel option is not available, and catches both a dead path and a
 * peer that stopped reading (a zero window), which TCP itself never gives up on.
 *
 * <p>It costs nothing while nothing is pending: no task runs and nothing is allocated per write. A check is
 * scheduled only when a flush leaves flushed bytes the socket did not take, and then one check runs every
 * quarter of the stall timeout until they have drained. Progress is seen when the message at the head of
 * Netty's outbound buffer changes or advances. Bytes written without a flush do not count as pending.
 *
 * <p>Bytes already in the kernel's send buffer are invisible to it, so a stall is seen once that buffer is
 * full: a connection is closed between one and one and a quarter stall timeouts after the socket last took
 * bytes, which is the time to fill the send buffer after the path died. While it checks, it also samples
 * TCP_INFO where the transport has it, so that the end of the connection can report what the peer never
 * acknowledged (see {@link io.resilientconnector.cause.Disconnection#unacknowledged()}).
 *
 * <p>Create one per channel.
 */
public final class WriteProgressWatchdog extends ChannelDuplexHandler {

    private static final Logger logger = LoggerFactory.getLogger(WriteProgressWatchdog.class);

    /** The shortest stall timeout accepted. */
    public static final Duration MIN_STALL_TIMEOUT = Duration.ofMillis(100);
    /** The longest stall timeout accepted. */
    public static final Duration MAX_STALL_TIMEOUT = Duration.ofDays(1);
    /** Checks per stall timeout while bytes are pending; a stall is declared at most 1/4 timeout late. */
    static final int CHECKS_PER_STALL = 4;

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
        this.checkNanos = stallNanos / CHECKS_PER_STALL;
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
        if (check == null) {
            ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
            // isEmpty() counts flushed messages only: unflushed writes wait for the application, not the peer.
            if (buffer != null && !buffer.isEmpty() && ctx.channel().isActive()) {
                snapshot(buffer);
                lastChangeNanos = ctx.executor().ticker().nanoTime();
                UnacknowledgedSampler.sample(ctx, true);
                check = ctx.executor().schedule(this::check, checkNanos, TimeUnit.NANOSECONDS);
            }
        }
    }

    private void check() {
        check = null;
        ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
        if (!ctx.channel().isActive() || buffer == null || buffer.isEmpty()) {
            UnacknowledgedSampler.writesDrained(ctx.channel());
            lastHead = null;
            return;
        }
        long now = ctx.executor().ticker().nanoTime();
        // Identity is enough: a message written completely leaves the buffer, and the next one is another object.
        if (buffer.current() != lastHead || buffer.currentProgress() != lastProgress) {
            snapshot(buffer);
            lastChangeNanos = now;
        } else if (now - lastChangeNanos >= stallNanos) {
            String detail = describe(buffer) + ", none written for " + Durations.format(Duration.ofNanos(now - lastChangeNanos));
            if (Disconnection.record(ctx.channel(), Disconnection.of(DisconnectCause.STALLED).withDetail(detail))) {
                logger.info("{} write stalled: {}; closing", ChannelLog.id(ctx.channel()), detail);
            }
            ctx.close();
            return;
        }
        UnacknowledgedSampler.sample(ctx, true);
        check = ctx.executor().schedule(this::check, checkNanos, TimeUnit.NANOSECONDS);
    }

    private void snapshot(ChannelOutboundBuffer buffer) {
        lastHead = buffer.current();
        lastProgress = buffer.currentProgress();
    }

    /** For example {@code 65536 bytes in 64 messages waiting}; runs once, when a stall is declared. */
    private static String describe(ChannelOutboundBuffer buffer) {
        long[] bytes = {0};
        try {
            buffer.forEachFlushedMessage(msg -> {
                if (msg instanceof ByteBuf) {
                    bytes[0] += ((ByteBuf) msg).readableBytes();
                } else if (msg instanceof ByteBufHolder) {
                    bytes[0] += ((ByteBufHolder) msg).content().readableBytes();
                }
                return true;
            });
        } catch (Exception e) {
            return buffer.size() + " messages waiting";
        }
        return bytes[0] + " bytes in " + buffer.size() + (buffer.size() == 1 ? " message" : " messages") + " waiting";
    }

    private void disarm() {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
        lastHead = null;
    }
}
