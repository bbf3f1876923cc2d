package io.resilientconnector.faultlab;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.uring.IoUringChannelOption;
import io.resilientconnector.internal.ending.TcpInfo;
import io.resilientconnector.testing.Transports;
import io.resilientconnector.transport.Transport;
import io.resilientconnector.transport.TransportType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * TCP_INFO read from real sockets behind a blackholed link: the unacknowledged byte count is exact while the
 * connection lives, and still exact after the kernel has given up on it, as long as the socket is open.
 */
class TcpInfoTest {

    @ParameterizedTest
    @EnumSource(value = TransportType.class, names = {"EPOLL", "IO_URING"})
    void countsBytesThePeerNeverAcknowledgedEvenAfterTheKernelGivesUp(TransportType type) throws Exception {
        Transports.assumeAvailable(type);
        Transport transport = Transport.resolve(type);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        try (FaultLab lab = FaultLab.startForTest()) {
            CompletableFuture<TcpInfo> atError = new CompletableFuture<>();
            Bootstrap b = new Bootstrap().group(group).channelFactory(transport.channelFactory())
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                            // A read error arrives before the transport closes the socket.
                            atError.complete(TcpInfo.read(ctx.channel()));
                        }
                    });
            if (type == TransportType.EPOLL) {
                b.option(EpollChannelOption.TCP_USER_TIMEOUT, 2000);
            } else {
                b.option(IoUringChannelOption.TCP_USER_TIMEOUT, 2000);
            }
            b.option(ChannelOption.SO_KEEPALIVE, false);
            Channel ch = b.connect(lab.peerSocketAddress()).syncUninterruptibly().channel();
            ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[10_000])).syncUninterruptibly();
            await().atMost(Duration.ofSeconds(10)).until(() -> read(ch).unacknowledgedBytes() == 0);
            System.out.println("ACKED " + type + " " + read(ch));

            lab.blackhole();
            ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[5_000])).syncUninterruptibly();
            TcpInfo alive = read(ch);
            System.out.println("ALIVE " + type + " " + alive);
            assertThat(alive.unacknowledgedBytes()).isEqualTo(5_000);
            assertThat(alive.unackedSegments()).isPositive();
            assertThat(alive.closedByKernel()).isFalse();

            TcpInfo dead = atError.get(15, TimeUnit.SECONDS);
            System.out.println("DEAD " + type + " " + dead);
            assertThat(dead).as("sampled in exceptionCaught, before the transport closed the socket").isNotNull();
            assertThat(dead.closedByKernel()).isTrue();
            assertThat(dead.unacknowledgedBytes()).isEqualTo(5_000);
            assertThat(dead.unackedSegments()).isEqualTo(-1);
            ch.close().syncUninterruptibly();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static TcpInfo read(Channel ch) throws Exception {
        return ch.eventLoop().submit(() -> TcpInfo.read(ch)).get(5, TimeUnit.SECONDS);
    }
}
