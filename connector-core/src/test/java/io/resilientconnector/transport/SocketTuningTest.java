package io.resilientconnector.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.nio.NioChannelOption;
import io.resilientconnector.testing.LineServer;
import io.resilientconnector.testing.Transports;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class SocketTuningTest {

    private static final KeepAliveOptions SHORT = KeepAliveOptions.builder().idle(Duration.ofSeconds(7))
            .interval(Duration.ofSeconds(3)).count(5).build();

    static java.util.List<TransportType> transports() {
        return Transports.linuxAndNio();
    }

    @Test
    void epollGetsKeepAliveTimingsAndTheDerivedUserTimeout() {
        SocketTuning plan = SocketTuning.plan(Transport.unchecked(TransportType.EPOLL), SHORT, false);
        assertThat(plan.options()).containsEntry(ChannelOption.SO_KEEPALIVE, true)
                .containsEntry(EpollChannelOption.TCP_KEEPIDLE, 7).containsEntry(EpollChannelOption.TCP_KEEPINTVL, 3)
                .containsEntry(EpollChannelOption.TCP_KEEPCNT, 5).containsEntry(EpollChannelOption.TCP_USER_TIMEOUT, 22_000);
        assertThat(plan.userTimeoutApplied()).isTrue();
        assertThat(plan.warnings()).isEmpty();
    }

    @Test
    void nioGetsTheJdksExtendedOptionsAndNoUserTimeout() {
        SocketTuning plan = SocketTuning.plan(Transport.unchecked(TransportType.NIO), SHORT, false);
        assertThat(plan.userTimeoutApplied()).isFalse();
        if (Transports.isLinux()) {
            // NioChannelOption.of makes a new option each call, so compare by name.
            java.util.Map<String, Object> byName = new java.util.HashMap<>();
            plan.options().forEach((option, value) -> byName.put(option.name(), value));
            assertThat(byName).containsEntry(ExtendedSocketOptions.TCP_KEEPIDLE.name(), 7)
                    .containsEntry(ExtendedSocketOptions.TCP_KEEPINTERVAL.name(), 3)
                    .containsEntry(ExtendedSocketOptions.TCP_KEEPCOUNT.name(), 5)
                    .containsEntry(ChannelOption.SO_KEEPALIVE.name(), true);
            assertThat(plan.options().keySet()).allMatch(o -> o == ChannelOption.SO_KEEPALIVE || o instanceof NioChannelOption);
            assertThat(plan.warnings()).as("a derived user timeout that NIO lacks is no reason to warn").isEmpty();
        }
    }

    @Test
    void anExplicitUserTimeoutThatNioCannotApplyGetsOneWarning() {
        KeepAliveOptions explicit = SHORT.toBuilder().userTimeout(Duration.ofSeconds(9)).build();
        SocketTuning plan = SocketTuning.plan(Transport.unchecked(TransportType.NIO), explicit, true);
        assertThat(plan.warnings()).filteredOn(w -> w.contains("TCP_USER_TIMEOUT")).singleElement().asString()
                .contains("keepAlive.userTimeout", "transport nio", "write-progress watchdog");
    }

    @Test
    void kqueueWarnsOncePerTimingItCannotApplyAndNamesTheConsequence() {
        SocketTuning plan = SocketTuning.plan(Transport.unchecked(TransportType.KQUEUE), SHORT, false);
        assertThat(plan.options()).containsOnlyKeys(ChannelOption.SO_KEEPALIVE);
        assertThat(plan.warnings()).hasSize(3);
        assertThat(plan.warnings().get(0)).contains("TCP_KEEPIDLE", "transport kqueue", "system default", "22s");
        assertThat(plan.warnings().get(1)).contains("TCP_KEEPINTVL");
        assertThat(plan.warnings().get(2)).contains("TCP_KEEPCNT");
    }

    @Test
    void keepAliveOffSetsOnlySoKeepAliveOffAndNoDerivedUserTimeout() {
        KeepAliveOptions off = SHORT.toBuilder().enabled(false).build();
        for (TransportType type : new TransportType[] {TransportType.EPOLL, TransportType.IO_URING}) {
            SocketTuning plan = SocketTuning.plan(Transport.unchecked(type), off, false);
            assertThat(plan.options()).as("%s", type).containsOnlyKeys(ChannelOption.SO_KEEPALIVE)
                    .containsEntry(ChannelOption.SO_KEEPALIVE, false);
            assertThat(plan.userTimeoutApplied()).isFalse();
            assertThat(plan.warnings()).isEmpty();
        }
    }

    @Test
    void keepAliveOffStillAppliesAnExplicitUserTimeout() {
        KeepAliveOptions off = SHORT.toBuilder().enabled(false).userTimeout(Duration.ofSeconds(9)).build();
        SocketTuning plan = SocketTuning.plan(Transport.unchecked(TransportType.EPOLL), off, true);
        assertThat(plan.options()).containsOnlyKeys(ChannelOption.SO_KEEPALIVE, EpollChannelOption.TCP_USER_TIMEOUT)
                .containsEntry(ChannelOption.SO_KEEPALIVE, false).containsEntry(EpollChannelOption.TCP_USER_TIMEOUT, 9_000);
        assertThat(plan.userTimeoutApplied()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("transports")
    void theKernelReportsWhatWasPlanned(TransportType type) throws Exception {
        Transports.assumeAvailable(type);
        Transport transport = Transport.resolve(type);
        SocketTuning plan = SocketTuning.plan(transport, SHORT, false);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        try (LineServer server = LineServer.start()) {
            Bootstrap b = plan.applyTo(new Bootstrap().group(group).channelFactory(transport.channelFactory())
                    .handler(new ChannelInboundHandlerAdapter()));
            Channel ch = b.connect("127.0.0.1", server.port()).sync().channel();
            EffectiveSocketOptions effective = plan.readBack(ch);
            assertThat(effective.soKeepAlive()).isTrue();
            if (!plan.warnings().isEmpty()) {
                // A platform without some option (Windows has no keepalive count) warned; nothing more to read.
                ch.close().sync();
                return;
            }
            assertThat(effective.idleSeconds()).isEqualTo(7);
            assertThat(effective.intervalSeconds()).isEqualTo(3);
            assertThat(effective.count()).isEqualTo(5);
            assertThat(effective.idleDetectionBound()).isEqualTo(Duration.ofSeconds(22));
            if (type == TransportType.NIO) {
                assertThat(effective.userTimeoutMillis()).isNull();
                assertThat(effective.describe(Duration.ofSeconds(22))).contains("userTimeout=unsupported",
                        "deadPeerBound[busy]=22s (write-stall watchdog");
            } else {
                assertThat(effective.userTimeoutMillis()).isEqualTo(22_000);
                assertThat(effective.describe(null)).contains("transport=" + transport.displayName(),
                        "SO_KEEPALIVE=true idle=7s interval=3s count=5 userTimeout=22s",
                        "deadPeerBound[idle]=22s", "deadPeerBound[busy]=22s (user timeout)");
            }
            ch.close().sync();
        } finally {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
    }
}
