package io.resilientconnector.handler;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.concurrent.ScheduledFuture;
import io.resilientconnector.cause.DisconnectCause;
import io.resilientconnector.cause.Disconnection;
import io.resilientconnector.internal.ChannelLog;
import io.resilientconnector.internal.Checks;
import io.resilientconnector.internal.Durations;
import io.resilientconnector.internal.KernelSendQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Resets a connection whose pending outbound bytes have not drained for the stall timeout, and records
 * {@link DisconnectCause#STALLED}. It is the portable counterpart of TCP_USER_TIMEOUT: it works on every
 * transport, including NIO, where the kernel option is not available, and catches both a dead path and a
 * peer that stopped reading (a zero window), which TCP itself never gives up on.
 *
 * <p>It watches two places where outbound bytes wait. Netty's outbound buffer: progress is the message at
 * its head changing or advancing; bytes written without a flush do not count. And, where it can be read,
 * the kernel's send queue ({@link KernelSendQueue}: TCP_INFO on epoll and io_uring, {@code /proc/net/tcp}
 * for NIO on Linux): once the socket has taken everything, bytes the peer has not acknowledged while the
 * kernel retransmits them, or probes a zero window, are a stall too. That matters for small writes, which
 * never fill the send buffer: with unacknowledged data in flight keepalive never fires, and without a user
 * timeout the kernel retransmits for about 15 minutes. Where the kernel's queue cannot be read (NIO on macOS
 * and Windows) a stall is seen only once the send buffer is full.
 *
 * <p>A connection is closed between one and one and a quarter stall timeouts after the last progress seen:
 * the socket taking bytes, or for bytes already in the kernel, its first retransmission timeout without
 * an acknowledgement.
 *
 * <p>It costs nothing on an idle connection: no task runs and nothing is allocated per write. A check is
 * scheduled on a flush when none is scheduled, and one check runs every quarter of the stall timeout until
 * the bytes have drained. What each check reads of the kernel's queue is also kept as the sample from which
 * the end of the connection reports what the peer never acknowledged (see
 * {@link io.resilientconnector.cause.Disconnection#unacknowledged()}).
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
    private boolean kernelQueueReadable;
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
        this.kernelQueueReadable = KernelSendQueue.supported(ctx.channel());
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
        if (check == null && ctx.channel().isActive()) {
            ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
            // isEmpty() counts flushed messages only: unflushed writes wait for the application, not the peer.
            boolean waiting = buffer != null && !buffer.isEmpty();
            // Where the kernel's queue can be read, bytes the socket took count too: small writes never fill
            // the send buffer, and with unacknowledged data in flight keepalive never fires.
            if (waiting || kernelQueueReadable) {
                if (buffer != null) {
                    snapshot(buffer);
                }
                lastChangeNanos = ctx.executor().ticker().nanoTime();
                UnacknowledgedSampler.sample(ctx, true);
                check = ctx.executor().schedule(this::check, checkNanos, TimeUnit.NANOSECONDS);
            }
        }
    }

    private void check() {
        check = null;
        Channel channel = ctx.channel();
        ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        if (!channel.isActive() || buffer == null) {
            return;
        }
        boolean waiting = !buffer.isEmpty();
        KernelSendQueue kernel = kernelQueueReadable ? KernelSendQueue.read(channel) : null;
        if (!waiting && (kernel == null || kernel.bytes() <= 0)) {
            UnacknowledgedSampler.writesDrained(channel);
            lastHead = null;
            return;
        }
        long now = ctx.executor().ticker().nanoTime();
        // Identity is enough: a message written completely leaves the buffer, and the next one is another object.
        boolean headMoved = waiting && (buffer.current() != lastHead || buffer.currentProgress() != lastProgress);
        // With nothing waiting here, the kernel's queue is the only sign: it is stuck once the kernel has
        // retransmitted or probed without an acknowledgement since.
        boolean kernelMoving = !waiting && !kernel.stuck();
        if (headMoved || kernelMoving) {
            snapshot(buffer);
            lastChangeNanos = now;
        } else if (now - lastChangeNanos >= stallNanos) {
            String detail = (waiting ? describe(buffer) + ", none written" : kernel + " in the kernel, none acknowledged")
                    + " for " + Durations.approx(Duration.ofNanos(now - lastChangeNanos));
            if (Disconnection.record(channel, Disconnection.of(DisconnectCause.STALLED).withDetail(detail))) {
                logger.info("{} write stalled: {}; resetting", ChannelLog.id(channel), detail);
            }
            abort(channel);
            ctx.close();
            return;
        }
        UnacknowledgedSampler.record(ctx, kernel, true);
        check = ctx.executor().schedule(this::check, checkNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Makes the close a reset (SO_LINGER 0). After an orderly close the kernel would go on retransmitting
     * the stuck bytes, and, should the path come back after a reconnect, deliver them behind the new
     * connection's: out of order, from the application's point of view. A reset drops them.
     */
    private static void abort(Channel channel) {
        try {
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
        } catch (RuntimeException e) {
            logger.debug("{} could not set SO_LINGER 0; closing normally", ChannelLog.id(channel), e);
        }
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
