package io.resilientconnector.internal.liveness;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.resilientconnector.internal.ending.ConnectionRecord;
import io.resilientconnector.internal.ending.KernelSendQueue;
import io.resilientconnector.internal.ending.TcpInfo;
import io.resilientconnector.util.Durations;

import java.time.Duration;

/**
 * Decides when a connection's outbound bytes have stopped draining. It watches two places where they wait.
 * Netty's outbound buffer: progress is the message at its head changing or advancing; bytes written without a
 * flush do not count. And, where it can be read, the kernel's send queue ({@link KernelSendQueue}): once the
 * socket has taken everything, bytes the peer has not acknowledged while the kernel retransmits them, or
 * probes a zero window, are a stall too.
 *
 * <p>It is armed by a flush and then checked every quarter of the stall timeout until the bytes have
 * drained, so it costs nothing on an idle connection and nothing per write. Each check's read of the kernel's
 * queue is kept in the {@link ConnectionRecord} as the sample the end of the connection reports. It only
 * decides; its caller records the cause and resets the connection (DisconnectRecorder.reset).
 *
 * <p>Event loop only.
 */
public final class WriteStallDetector {

    /** Checks per stall timeout while bytes are pending; a stall is declared at most 1/4 timeout late. */
    public static final int CHECKS_PER_STALL = 4;

    private final long stallNanos;
    private final long checkNanos;
    private final boolean kernelQueueReadable;
    private boolean armed;
    private long nextCheckNanos;
    private Object lastHead;
    private long lastProgress;
    private long lastChangeNanos;

    public WriteStallDetector(Duration stallTimeout, Channel channel) {
        this.stallNanos = stallTimeout.toNanos();
        this.checkNanos = stallNanos / CHECKS_PER_STALL;
        this.kernelQueueReadable = KernelSendQueue.supported(channel);
    }

    /**
     * Before a flush that may arm the detector: samples the kernel's queue, where it can be read. A write that
     * fails as the flush runs (a reset, a timeout) closes the socket before anything can read it, and this
     * sample is then what the end reports; a flush that goes through is sampled again by {@link #flushed}.
     */
    public void beforeFlush(Channel channel, ConnectionRecord record) {
        // TCP_INFO only: one getsockopt. NIO's /proc scan is too dear to run before every flush.
        if (!armed && TcpInfo.supported(channel) && channel.isActive()) {
            record.sample(channel, false);
        }
    }

    /** After a flush: arms the detector if bytes wait, here or (where it can be read) in the kernel. */
    public void flushed(Channel channel, ConnectionRecord record, long nowNanos) {
        if (armed || !channel.isActive()) {
            return;
        }
        ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        // isEmpty() counts flushed messages only: unflushed writes wait for the application, not the peer.
        boolean waiting = buffer != null && !buffer.isEmpty();
        // Where the kernel's queue can be read, bytes the socket took count too: small writes never fill the
        // send buffer, and with unacknowledged data in flight keepalive never fires.
        if (waiting || kernelQueueReadable) {
            if (buffer != null) {
                snapshot(buffer);
            }
            lastChangeNanos = nowNanos;
            record.sample(channel, true);
            armed = true;
            nextCheckNanos = nowNanos + checkNanos;
        }
    }

    /** When the next check is due, or {@link ConnectionTimer#NEVER}. */
    public long deadline() {
        return armed ? nextCheckNanos : ConnectionTimer.NEVER;
    }

    /**
     * Checks at {@code nowNanos} if a check is due. Returns what stalled, for the cause's detail, or
     * {@code null} if nothing has (yet).
     */
    public String check(Channel channel, ConnectionRecord record, long nowNanos) {
        if (!armed || nowNanos - nextCheckNanos < 0) {
            return null;
        }
        armed = false;
        ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        if (!channel.isActive() || buffer == null) {
            return null;
        }
        boolean waiting = !buffer.isEmpty();
        KernelSendQueue kernel = kernelQueueReadable ? KernelSendQueue.read(channel) : null;
        if (!waiting && (kernel == null || kernel.bytes() <= 0)) {
            record.writesDrained();
            lastHead = null;
            return null;
        }
        // Identity is enough: a message written completely leaves the buffer, and the next one is another object.
        boolean headMoved = waiting && (buffer.current() != lastHead || buffer.currentProgress() != lastProgress);
        // With nothing waiting here, the kernel's queue is the only sign: it is stuck once the kernel has
        // retransmitted or probed without an acknowledgement since.
        boolean kernelMoving = !waiting && !kernel.stuck();
        if (headMoved || kernelMoving) {
            snapshot(buffer);
            lastChangeNanos = nowNanos;
        } else if (nowNanos - lastChangeNanos >= stallNanos) {
            lastHead = null;
            return (waiting ? describe(buffer) + ", none written" : kernel + " in the kernel, none acknowledged")
                    + " for " + Durations.approx(Duration.ofNanos(nowNanos - lastChangeNanos));
        }
        record.keep(kernel, nowNanos, true);
        armed = true;
        nextCheckNanos = nowNanos + checkNanos;
        return null;
    }

    /** Stops checking, as when the connection ends. */
    public void disarm() {
        armed = false;
        lastHead = null;
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
}
