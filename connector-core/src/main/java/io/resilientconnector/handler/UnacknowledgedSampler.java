package io.resilientconnector.handler;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.AttributeKey;
import io.resilientconnector.cause.Disconnection.Unacknowledged;
import io.resilientconnector.internal.TcpInfo;

import java.time.Duration;
import java.util.Locale;

/**
 * Keeps a channel's last TCP_INFO sample, so that its end can report what the peer never acknowledged.
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

    /** Samples now, if the transport has TCP_INFO and the socket is open; keeps the previous sample otherwise. */
    static void sample(ChannelHandlerContext ctx, boolean whileWaiting) {
        Channel channel = ctx.channel();
        if (!TcpInfo.supported(channel)) {
            return;
        }
        TcpInfo info = TcpInfo.read(channel);
        if (info != null) {
            channel.attr(KEY).set(new Sample(info, ctx.executor().ticker().nanoTime(), whileWaiting));
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
        if (!TcpInfo.supported(channel)) {
            return Unacknowledged.unknown(transportName(channel) + " has no TCP_INFO");
        }
        Sample s = channel.attr(KEY).getAndSet(null);
        if (s == null) {
            return Unacknowledged.unknown("not sampled while the socket was open");
        }
        long bytes = s.info.unacknowledgedBytes();
        if (bytes < 0) {
            return Unacknowledged.unknown("this kernel's TCP_INFO has no byte counters (Linux 4.19+ has)");
        }
        Duration age = Duration.ofNanos(Math.max(0, ctx.executor().ticker().nanoTime() - s.nanos));
        return Unacknowledged.sampled(bytes, Math.min(bytes, s.info.notSentBytes()), s.info.unackedSegments(), age);
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
        final TcpInfo info;
        final long nanos;
        final boolean whileWaiting;

        Sample(TcpInfo info, long nanos, boolean whileWaiting) {
            this.info = info;
            this.nanos = nanos;
            this.whileWaiting = whileWaiting;
        }
    }
}
