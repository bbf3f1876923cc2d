package io.resilientconnector.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.uring.IoUringChannelOption;
import io.resilientconnector.util.Checks;
import io.resilientconnector.util.Durations;
import jdk.net.ExtendedSocketOptions;

import java.io.IOException;
import java.net.SocketOption;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The socket options that carry {@link KeepAliveOptions} on one {@link Transport}, worked out once before
 * any connect, with a warning for each option this platform cannot apply.
 *
 * <p>Values are validated by {@link KeepAliveOptions} before Netty sees them: Netty 4.2 fails the connect
 * when setsockopt rejects an option, so a bad value must never reach it.
 */
public final class SocketTuning {

    private final Transport transport;
    private final KeepAliveOptions keepAlive;
    private final Map<ChannelOption<?>, Object> options;
    private final List<String> warnings;
    private final boolean userTimeoutApplied;

    private SocketTuning(Transport transport, KeepAliveOptions keepAlive, Map<ChannelOption<?>, Object> options,
                         List<String> warnings, boolean userTimeoutApplied) {
        this.transport = transport;
        this.keepAlive = keepAlive;
        this.options = Collections.unmodifiableMap(options);
        this.warnings = Collections.unmodifiableList(warnings);
        this.userTimeoutApplied = userTimeoutApplied;
    }

    /**
     * Works out the options for {@code keepAlive} on {@code transport}.
     *
     * @param userTimeoutExplicit whether a missing TCP_USER_TIMEOUT deserves a warning: it does when the user
     *                            set one, not when it is the derived default
     */
    public static SocketTuning plan(Transport transport, KeepAliveOptions keepAlive, boolean userTimeoutExplicit) {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(keepAlive, "keepAlive");
        Map<ChannelOption<?>, Object> options = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        options.put(ChannelOption.SO_KEEPALIVE, keepAlive.enabled());
        int idle = (int) keepAlive.idle().getSeconds();
        int interval = (int) keepAlive.interval().getSeconds();
        int userTimeoutMillis = (int) keepAlive.userTimeout().toMillis();
        boolean userTimeoutApplied = false;
        String name = transport.displayName();
        switch (transport.type()) {
            case EPOLL:
            case IO_URING: {
                LinuxOptions linux = LinuxOptions.of(transport.type());
                if (keepAlive.enabled()) {
                    options.put(linux.idle, idle);
                    options.put(linux.interval, interval);
                    options.put(linux.count, keepAlive.count());
                }
                if (userTimeoutMillis > 0) {
                    options.put(linux.userTimeout, userTimeoutMillis);
                    userTimeoutApplied = true;
                }
                break;
            }
            case NIO: {
                if (keepAlive.enabled()) {
                    Set<SocketOption<?>> supported = NioSupport.SUPPORTED;
                    putIfSupported(options, warnings, supported, ExtendedSocketOptions.TCP_KEEPIDLE, idle, name,
                            "keepAlive.idle");
                    putIfSupported(options, warnings, supported, ExtendedSocketOptions.TCP_KEEPINTERVAL, interval,
                            name, "keepAlive.interval");
                    putIfSupported(options, warnings, supported, ExtendedSocketOptions.TCP_KEEPCOUNT,
                            keepAlive.count(), name, "keepAlive.count");
                }
                if (userTimeoutMillis > 0 && userTimeoutExplicit) {
                    warnings.add("TCP_USER_TIMEOUT (keepAlive.userTimeout) is not available on transport " + name
                            + ": the JDK has no such option; a busy link is bounded by the write-progress watchdog "
                            + "instead of the kernel");
                }
                break;
            }
            case KQUEUE:
                if (keepAlive.enabled()) {
                    for (String option : new String[] {"TCP_KEEPIDLE (keepAlive.idle)",
                            "TCP_KEEPINTVL (keepAlive.interval)", "TCP_KEEPCNT (keepAlive.count)"}) {
                        warnings.add(option + " is not available on transport " + name
                                + ": plain SO_KEEPALIVE with the system's timings applies, so a dead idle peer is "
                                + "detected after the system default (2 hours or more) instead of "
                                + format(keepAlive.idleDetectionBound(false)) + "; use transport NIO or AUTO");
                    }
                }
                if (userTimeoutMillis > 0 && userTimeoutExplicit) {
                    warnings.add("TCP_USER_TIMEOUT (keepAlive.userTimeout) is not available on transport " + name
                            + ": a busy link is bounded by the write-progress watchdog instead of the kernel");
                }
                break;
            default:
                throw Checks.invalid("transport", String.valueOf(transport.type()), "a resolved transport");
        }
        return new SocketTuning(transport, keepAlive, options, warnings, userTimeoutApplied);
    }

