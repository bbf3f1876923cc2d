package io.resilientconnector.handler;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.AttributeKey;
import io.resilientconnector.cause.Disconnection.Unacknowledged;
import io.resilientconnector.internal.KernelSendQueue;

import java.time.Duration;
import java.util.Locale;

/**
 * Keeps a channel's last sample of the kernel's send queue (TCP_INFO, or {@code /proc/net/tcp} for NIO on
 * Linux), so that its end can report what the peer never acknowledged.
 *
 * <p>The kernel's counters must be read while the socket is open, and a transport that fails a write closes
 * the socket before any handler hears of it. So samples are taken where the socket is known to be open and
 * the numbers matter: at an I/O error passed through the pipeline (a read error, which arrives before the
 * close), at a close from this side, and by the write-progress watchdog while writes are waiting, which is
 * when a failed write can end the connection. Nothing is sampled on an idle connection or per write.
 */
final class UnacknowledgedSampler {

    private static final AttributeKey<Sample> KEY = AttributeKey.valueOf(UnacknowledgedSampler.class, "sample");

    private UnacknowledgedSampler() {
    }

    /**
     * Samples now, from TCP_INFO (epoll, io_uring) or {@code /proc/net/tcp} (NIO on Linux), if the socket is
     * still known to the kernel; keeps the previous sample otherwise.
     */
    static void sample(ChannelHandlerContext ctx, boolean whileWaiting) {
        record(ctx, KernelSendQueue.read(ctx.channel()), whileWaiting);
    }

    /** Keeps {@code queue}, just read by the caller, as the sample; keeps the previous one if it is {@code null}. */
    static void record(ChannelHandlerContext ctx, KernelSendQueue queue, boolean whileWaiting) {
        if (queue != null) {
            ctx.channel().attr(KEY).set(new Sample(queue, ctx.executor().ticker().nanoTime(), whileWaiting));
        }
    }

    /**
     * Drops a sample the watchdog took while writes were waiting, once they have drained: it no longer says
     * anything about what an end much later would lose.
     */
    static void writesDrained(Channel channel) {
        Sample s = channel.attr(KEY).get();
        if (s != null && s.whileWaiting) {
            channel.attr(KEY).compareAndSet(s, null);
        }
    }

    /** What to report at the end of {@code ctx}'s channel; consumes the sample. */
    static Unacknowledged report(ChannelHandlerContext ctx) {
        Channel channel = ctx.channel();
        if (!KernelSendQueue.supported(channel)) {
            return Unacknowledged.unknown(transportName(channel) + " has no TCP_INFO");
        }
        Sample s = channel.attr(KEY).getAndSet(null);
        if (s == null) {
            return Unacknowledged.unknown("not sampled while the socket was open");
        }
        if (s.queue.bytes() < 0) {
            return Unacknowledged.unknown("this kernel's TCP_INFO has no byte counters (Linux 4.19+ has)");
        }
        Duration age = Duration.ofNanos(Math.max(0, ctx.executor().ticker().nanoTime() - s.nanos));
        return Unacknowledged.sampled(s.queue.bytes(), s.queue.notSentBytes(), s.queue.segments(), age);
    }

    private static String transportName(Channel channel) {
        // NioSocketChannel -> nio, KQueueSocketChannel -> kqueue, EmbeddedChannel -> embedded.
        String name = channel.getClass().getSimpleName();
        int suffix = name.indexOf("SocketChannel");
        if (suffix <= 0) {
            suffix = name.indexOf("Channel");
        }
        return (suffix > 0 ? name.substring(0, suffix) : name).toLowerCase(Locale.ROOT);
    }

    private static final class Sample {
        final KernelSendQueue queue;
        final long nanos;
        final boolean whileWaiting;

        Sample(KernelSendQueue queue, long nanos, boolean whileWaiting) {
            this.queue = queue;
            this.nanos = nanos;
            this.whileWaiting = whileWaiting;
        }
    }
}
