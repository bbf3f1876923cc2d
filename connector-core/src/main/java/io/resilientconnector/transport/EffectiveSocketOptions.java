package io.resilientconnector.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioChannelOption;
import io.resilientconnector.internal.ending.KernelSendQueue;
import io.resilientconnector.util.Durations;
import jdk.net.ExtendedSocketOptions;

import java.time.Duration;

/**
 * The keepalive options a connected socket really has, read back from the kernel, and the worst-case time
 * to detect a dead peer that follows from them. A value the transport cannot read is {@code null}.
 */
public final class EffectiveSocketOptions {

    private final Transport transport;
    private final Boolean soKeepAlive;
    private final Integer idleSeconds;
    private final Integer intervalSeconds;
    private final Integer count;
    private final Integer userTimeoutMillis;
    /** Whether the write-stall watchdog can see bytes stuck in the kernel's send queue, not only Netty's. */
    private final boolean kernelQueueVisible;

    EffectiveSocketOptions(Transport transport, Boolean soKeepAlive, Integer idleSeconds, Integer intervalSeconds,
                           Integer count, Integer userTimeoutMillis, boolean kernelQueueVisible) {
        this.transport = transport;
        this.soKeepAlive = soKeepAlive;
        this.idleSeconds = idleSeconds;
        this.intervalSeconds = intervalSeconds;
        this.count = count;
        this.userTimeoutMillis = userTimeoutMillis;
        this.kernelQueueVisible = kernelQueueVisible;
    }

    static EffectiveSocketOptions read(Channel channel, Transport transport) {
        ChannelConfig config = channel.config();
        Boolean keepAlive = get(config, ChannelOption.SO_KEEPALIVE);
        boolean kernelQueue = KernelSendQueue.supported(channel);
        switch (transport.type()) {
            case EPOLL:
            case IO_URING: {
                SocketTuning.LinuxOptions linux = SocketTuning.LinuxOptions.of(transport.type());
                return new EffectiveSocketOptions(transport, keepAlive, get(config, linux.idle),
                        get(config, linux.interval), get(config, linux.count), get(config, linux.userTimeout),
                        kernelQueue);
            }
            case NIO:
                return new EffectiveSocketOptions(transport, keepAlive,
                        get(config, NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE)),
                        get(config, NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL)),
                        get(config, NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT)), null, kernelQueue);
            default:
                return new EffectiveSocketOptions(transport, keepAlive, null, null, null, null, kernelQueue);
        }
    }

    private static <T> T get(ChannelConfig config, ChannelOption<T> option) {
        try {
            return config.getOption(option);
        } catch (RuntimeException e) {
            // A closed socket or an option this kernel lacks: report it as unknown rather than fail a log line.
            return null;
        }
    }

    public Transport transport() {
        return transport;
    }

    public Boolean soKeepAlive() {
        return soKeepAlive;
    }

    public Integer idleSeconds() {
        return idleSeconds;
    }

    public Integer intervalSeconds() {
        return intervalSeconds;
    }

    public Integer count() {
        return count;
    }

    /** TCP_USER_TIMEOUT in milliseconds; 0 when off, {@code null} where the transport has no such option. */
    public Integer userTimeoutMillis() {
        return userTimeoutMillis;
    }

    /**
     * The longest the kernel takes to notice a dead peer on an idle link, counted from the last segment
     * received, or {@code null} if keepalive is off or its timings are unknown.
     */
    public Duration idleDetectionBound() {
        if (!Boolean.TRUE.equals(soKeepAlive) || idleSeconds == null || intervalSeconds == null || count == null) {
            return null;
        }
        KeepAliveOptions.Builder b = KeepAliveOptions.builder().idle(Duration.ofSeconds(idleSeconds))
                .interval(Duration.ofSeconds(intervalSeconds)).count(count);
        boolean ut = userTimeoutMillis != null && userTimeoutMillis > 0;
        if (ut) {
            b.userTimeout(Duration.ofMillis(userTimeoutMillis));
        }
        return b.build().idleDetectionBound(ut);
    }

    /**
     * The longest until a link with unacknowledged data is given up on: the user timeout, else the
     * write-stall timeout (counted from the kernel's first retransmission where the watchdog can read the
     * kernel's send queue, otherwise once the socket's send buffer is full), else {@code null} for the
     * kernel's own retransmission limit (about 15 minutes with the default tcp_retries2).
     */
    public Duration busyDetectionBound(Duration writeStallTimeout) {
        if (userTimeoutMillis != null && userTimeoutMillis > 0) {
            return Duration.ofMillis(userTimeoutMillis);
        }
        return writeStallTimeout == null || writeStallTimeout.isZero() ? null : writeStallTimeout;
    }

    /** One log line: the transport, SO_KEEPALIVE, idle/interval/count, the user timeout and both bounds. */
    public String describe(Duration writeStallTimeout) {
        Duration idleBound = idleDetectionBound();
        Duration busyBound = busyDetectionBound(writeStallTimeout);
        String busyBy = userTimeoutMillis != null && userTimeoutMillis > 0 ? "user timeout"
                : busyBound == null ? null
                : kernelQueueVisible ? "write-stall watchdog" : "write-stall watchdog, once the send buffer fills";
        return "transport=" + transport.displayName()
                + " SO_KEEPALIVE=" + (soKeepAlive == null ? "unknown" : soKeepAlive)
                + " idle=" + seconds(idleSeconds) + " interval=" + seconds(intervalSeconds)
                + " count=" + (count == null ? "system-default" : count)
                + " userTimeout=" + (userTimeoutMillis == null ? "unsupported"
                        : userTimeoutMillis == 0 ? "off" : Durations.format(Duration.ofMillis(userTimeoutMillis)))
                + " deadPeerBound[idle]=" + (idleBound == null ? "none (keepalive off or system default)"
                        : Durations.format(idleBound))
                + " deadPeerBound[busy]=" + (busyBound == null ? "kernel retransmission limit (~15m)"
                        : Durations.format(busyBound) + " (" + busyBy + ")");
    }

    private static String seconds(Integer value) {
        return value == null ? "system-default" : value + "s";
    }

    @Override
    public String toString() {
        return describe(null);
    }
}
