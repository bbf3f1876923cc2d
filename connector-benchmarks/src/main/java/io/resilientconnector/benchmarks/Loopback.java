package io.resilientconnector.benchmarks;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.kqueue.KQueueServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.resilientconnector.transport.Transport;
import io.resilientconnector.transport.TransportType;

import java.util.concurrent.TimeUnit;

/** Plain Netty pieces the benchmarks build on: groups, server channels, and a handler that consumes. */
final class Loopback {

    /** Benchmark traffic never leaves the machine. */
    static final String HOST = "127.0.0.1";

    private Loopback() {
    }

    /** A group of {@code threads} daemon event loops running {@code type}. */
    static EventLoopGroup group(TransportType type, int threads, String name) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true),
                Transport.resolve(type).ioHandlerFactory());
    }

    /** Shuts {@code group} down at once, waiting until it has. */
    static void shutdown(EventLoopGroup group) throws InterruptedException {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    /** The server channel of {@code type}; AUTO becomes the transport it picks here, as in {@link #group}. */
    static ChannelFactory<? extends ServerChannel> serverChannelFactory(TransportType type) {
        TransportType resolved = Transport.resolve(type).type();
        switch (resolved) {
            case EPOLL:
                return EpollServerSocketChannel::new;
            case IO_URING:
                return IoUringServerSocketChannel::new;
            case KQUEUE:
                return KQueueServerSocketChannel::new;
            case NIO:
                return NioServerSocketChannel::new;
            default:
                throw new AssertionError(resolved);
        }
    }

    /** A server bootstrap on {@code group} that hands every accepted connection {@code childHandler}. */
    static ServerBootstrap server(TransportType type, EventLoopGroup group, ChannelHandler childHandler) {
        return new ServerBootstrap()
                .group(group)
                .channelFactory(serverChannelFactory(type))
                .option(io.netty.channel.ChannelOption.SO_REUSEADDR, true)
                .option(io.netty.channel.ChannelOption.SO_BACKLOG, 4096)
                .childHandler(childHandler);
    }

    /** Releases everything it reads: the application end of every benchmark pipeline. */
    @ChannelHandler.Sharable
    static final class Discard extends ChannelInboundHandlerAdapter {
        static final Discard INSTANCE = new Discard();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }
    }
}