    private static void putIfSupported(Map<ChannelOption<?>, Object> options, List<String> warnings,
                                       Set<SocketOption<?>> supported, SocketOption<Integer> option, int value,
                                       String transport, String optionName) {
        if (supported.contains(option)) {
            options.put(NioChannelOption.of(option), value);
        } else {
            warnings.add(option.name() + " (" + optionName + ") is not available on transport " + transport
                    + " on this platform: the system's default applies, so dead-peer detection on an idle link "
                    + "takes longer than configured");
        }
    }

    private static String format(java.time.Duration d) {
        return io.resilientconnector.util.Durations.format(d);
    }

    /** Sets every planned option on {@code bootstrap}. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Bootstrap applyTo(Bootstrap bootstrap) {
        for (Map.Entry<ChannelOption<?>, Object> e : options.entrySet()) {
            bootstrap.option((ChannelOption) e.getKey(), e.getValue());
        }
        return bootstrap;
    }

    /** The options, in the order they are set. */
    public Map<ChannelOption<?>, Object> options() {
        return options;
    }

    /** One sentence per option this platform cannot apply; log each once. */
    public List<String> warnings() {
        return warnings;
    }

    public Transport transport() {
        return transport;
    }

    public KeepAliveOptions keepAlive() {
        return keepAlive;
    }

    /** Whether TCP_USER_TIMEOUT is among the planned options. */
    public boolean userTimeoutApplied() {
        return userTimeoutApplied;
    }

    /** Reads the options back from a connected channel, as the kernel has them. */
    public EffectiveSocketOptions readBack(Channel channel) {
        return EffectiveSocketOptions.read(channel, transport);
    }

    /** The same four options, which epoll and io_uring each declare as constants of their own. */
    static final class LinuxOptions {
        private static final LinuxOptions EPOLL = new LinuxOptions(EpollChannelOption.TCP_KEEPIDLE,
                EpollChannelOption.TCP_KEEPINTVL, EpollChannelOption.TCP_KEEPCNT, EpollChannelOption.TCP_USER_TIMEOUT);
        private static final LinuxOptions IO_URING = new LinuxOptions(IoUringChannelOption.TCP_KEEPIDLE,
                IoUringChannelOption.TCP_KEEPINTVL, IoUringChannelOption.TCP_KEEPCNT,
                IoUringChannelOption.TCP_USER_TIMEOUT);

        final ChannelOption<Integer> idle;
        final ChannelOption<Integer> interval;
        final ChannelOption<Integer> count;
        final ChannelOption<Integer> userTimeout;

        private LinuxOptions(ChannelOption<Integer> idle, ChannelOption<Integer> interval, ChannelOption<Integer> count,
                             ChannelOption<Integer> userTimeout) {
            this.idle = idle;
            this.interval = interval;
            this.count = count;
            this.userTimeout = userTimeout;
        }

        static LinuxOptions of(TransportType type) {
            return type == TransportType.EPOLL ? EPOLL : IO_URING;
        }
    }

    /** The options the running JDK supports on a TCP socket channel, probed once. */
    static final class NioSupport {
        static final Set<SocketOption<?>> SUPPORTED = probe();

        private static Set<SocketOption<?>> probe() {
            try (SocketChannel channel = SocketChannel.open()) {
                return channel.supportedOptions();
            } catch (IOException | RuntimeException e) {
                return Collections.emptySet();
            }
        }
    }
}
